"""Ports: Events for plugins."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Observer(Protocol):
    """Receives events for plugins; must never raise into a chat turn."""

    async def cart_changed(self, tenant_id: str, conversation_id: str, event: dict[str, Any]) -> None:
        """A cart change the retailer confirmed."""
        ...

    async def turn_completed(
        self, tenant_id: str, conversation_id: str, turn: int, error: str | None
    ) -> None:
        """A turn ended, with its error code if it failed."""
        ...


__all__ = ("Observer",)
