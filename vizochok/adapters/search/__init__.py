"""Search engines behind the `ProductSearch` port."""

__all__ = ()
