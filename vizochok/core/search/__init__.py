"""Search: requests (`request`), the use case (`service`), its tenant profiles (`profile`), metrics (`evaluation`)."""

__all__ = ()
