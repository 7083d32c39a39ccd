"""In-process sessions for dev mode and tests; same behaviour as the Valkey store."""

from __future__ import annotations

import secrets
import time
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from vizochok.core.chat.state import ConversationState

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


class InMemorySessionStore:
    """Sessions in a dict, expiring lazily."""

    def __init__(self) -> None:
        self.saved: dict[tuple[str, str], tuple[str, float]] = {}
        self._locks: dict[tuple[str, str], tuple[str, float]] = {}

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

    def acquire(self, tenant_id: str, conversation_id: str, lease_seconds: float) -> str | None:
        """Take the turn lock unless a live lease holds it; the token releases it."""
        key = (tenant_id, conversation_id)
        now = time.monotonic()
        held = self._locks.get(key)
        if held is not None and held[1] >= now:
            return None
        token = secrets.token_hex(8)
        self._locks[key] = (token, now + lease_seconds)
        return token

    def release(self, tenant_id: str, conversation_id: str, token: str) -> None:
        """Release the lock if `token` still holds it (a lease that ran out may have a new holder)."""
        key = (tenant_id, conversation_id)
        held = self._locks.get(key)
        if held is not None and held[0] == token:
            del self._locks[key]

    @asynccontextmanager
    async def turn_lease(
        self, tenant_id: str, conversation_id: str, lease_seconds: float
    ) -> AsyncIterator[bool]:
        """Hold the turn lock until the block ends or the lease runs out."""
        token = self.acquire(tenant_id, conversation_id, lease_seconds)
        try:
            yield token is not None
        finally:
            if token is not None:
                self.release(tenant_id, conversation_id, token)
