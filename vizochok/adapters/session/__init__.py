"""Conversation sessions behind the `SessionStore` port."""

__all__ = ()
