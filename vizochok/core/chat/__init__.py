"""Chat: conversation state, turn bookkeeping, card actions and the chat use cases (`service`)."""

__all__ = ()
