"""Embedding models behind the `Embedder` port."""

__all__ = ()
