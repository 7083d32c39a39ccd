"""HTTP and WebSocket adapters (Litestar)."""

__all__ = ()
