"""Usage counters in Valkey, shared by every server process.

Keys (the tenant is part of each, in braces: a cluster's hash tag keeps a tenant's keys in one slot):
- `usage:{tenant}:{user}:{YYYY-MM-DD}:msgs|convs` — per-user daily counters, 25 h TTL (DECISIONS §1);
- `usage:{tenant}:tokens:{YYYY-MM-DD}` and `usage:{tenant}:tokens:{YYYY-MM}` — token budgets;
- `window:{tenant}:{scope}` — a sliding window as a sorted set of hit times;
- `sockets:{key_id}` — live sockets of an API key, scored by their last heartbeat, so that the
  sockets of a process that died stop counting once they are `stale_seconds` old.

Times in the scripts come from the server's `TIME`, so processes with skewed clocks agree.
"""

from __future__ import annotations

import itertools
import secrets
from typing import TYPE_CHECKING

from vizochok.adapters.valkey_client import tenant_tag
from vizochok.core.usage.pricing import UsageSnapshot

if TYPE_CHECKING:
    from valkey.asyncio import Valkey

USER_TTL_SECONDS = 25 * 3600
"""Per-user and daily counters outlive their UTC day by an hour (vizochok-docs §5)."""
MONTH_TTL_SECONDS = 32 * 86400
SOCKETS_TTL_SECONDS = 86400
"""Lifetime of a key's socket set after its last change; stale members are trimmed by score."""


def user_key(tenant_id: str, user_id: str, day: str, counter: str) -> str:
    """A user's daily counter, `msgs` or `convs`."""
    return f"usage:{tenant_tag(tenant_id)}:{user_id}:{day}:{counter}"


def tokens_key(tenant_id: str, period: str) -> str:
    """A tenant's token counter of a day (`YYYY-MM-DD`) or a month (`YYYY-MM`)."""
    return f"usage:{tenant_tag(tenant_id)}:tokens:{period}"


def window_key(tenant_id: str, scope: str) -> str:
    """A sliding window of a tenant's (a socket's frames): in the tenant's slot, as the turn script needs."""
    return f"window:{tenant_tag(tenant_id)}:{scope}"


_NOW = "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"

# KEYS[1] window; ARGV limit, window ms, unique member. Returns 0, or ms until the next allowed hit.
_HIT_WINDOW = (
    _NOW
    + """
local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
if n < limit then return 0 end
local oldest = redis.call('ZRANGE', KEYS[1], n + 1 - limit, n + 1 - limit, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"""
)

# KEYS[1] socket set; ARGV limit, stale ms, socket id, key ttl s. Returns 1 when registered.
_OPEN_SOCKET = (
    _NOW
    + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return 1
"""
)

_REFRESH_SOCKET = (
    _NOW
    + """
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1
"""
)


class ValkeyUsageLimiter:
    """Every method is one round trip: a script or a pipeline."""

    def __init__(self, client: Valkey) -> None:
        self._client = client
        self._hit = client.register_script(_HIT_WINDOW)
        self._open = client.register_script(_OPEN_SOCKET)
        self._refresh = client.register_script(_REFRESH_SOCKET)
        # Members of a window must be unique even for two hits in the same millisecond.
        self._prefix = secrets.token_hex(4)
        self._seq = itertools.count()

    async def hit_window(self, tenant_id: str, scope: str, limit: int, window_seconds: float) -> float:
        """Record one event; 0 when allowed, else seconds until one would be."""
        member = f"{self._prefix}:{next(self._seq)}"
        wait_ms = await self._hit(
            keys=[window_key(tenant_id, scope)], args=[limit, int(window_seconds * 1000), member]
        )
        return int(wait_ms) / 1000

    async def snapshot(self, tenant_id: str, user_id: str, day: str, month: str) -> UsageSnapshot:
        """The user's and the tenant's counters in one pipeline."""
        async with self._client.pipeline(transaction=False) as pipe:
            pipe.get(user_key(tenant_id, user_id, day, "msgs"))
            pipe.get(user_key(tenant_id, user_id, day, "convs"))
            pipe.get(tokens_key(tenant_id, day))
            pipe.get(tokens_key(tenant_id, month))
            msgs, convs, day_tokens, month_tokens = await pipe.execute()
        return UsageSnapshot(
            user_messages=int(msgs or 0),
            user_conversations=int(convs or 0),
            tenant_tokens_day=int(day_tokens or 0),
            tenant_tokens_month=int(month_tokens or 0),
        )

    async def count_user(
        self, tenant_id: str, user_id: str, day: str, *, messages: int, conversations: int
    ) -> None:
        """INCRBY, and a 25 h TTL set by the day's first write."""
        async with self._client.pipeline(transaction=False) as pipe:
            for suffix, amount in (("msgs", messages), ("convs", conversations)):
                if amount:
                    key = user_key(tenant_id, user_id, day, suffix)
                    pipe.incrby(key, amount)
                    pipe.expire(key, USER_TTL_SECONDS, nx=True)
            await pipe.execute()

    async def add_tokens(self, tenant_id: str, day: str, month: str, tokens: int) -> None:
        """INCRBY both budgets."""
        async with self._client.pipeline(transaction=False) as pipe:
            pipe.incrby(tokens_key(tenant_id, day), tokens)
            pipe.expire(tokens_key(tenant_id, day), USER_TTL_SECONDS, nx=True)
            pipe.incrby(tokens_key(tenant_id, month), tokens)
            pipe.expire(tokens_key(tenant_id, month), MONTH_TTL_SECONDS, nx=True)
            await pipe.execute()

    async def open_socket(self, key_id: str, socket_id: str, limit: int, stale_seconds: float) -> bool:
        """Trim stale sockets, then register this one unless the key is full."""
        ok = await self._open(
            keys=[f"sockets:{key_id}"],
            args=[limit, int(stale_seconds * 1000), socket_id, SOCKETS_TTL_SECONDS],
        )
        return bool(int(ok))

    async def refresh_socket(self, key_id: str, socket_id: str) -> None:
        """Heartbeat: the socket's score becomes now."""
        await self._refresh(keys=[f"sockets:{key_id}"], args=[socket_id, SOCKETS_TTL_SECONDS])

    async def close_socket(self, key_id: str, socket_id: str) -> None:
        """Remove the socket."""
        await self._client.zrem(f"sockets:{key_id}", socket_id)
