"""In-process usage counters for dev mode and tests; same behaviour as the Valkey limiter, one process only."""

from __future__ import annotations

import time
from collections import deque

from vizochok.core.usage.pricing import UsageSnapshot


class InMemoryUsageLimiter:
    """Counters in dicts; windows and socket heartbeats on the monotonic clock."""

    def __init__(self) -> None:
        self.counters: dict[str, int] = {}
        self._windows: dict[str, deque[float]] = {}
        self._sockets: dict[str, dict[str, float]] = {}

    async def hit_window(self, tenant_id: str, scope: str, limit: int, window_seconds: float) -> float:  # noqa: ARG002
        """Record one event; 0 when allowed, else seconds until one would be."""
        now = time.monotonic()
        times = self._windows.setdefault(scope, deque())
        while times and times[0] <= now - window_seconds:
            times.popleft()
        allowed = len(times) < limit
        times.append(now)
        if allowed:
            return 0.0
        # The next event is allowed once enough entries expire to leave fewer than `limit`.
        # Clamped: `t + window - now` with t == now can come out a hair above the window in floats.
        return min(window_seconds, max(0.001, times[len(times) - limit] + window_seconds - now))

    async def snapshot(self, tenant_id: str, user_id: str, day: str, month: str) -> UsageSnapshot:
        """The four counters."""
        get = self.counters.get
        return UsageSnapshot(
            user_messages=get(f"usage:{tenant_id}:{user_id}:{day}:msgs", 0),
            user_conversations=get(f"usage:{tenant_id}:{user_id}:{day}:convs", 0),
            tenant_tokens_day=get(f"usage:{tenant_id}:tokens:{day}", 0),
            tenant_tokens_month=get(f"usage:{tenant_id}:tokens:{month}", 0),
        )

    def _add(self, key: str, amount: int) -> None:
        self.counters[key] = self.counters.get(key, 0) + amount

    async def count_user(
        self, tenant_id: str, user_id: str, day: str, *, messages: int, conversations: int
    ) -> None:
        """Add to the user's daily counters."""
        self._add(f"usage:{tenant_id}:{user_id}:{day}:msgs", messages)
        if conversations:
            self._add(f"usage:{tenant_id}:{user_id}:{day}:convs", conversations)

    async def add_tokens(self, tenant_id: str, day: str, month: str, tokens: int) -> None:
        """Add to the tenant's token counters."""
        self._add(f"usage:{tenant_id}:tokens:{day}", tokens)
        self._add(f"usage:{tenant_id}:tokens:{month}", tokens)

    async def open_socket(self, key_id: str, socket_id: str, limit: int, stale_seconds: float) -> bool:
        """Register the socket unless `limit` live ones hold the key."""
        now = time.monotonic()
        live = {s: seen for s, seen in self._sockets.get(key_id, {}).items() if seen > now - stale_seconds}
        self._sockets[key_id] = live
        if len(live) >= limit:
            return False
        live[socket_id] = now
        return True

    async def refresh_socket(self, key_id: str, socket_id: str) -> None:
        """Heartbeat."""
        self._sockets.setdefault(key_id, {})[socket_id] = time.monotonic()

    async def close_socket(self, key_id: str, socket_id: str) -> None:
        """Forget the socket."""
        self._sockets.get(key_id, {}).pop(socket_id, None)
