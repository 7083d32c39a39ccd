"""In-process sessions for dev mode and tests; same behaviour as the Valkey store."""

from __future__ import annotations

import time
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from vizochok.core.chat import ConversationState

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


class InMemorySessionStore:
    """Sessions in a dict, expiring lazily."""

    def __init__(self) -> None:
        self.saved: dict[tuple[str, str], tuple[str, float]] = {}
        self._locks: dict[tuple[str, str], float] = {}

    async def load(self, tenant_id: str, conversation_id: str) -> ConversationState | None:
        """The live session, or None once it expired."""
        entry = self.saved.get((tenant_id, conversation_id))
        if entry is None or entry[1] < time.monotonic():
            return None
        return ConversationState.model_validate_json(entry[0])

    async def save(self, state: ConversationState, ttl_seconds: int) -> None:
        """Store a copy with its expiry."""
        self.saved[(state.tenant_id, state.conversation_id)] = (
            state.model_dump_json(),
            time.monotonic() + ttl_seconds,
        )

    @asynccontextmanager
    async def turn_lease(self, tenant_id: str, conversation_id: str, lease_seconds: float) -> AsyncIterator[bool]:
        """Hold the turn lock until the block ends or the lease runs out."""
        key = (tenant_id, conversation_id)
        now = time.monotonic()
        acquired = self._locks.get(key, 0.0) < now
        if acquired:
            self._locks[key] = now + lease_seconds
        try:
            yield acquired
        finally:
            if acquired:
                self._locks.pop(key, None)
