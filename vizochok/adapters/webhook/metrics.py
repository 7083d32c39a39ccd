"""Latency and failure counters per tenant and webhook, kept in this process."""

from __future__ import annotations

import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from vizochok.adapters.webhook._base import Webhook, WebhooksWrapper
from vizochok.core.webhooks import WebhookFailure

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from vizochok.core.models import Tenant
    from vizochok.core.ports import RetailerWebhooks

_T = TypeVar("_T")


@dataclass
class _Counters:
    calls: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    latencies: deque[float] = field(default_factory=deque)
    """Milliseconds of the most recent calls, failed ones included (a timeout is latency too)."""

    def view(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)

        def pct(p: float) -> float | None:
            return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1) if ordered else None

        return {
            "calls": self.calls,
            "failures": sum(self.failures.values()),
            "failures_by_reason": dict(self.failures),
            "latency_ms": {"p50": pct(0.5), "p95": pct(0.95), "max": pct(1.0), "samples": len(ordered)},
        }


class MeteredWebhooks(WebhooksWrapper):
    """Counts calls and failures, and keeps the latency of the last `window` calls, per tenant and webhook."""

    def __init__(
        self, inner: RetailerWebhooks, *, window: int = 200, clock: Callable[[], float] = time.perf_counter
    ) -> None:
        super().__init__(inner)
        self._window = window
        self._clock = clock
        self._counters: dict[tuple[str, Webhook], _Counters] = {}

    async def _around(self, tenant: Tenant, webhook: Webhook, call: Callable[[], Awaitable[_T]]) -> _T:
        counters = self._counters.setdefault((tenant.id, webhook), _Counters(latencies=deque(maxlen=self._window)))
        started = self._clock()
        counters.calls += 1
        try:
            return await call()
        except WebhookFailure as failure:
            counters.failures[failure.reason] += 1
            raise
        finally:
            counters.latencies.append((self._clock() - started) * 1000)

    def snapshot(self, tenant_id: str) -> dict[str, Any]:
        """Counters of one tenant, by webhook."""
        return {hook: c.view() for (tid, hook), c in sorted(self._counters.items()) if tid == tenant_id}
