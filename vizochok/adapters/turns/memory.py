"""A turn's start and end on the in-process session store and counters (dev mode and tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.core.chat.turns import TurnBegun, TurnLease

if TYPE_CHECKING:
    from vizochok.adapters.session.memory import InMemorySessionStore
    from vizochok.adapters.usage.memory import InMemoryUsageLimiter
    from vizochok.core.chat.turns import TurnEnd, TurnStart


class InMemoryTurnStore:
    """Same steps and order as the Valkey script; atomic because nothing in between awaits anything."""

    def __init__(self, sessions: InMemorySessionStore, limiter: InMemoryUsageLimiter | None = None) -> None:
        self.sessions = sessions
        self.limiter = limiter

    async def begin(self, start: TurnStart) -> TurnBegun:
        """Tier 1, tiers 2 and 3, the lease, the session, then the count."""
        window, quota, limiter = start.window, start.quota, self.limiter
        if window is not None and limiter is not None:
            wait = await limiter.hit_window(
                start.tenant_id, window.scope, window.limit, window.window_seconds
            )
            if wait > 0:
                return TurnBegun(refused="window", retry_after=wait)
        if quota is not None and limiter is not None:
            usage = await limiter.snapshot(start.tenant_id, quota.user_id, quota.day, quota.month)
            if usage.user_messages >= quota.user_messages_per_day:
                return TurnBegun(refused="user_messages")
            if quota.new_conversation and usage.user_conversations >= quota.user_conversations_per_day:
                return TurnBegun(refused="user_conversations")
            if usage.tenant_tokens_day >= quota.tenant_tokens_per_day:
                return TurnBegun(refused="tokens_day")
            if usage.tenant_tokens_month >= quota.tenant_tokens_per_month:
                return TurnBegun(refused="tokens_month")
        token = self.sessions.acquire(start.tenant_id, start.conversation_id, start.lease_seconds)
        if token is None:
            return TurnBegun(refused="busy")
        state = await self.sessions.load(start.tenant_id, start.conversation_id)
        counted = quota if state is not None and limiter is not None else None
        if counted is not None and limiter is not None:
            await limiter.count_user(
                start.tenant_id,
                counted.user_id,
                counted.day,
                messages=1,
                conversations=int(counted.new_conversation),
            )
        return TurnBegun(lease=TurnLease(start.tenant_id, start.conversation_id, token, counted), state=state)

    async def end(self, lease: TurnLease, end: TurnEnd) -> None:
        """Save, add tokens, take back a refused count, release."""
        if end.save is not None:
            await self.sessions.save(end.save, end.ttl_seconds)
        if self.limiter is not None:
            if end.tokens > 0 and end.day and end.month:
                await self.limiter.add_tokens(lease.tenant_id, end.day, end.month, end.tokens)
            counted = lease.counted
            if end.uncount and counted is not None:
                await self.limiter.count_user(
                    lease.tenant_id, counted.user_id, counted.day,
                    messages=-1, conversations=-int(counted.new_conversation),
                )  # fmt: skip
        self.sessions.release(lease.tenant_id, lease.conversation_id, lease.token)
