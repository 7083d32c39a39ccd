"""Administration: roles and the admin API's shapes (`model`), and its use cases (`service`)."""

__all__ = ()
