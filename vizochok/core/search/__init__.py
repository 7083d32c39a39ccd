"""Search: requests (`request`), the search use case (`service`) and ranking metrics (`evaluation`)."""

__all__ = ()
