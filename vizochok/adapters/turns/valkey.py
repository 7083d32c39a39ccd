"""A turn's start and end in Valkey, one script each.

The keys are those of `ValkeySessionStore` and `ValkeyUsageLimiter` (sessions, locks, windows,
counters), so the three adapters share their data. A script runs atomically: two turns of one user
at the same moment cannot both pass the daily cap, which reading and then counting allowed.
Every key a script names carries the tenant's hash tag (placeholders for absent parts too), so
each call touches one slot of a Valkey cluster: the tenant's.
"""

from __future__ import annotations

import itertools
import secrets
from typing import TYPE_CHECKING, Any

from vizochok.adapters.session.valkey import RUN_ID, decode_session, lock_key, session_key
from vizochok.adapters.usage.valkey import (
    _NOW,
    MONTH_TTL_SECONDS,
    USER_TTL_SECONDS,
    tokens_key,
    user_key,
    window_key,
)
from vizochok.adapters.valkey_client import replicate
from vizochok.core.chat.turns import TurnBegun, TurnLease

if TYPE_CHECKING:
    from valkey.asyncio import Valkey

    from vizochok.core.chat.turns import TurnEnd, TurnStart

# KEYS window, msgs, convs, tokens of the day, tokens of the month, lock, session.
# ARGV window limit ('' skips tier 1), window ms, window member, metered ('1' or ''), new conversation
# ('1' or ''), the four caps, counter ttl s, lock token, lease ms.
# Returns {refusal, wait ms} | {'expired'} | {'ok', session}.
_BEGIN = (
    """
if ARGV[1] ~= '' then
"""
    + _NOW
    + """
  local limit, window = tonumber(ARGV[1]), tonumber(ARGV[2])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
  local n = redis.call('ZCARD', KEYS[1])
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  if n >= limit then
    local oldest = redis.call('ZRANGE', KEYS[1], n + 1 - limit, n + 1 - limit, 'WITHSCORES')
    return {'window', math.max(1, tonumber(oldest[2]) + window - now)}
  end
end
local metered = ARGV[4] == '1'
local new_conversation = ARGV[5] == '1'
if metered then
  local c = redis.call('MGET', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
  if tonumber(c[1] or 0) >= tonumber(ARGV[6]) then return {'user_messages', 0} end
  if new_conversation and tonumber(c[2] or 0) >= tonumber(ARGV[7]) then return {'user_conversations', 0} end
  if tonumber(c[3] or 0) >= tonumber(ARGV[8]) then return {'tokens_day', 0} end
  if tonumber(c[4] or 0) >= tonumber(ARGV[9]) then return {'tokens_month', 0} end
end
"""
    + RUN_ID
    + """
-- A lease is "run:token". One written by an earlier run of the server (read back from a snapshot
-- after a crash) belongs to a turn that died with it: it is taken over, not waited out for minutes.
local held = redis.call('GET', KEYS[6])
if held and string.sub(held, 1, #run + 1) == run .. ':' then return {'busy', 0} end
local lease = run .. ':' .. ARGV[11]
redis.call('SET', KEYS[6], lease, 'PX', ARGV[12])
local session = redis.call('GET', KEYS[7])
if not session then return {'expired', '', '', lease} end
if metered then
  redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], ARGV[10], 'NX')
  if new_conversation then
    redis.call('INCR', KEYS[3])
    redis.call('EXPIRE', KEYS[3], ARGV[10], 'NX')
  end
end
return {'ok', session, run, lease}
"""
)

