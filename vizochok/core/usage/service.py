"""The three limit tiers of vizochok-docs §5 in their documented order, and the per-key socket cap.

Tier 1 is the socket's sliding window, tier 2 the user's daily counters, tier 3 the tenant's token
budgets. The first tier that refuses answers; later tiers are not evaluated. The counters live
behind the `UsageLimiter` port, so every server process sees the same numbers. A turn checks and
counts them through `TurnStore.begin` (one atomic step); this module says what to check and what
each refusal answers.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from vizochok.core.chat.turns import DailyQuota, WindowHit
from vizochok.core.errors import ErrorCode, VizochokError

if TYPE_CHECKING:
    from collections.abc import Callable

    from vizochok.core.chat.turns import TurnBegun
    from vizochok.core.ports import UsageLimiter
    from vizochok.core.usage.limits import Limits


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

    def window(self, socket_id: str, limits: Limits) -> WindowHit:
        """Tier 1 of a `message` or `action` frame on this socket, for `TurnStore.begin`."""
        return WindowHit(
            f"socket:{socket_id}", limits.socket_messages_per_window, limits.socket_window_seconds
        )

    def quota(self, user_id: str, limits: Limits, *, new_conversation: bool) -> DailyQuota:
        """Tiers 2 and 3 of a turn the model answers, for `TurnStore.begin`."""
        day, month = self._day_month()
        return DailyQuota(
            user_id=user_id, day=day, month=month, new_conversation=new_conversation,
            user_messages_per_day=limits.user_messages_per_day,
            user_conversations_per_day=limits.user_conversations_per_day,
            tenant_tokens_per_day=limits.tenant_tokens_per_day,
            tenant_tokens_per_month=limits.tenant_tokens_per_month,
        )  # fmt: skip

    def day_month(self) -> tuple[str, str]:
        """Today's UTC date and month: the periods a turn's model tokens count toward."""
        return self._day_month()

    async def hit_socket(self, tenant_id: str, socket_id: str, limits: Limits) -> None:
        """Tier 1: count a `message` or `action` frame on this socket, refused ones included."""
        wait = await self.limiter.hit_window(
            tenant_id, f"socket:{socket_id}", limits.socket_messages_per_window, limits.socket_window_seconds
        )
        if wait > 0:
            raise VizochokError(ErrorCode.RATE_LIMIT_EXCEEDED, retry_after=max(1, math.ceil(wait)))

    async def count(self, tenant_id: str, user_id: str, *, new_conversation: bool) -> None:
        """Count an admitted message, and the conversation it starts (when `TurnStore.begin` could not)."""
        day, _ = self._day_month()
        await self.limiter.count_user(
            tenant_id, user_id, day, messages=1, conversations=int(new_conversation)
        )

    async def open_socket(self, key_id: str, socket_id: str, limits: Limits) -> bool:
        """Whether the key may hold one more socket (close 4029 otherwise)."""
        return await self.limiter.open_socket(
            key_id, socket_id, limits.sockets_per_key, limits.socket_stale_seconds
        )

    async def refresh_socket(self, key_id: str, socket_id: str) -> None:
        """Heartbeat of a live socket."""
        await self.limiter.refresh_socket(key_id, socket_id)

    async def close_socket(self, key_id: str, socket_id: str) -> None:
        """The socket is gone."""
        await self.limiter.close_socket(key_id, socket_id)


def refusal(begun: TurnBegun, limits: Limits) -> VizochokError:
    """The documented error for a turn `TurnStore.begin` refused."""
    match begun.refused:
        case "window":
            return VizochokError(
                ErrorCode.RATE_LIMIT_EXCEEDED, retry_after=max(1, math.ceil(begun.retry_after))
            )
        case "user_messages":
            return VizochokError(ErrorCode.USER_MESSAGE_LIMIT, limit=limits.user_messages_per_day)
        case "user_conversations":
            return VizochokError(ErrorCode.USER_CONVERSATION_LIMIT, limit=limits.user_conversations_per_day)
        case "tokens_day":
            return VizochokError(ErrorCode.TENANT_DAILY_TOKEN_LIMIT)
        case "tokens_month":
            return VizochokError(ErrorCode.TENANT_MONTHLY_TOKEN_LIMIT)
        case _:
            return VizochokError(ErrorCode.AGENT_BUSY)
