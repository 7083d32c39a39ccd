"""Example plugin: delivery slots as an agent tool."""

__all__ = ()