# KEYS session, lock, tokens of the day, tokens of the month, msgs, convs.
# ARGV session JSON ('' keeps it), session ttl s, lock token, tokens, day ttl s, month ttl s,
# uncount msgs ('1' or ''), uncount convs ('1' or '').
_END = (
    """
if ARGV[1] ~= '' then
"""
    + RUN_ID
    + """
  redis.call('SET', KEYS[1], 'R:' .. run .. '\\n' .. ARGV[1], 'EX', ARGV[2])
end
local tokens = tonumber(ARGV[4])
if tokens > 0 then
  redis.call('INCRBY', KEYS[3], tokens)
  redis.call('EXPIRE', KEYS[3], ARGV[5], 'NX')
  redis.call('INCRBY', KEYS[4], tokens)
  redis.call('EXPIRE', KEYS[4], ARGV[6], 'NX')
end
if ARGV[7] == '1' then redis.call('DECR', KEYS[5]) end
if ARGV[8] == '1' then redis.call('DECR', KEYS[6]) end
-- Only this holder's lock: a lease that expired and was taken by another process stays.
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
"""
)


class ValkeyTurnStore:
    """`begin` and `end` are one script call each (they used to be about eight round trips)."""

    def __init__(self, client: Valkey) -> None:
        self._client = client
        self._begin = client.register_script(_BEGIN)
        self._end = client.register_script(_END)
        # Members of a window must be unique even for two hits in the same millisecond.
        self._prefix = secrets.token_hex(4)
        self._seq = itertools.count()

    async def begin(self, start: TurnStart) -> TurnBegun:
        """Tier 1, tiers 2 and 3, the lease, the session, and the count, atomically."""
        window, quota = start.window, start.quota
        tenant = start.tenant_id
        user, day, month = (quota.user_id, quota.day, quota.month) if quota else ("-", "-", "-")
        token = secrets.token_hex(8)
        keys = [
            window_key(tenant, window.scope if window else "-"),
            user_key(tenant, user, day, "msgs"),
            user_key(tenant, user, day, "convs"),
            tokens_key(tenant, day),
            tokens_key(tenant, month),
            lock_key(tenant, start.conversation_id),
            session_key(tenant, start.conversation_id),
        ]
        args: list[Any] = [
            window.limit if window else "",
            int(window.window_seconds * 1000) if window else 0,
            f"{self._prefix}:{next(self._seq)}",
            "1" if quota else "",
            "1" if quota and quota.new_conversation else "",
            quota.user_messages_per_day if quota else 0,
            quota.user_conversations_per_day if quota else 0,
            quota.tenant_tokens_per_day if quota else 0,
            quota.tenant_tokens_per_month if quota else 0,
            USER_TTL_SECONDS,
            token,
            int(start.lease_seconds * 1000),
        ]
        answer = await self._begin(keys=keys, args=args)
        outcome = answer[0]
        if outcome not in ("ok", "expired"):
            return TurnBegun(refused=outcome, retry_after=int(answer[1]) / 1000)
        found = outcome == "ok"
        lease = TurnLease(tenant, start.conversation_id, str(answer[3]), counted=quota if found else None)
        state = decode_session(answer[1], answer[2]) if found else None
        return TurnBegun(lease=lease, state=state)

    async def end(self, lease: TurnLease, end: TurnEnd) -> None:
        """Session, tokens, a count taken back, and the lock's release, in one script."""
        tenant, save = lease.tenant_id, end.save
        counted = lease.counted if end.uncount else None
        user_day = (counted.user_id, counted.day) if counted else ("-", "-")
        keys = [
            # Always the lease's tenant: a script may name keys of one slot only.
            session_key(tenant, save.conversation_id if save else "-"),
            lock_key(tenant, lease.conversation_id),
            tokens_key(tenant, end.day or "-"),
            tokens_key(tenant, end.month or "-"),
            user_key(tenant, *user_day, "msgs"),
            user_key(tenant, *user_day, "convs"),
        ]
        args = [
            save.model_dump_json() if save else "",
            end.ttl_seconds,
            lease.token,
            end.tokens if end.day and end.month else 0,
            USER_TTL_SECONDS,
            MONTH_TTL_SECONDS,
            "1" if counted else "",
            "1" if counted and counted.new_conversation else "",
        ]
        await self._end(keys=keys, args=args)
        # On a cluster, the turn is acknowledged only once a replica holds it (a failover keeps it).
        await replicate(self._client, keys[1])
