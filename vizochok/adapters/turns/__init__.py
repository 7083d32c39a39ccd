"""The start and the end of a chat turn behind the `TurnStore` port."""

__all__ = ()
