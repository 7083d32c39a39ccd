"""Sessions in Valkey with an inactivity TTL, and the per-conversation turn lease."""

from __future__ import annotations

import secrets
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from vizochok.adapters.valkey_client import replicate, tenant_tag
from vizochok.core.chat.state import ConversationState

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from valkey.asyncio import Valkey

# Delete the lock only if this holder still owns it: a lease that expired and was taken
# by another process must not be released by the first one.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


# Every session is stored as "R:<run_id>\n<json>", stamped by the script that writes it with the
# run id of the Valkey server holding it. A server that restarted has a new run id; a session read
# back from its snapshot (or its append-only file) then carries an older one, and is marked stale:
# what it says of the cart may be behind the retailer (docs/operations.md, "Faults").
RUN_ID = "local run = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')\n"

_SAVE = (
    RUN_ID
    + """
redis.call('SET', KEYS[1], 'R:' .. run .. '\\n' .. ARGV[1], 'EX', ARGV[2])
return 1
"""
)

_LOAD = (
    RUN_ID
    + """
return {redis.call('GET', KEYS[1]) or '', run}
"""
)


def decode_session(raw: str | bytes, current_run: str | bytes) -> ConversationState:
    """A stored session; `stale` when it was written by another run of the server than `current_run`."""
    text = raw.decode() if isinstance(raw, bytes) else raw
    run = current_run.decode() if isinstance(current_run, bytes) else current_run
    if not text.startswith("R:"):
        return ConversationState.model_validate_json(text)  # written before stamping existed
    written, _, body = text[2:].partition("\n")
    state = ConversationState.model_validate_json(body)
    state.stale = written != run
    return state


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
        self._save = client.register_script(_SAVE)
        self._load = client.register_script(_LOAD)

    async def load(self, tenant_id: str, conversation_id: str) -> ConversationState | None:
        """The live session, or None once it expired (`stale` when the cache restarted since it was saved)."""
        raw, run = await self._load(keys=[session_key(tenant_id, conversation_id)])
        return decode_session(raw, run) if raw else None

    async def save(self, state: ConversationState, ttl_seconds: int) -> None:
        """Store the session, stamped with the server's run id, and restart its inactivity clock."""
        key = session_key(state.tenant_id, state.conversation_id)
        await self._save(keys=[key], args=[state.model_dump_json(), ttl_seconds])
        await replicate(self._client, key)

    @asynccontextmanager
    async def turn_lease(
        self, tenant_id: str, conversation_id: str, lease_seconds: float
    ) -> AsyncIterator[bool]:
        """Hold the turn lock; the lease expires by itself if this process dies mid-turn."""
        key = lock_key(tenant_id, conversation_id)
        token = secrets.token_hex(8)
        acquired = bool(await self._client.set(key, token, nx=True, px=int(lease_seconds * 1000)))
        try:
            yield acquired
        finally:
            if acquired:
                await self._release(keys=[key], args=[token])
