"""Use cases: what the HTTP and WebSocket adapters call."""

__all__ = ()
