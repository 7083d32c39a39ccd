"""The shopping agent: a streamed, tool-based loop over the `LLM` port."""

__all__ = ()
