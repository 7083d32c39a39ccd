"""The webhook client as the process uses it: one pooled httpx client, SSRF-guarded, wrapped in safeguards."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from vizochok.adapters.webhook.breaker import CircuitBreakerWebhooks
from vizochok.adapters.webhook.guard import GuardedTransport, Resolver, system_resolver
from vizochok.adapters.webhook.httpx import HttpxRetailerWebhooks
from vizochok.adapters.webhook.limits import ConcurrencyLimitedWebhooks
from vizochok.adapters.webhook.metrics import InMemoryStats, MeteredWebhooks, StatsStore
from vizochok.adapters.webhook.pool import LinearPoolTransport

if TYPE_CHECKING:
    import ssl
    from collections.abc import AsyncIterator, Sequence

    from vizochok.core.models import Tenant
    from vizochok.core.webhooks.signing import WebhookTestReport
    from vizochok.settings import WebhookSettings

# Both transports run on `LinearConnectionPool` (pool.py): httpcore's own pool costs time quadratic in
# its connections per request, and closes idle ones as soon as more than the keep-alive limit are open.
_LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=50)


def webhook_client(
    settings: WebhookSettings, *, resolver: Resolver = system_resolver, verify: ssl.SSLContext | bool = True
) -> httpx.AsyncClient:
    """The pooled client. Without `allow_private_hosts` every connection goes through the SSRF guard."""
    # The choice of transport is the only place the setting acts: the guard is a layer, not a branch inside it.
    transport = (
        LinearPoolTransport(verify=verify, limits=_LIMITS)
        if settings.allow_private_hosts
        else GuardedTransport(resolver=resolver, verify=verify, limits=_LIMITS)
    )
    return httpx.AsyncClient(
        transport=transport,
        follow_redirects=False,
        headers={"User-Agent": "vizochok-webhooks/1"},
        trust_env=False,
    )


async def open_webhook_client(settings: WebhookSettings) -> AsyncIterator[httpx.AsyncClient]:
    """One client per process, closed at shutdown (a container `Resource`)."""
    client = webhook_client(settings)
    yield client
    await client.aclose()


@dataclass
class WebhookStack:
    """The outermost client (`RetailerWebhooks`) and the layers whose state the admin API shows."""

    client: CircuitBreakerWebhooks
    http: HttpxRetailerWebhooks
    breaker: CircuitBreakerWebhooks
    metrics: MeteredWebhooks
    limiter: ConcurrencyLimitedWebhooks

    async def status(self, tenant_id: str) -> dict[str, Any]:
        """Circuit, concurrency and counters of one tenant (`WebhookHealth` port)."""
        return {
            "circuit": self.breaker.state(tenant_id),
            "concurrency": self.limiter.state(tenant_id),
            "webhooks": await self.metrics.snapshot(tenant_id),
            # Who shares each part: the breaker and the cap are per worker, the counters may be shared.
            "scope": {"circuit": "process", "concurrency": "process", "webhooks": self.metrics.stats.scope},
        }

    async def reset(self, tenant_id: str) -> None:
        """Close the tenant's circuit (its settings changed)."""
        self.breaker.reset(tenant_id)

    async def probe(self, tenant: Tenant, skus: Sequence[str]) -> WebhookTestReport:
        """The admin test, straight to the retailer: not skipped by an open circuit (`WebhookProbe` port)."""
        return await self.http.probe(tenant, skus)


def build_webhook_stack(
    client: httpx.AsyncClient, settings: WebhookSettings, stats: StatsStore | None = None
) -> WebhookStack:
    """Breaker outside metrics (skipped calls are not latency), metrics outside the cap (waiting is latency).

    `stats` defaults to counters of this process; the container passes `ValkeyStats` to share them.
    """
    http = HttpxRetailerWebhooks(client, settings)
    limiter = ConcurrencyLimitedWebhooks(
        http, limit=settings.max_concurrent_per_tenant, wait_seconds=settings.concurrency_wait_seconds
    )
    metrics = MeteredWebhooks(limiter, stats or InMemoryStats(settings.latency_window))
    breaker = CircuitBreakerWebhooks(
        metrics,
        threshold=settings.breaker_failure_threshold,
        cooldown_seconds=settings.breaker_cooldown_seconds,
    )
    return WebhookStack(client=breaker, http=http, breaker=breaker, metrics=metrics, limiter=limiter)
