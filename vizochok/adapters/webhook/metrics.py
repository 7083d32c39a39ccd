"""Latency and failure counters per tenant and webhook, behind a small store (in process, or in Valkey)."""

from __future__ import annotations

import logging
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from vizochok.adapters.webhook._base import Webhook, WebhooksWrapper
from vizochok.core.webhooks.signing import WebhookFailure

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable

    from vizochok.core.models import Tenant
    from vizochok.core.ports import RetailerWebhooks

_log = logging.getLogger(__name__)
_T = TypeVar("_T")
WEBHOOKS: tuple[Webhook, ...] = ("products", "cart", "cart_get")


class StatsStore(Protocol):
    """Where the counters live; `scope` says who shares them (`process` or `valkey`)."""

    scope: str

    async def record(self, tenant_id: str, webhook: Webhook, latency_ms: float, reason: str | None) -> None:
        """One finished call; `reason` is the failure reason, or None on success."""
        ...

    async def snapshot(self, tenant_id: str) -> dict[str, Any]:
        """Counters of one tenant by webhook, as `summarize` shapes them."""
        ...


def summarize(calls: int, failures: dict[str, int], latencies: Iterable[float]) -> dict[str, Any]:
    """The admin view of one webhook: counts, failures by reason, latency percentiles of recent calls."""
    ordered = sorted(latencies)

    def pct(p: float) -> float | None:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1) if ordered else None

    return {
        "calls": calls,
        "failures": sum(failures.values()),
        "failures_by_reason": dict(sorted(failures.items())),
        "latency_ms": {"p50": pct(0.5), "p95": pct(0.95), "max": pct(1.0), "samples": len(ordered)},
    }


@dataclass
class _Counters:
    calls: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    latencies: deque[float] = field(default_factory=deque)


class InMemoryStats:
    """Counters of this process only (each worker has its own; a restart clears them)."""

    scope = "process"

    def __init__(self, window: int = 200) -> None:
        self._window = window
        self._counters: dict[tuple[str, Webhook], _Counters] = {}

    async def record(self, tenant_id: str, webhook: Webhook, latency_ms: float, reason: str | None) -> None:
        """Count the call and keep its latency among the last `window`."""
        counters = self._counters.setdefault(
            (tenant_id, webhook), _Counters(latencies=deque(maxlen=self._window))
        )
        counters.calls += 1
        if reason is not None:
            counters.failures[reason] += 1
        counters.latencies.append(latency_ms)

    async def snapshot(self, tenant_id: str) -> dict[str, Any]:
        """Counters of one tenant, by webhook."""
        return {
            hook: summarize(c.calls, c.failures, c.latencies)
            for hook in WEBHOOKS
            if (c := self._counters.get((tenant_id, hook))) is not None
        }


class MeteredWebhooks(WebhooksWrapper):
    """Records every call's latency (failed ones too: a timeout is latency) and failure reason."""

    def __init__(
        self,
        inner: RetailerWebhooks,
        stats: StatsStore | None = None,
        *,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        super().__init__(inner)
        self.stats: StatsStore = stats or InMemoryStats()
        self._clock = clock

    async def _around(self, tenant: Tenant, webhook: Webhook, call: Callable[[], Awaitable[_T]]) -> _T:
        started = self._clock()
        reason: str | None = None
        try:
            return await call()
        except WebhookFailure as failure:
            reason = failure.reason
            raise
        finally:
            await self._record(tenant.id, webhook, (self._clock() - started) * 1000, reason)

    async def _record(self, tenant_id: str, webhook: Webhook, latency_ms: float, reason: str | None) -> None:
        try:
            await self.stats.record(tenant_id, webhook, latency_ms, reason)
        except Exception:  # noqa: BLE001 - counters must never fail a shopper's call
            _log.warning("could not record webhook stats of tenant %s", tenant_id, exc_info=True)

    async def snapshot(self, tenant_id: str) -> dict[str, Any]:
        """Counters of one tenant, by webhook."""
        return await self.stats.snapshot(tenant_id)
