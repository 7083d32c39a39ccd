"""Built-in plugins: our own features, registered like anyone else's."""

__all__ = ()
