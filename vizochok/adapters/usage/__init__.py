"""Usage counters behind the `UsageLimiter` port."""

__all__ = ()
