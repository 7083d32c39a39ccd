"""Adapters: implementations of the core's ports on real technology, plus shipped in-memory ones."""

__all__ = ()
