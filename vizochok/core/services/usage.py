"""The three limit tiers of vizochok-docs §5 in their documented order, and the per-key socket cap.

Tier 1 is the socket's sliding window, tier 2 the user's daily counters, tier 3 the tenant's token
budgets. The first tier that refuses answers; later tiers are not evaluated. The counters live
behind the `UsageLimiter` port, so every server process sees the same numbers.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from vizochok.core.errors import ErrorCode, VizochokError

if TYPE_CHECKING:
    from collections.abc import Callable

    from vizochok.core.limits import Limits
    from vizochok.core.ports import UsageLimiter


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


class UsageGate:
    """Applies `Limits` to the counters of a `UsageLimiter`; raises `VizochokError` with the documented extras."""

    def __init__(self, limiter: UsageLimiter, clock: Callable[[], datetime] = utc_now) -> None:
        self.limiter = limiter
        self._clock = clock

    def _day_month(self) -> tuple[str, str]:
        # Counters reset at 00:00 UTC: the date in the key changes, yesterday's keys simply expire.
        now = self._clock().astimezone(UTC)
        return now.strftime("%Y-%m-%d"), now.strftime("%Y-%m")

    async def hit_socket(self, socket_id: str, limits: Limits) -> None:
        """Tier 1: count a `message` or `action` frame on this socket, refused ones included."""
        wait = await self.limiter.hit_window(
            f"socket:{socket_id}", limits.socket_messages_per_window, limits.socket_window_seconds
        )
        if wait > 0:
            raise VizochokError(ErrorCode.RATE_LIMIT_EXCEEDED, retry_after=max(1, math.ceil(wait)))

    async def admit(self, tenant_id: str, user_id: str, limits: Limits, *, new_conversation: bool) -> None:
        """Tiers 2 and 3, from one read of the counters; raises the first refusal."""
        day, month = self._day_month()
        usage = await self.limiter.snapshot(tenant_id, user_id, day, month)
        if usage.user_messages >= limits.user_messages_per_day:
            raise VizochokError(ErrorCode.USER_MESSAGE_LIMIT, limit=limits.user_messages_per_day)
        if new_conversation and usage.user_conversations >= limits.user_conversations_per_day:
            raise VizochokError(ErrorCode.USER_CONVERSATION_LIMIT, limit=limits.user_conversations_per_day)
        if usage.tenant_tokens_day >= limits.tenant_tokens_per_day:
            raise VizochokError(ErrorCode.TENANT_DAILY_TOKEN_LIMIT)
        if usage.tenant_tokens_month >= limits.tenant_tokens_per_month:
            raise VizochokError(ErrorCode.TENANT_MONTHLY_TOKEN_LIMIT)

    async def count(self, tenant_id: str, user_id: str, *, new_conversation: bool) -> None:
        """Count an admitted message, and the conversation it starts."""
        day, _ = self._day_month()
        await self.limiter.count_user(tenant_id, user_id, day, messages=1, conversations=int(new_conversation))

    async def record_tokens(self, tenant_id: str, tokens: int) -> None:
        """Tier 3 bookkeeping after a turn: what the model reported (0 for the offline provider)."""
        if tokens > 0:
            day, month = self._day_month()
            await self.limiter.add_tokens(tenant_id, day, month, tokens)

    async def open_socket(self, key_id: str, socket_id: str, limits: Limits) -> bool:
        """Whether the key may hold one more socket (close 4029 otherwise)."""
        return await self.limiter.open_socket(key_id, socket_id, limits.sockets_per_key, limits.socket_stale_seconds)

    async def refresh_socket(self, key_id: str, socket_id: str) -> None:
        """Heartbeat of a live socket."""
        await self.limiter.refresh_socket(key_id, socket_id)

    async def close_socket(self, key_id: str, socket_id: str) -> None:
        """The socket is gone."""
        await self.limiter.close_socket(key_id, socket_id)
