"""Sessions in Valkey with an inactivity TTL, and the per-conversation turn lease."""

from __future__ import annotations

import secrets
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from vizochok.adapters.valkey_client import replicate, tenant_tag
from vizochok.core.chat import ConversationState

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from valkey.asyncio import Valkey

# Delete the lock only if this holder still owns it: a lease that expired and was taken
# by another process must not be released by the first one.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def session_key(tenant_id: str, conversation_id: str) -> str:
    """Cache key of a session; the tenant is part of every key, as a cluster hash tag."""
    return f"session:{tenant_tag(tenant_id)}:{conversation_id}"


def lock_key(tenant_id: str, conversation_id: str) -> str:
    """Cache key of a conversation's turn lock."""
    return f"lock:{tenant_tag(tenant_id)}:{conversation_id}"


class ValkeySessionStore:
    """JSON sessions under `session:{tenant}:{conversation}` (the tenant's hash tag in braces)."""

    def __init__(self, client: Valkey) -> None:
        self._client = client
        self._release = client.register_script(_RELEASE)

    async def load(self, tenant_id: str, conversation_id: str) -> ConversationState | None:
        """The live session, or None once it expired."""
        raw = await self._client.get(session_key(tenant_id, conversation_id))
        return None if raw is None else ConversationState.model_validate_json(raw)

    async def save(self, state: ConversationState, ttl_seconds: int) -> None:
        """Store the session and restart its inactivity clock."""
        key = session_key(state.tenant_id, state.conversation_id)
        await self._client.set(key, state.model_dump_json(), ex=ttl_seconds)
        await replicate(self._client, key)

    @asynccontextmanager
    async def turn_lease(self, tenant_id: str, conversation_id: str, lease_seconds: float) -> AsyncIterator[bool]:
        """Hold the turn lock; the lease expires by itself if this process dies mid-turn."""
        key = lock_key(tenant_id, conversation_id)
        token = secrets.token_hex(8)
        acquired = bool(await self._client.set(key, token, nx=True, px=int(lease_seconds * 1000)))
        try:
            yield acquired
        finally:
            if acquired:
                await self._release(keys=[key], args=[token])
