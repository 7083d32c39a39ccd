"""The pure domain: models, ports, errors, frames, the agent loop and the use cases. No framework imports."""

__all__ = ()
