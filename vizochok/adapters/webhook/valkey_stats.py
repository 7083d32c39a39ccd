"""Webhook counters in Valkey, shared by every worker and kept across restarts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vizochok.adapters.valkey_client import tenant_tag
from vizochok.adapters.webhook.metrics import WEBHOOKS, summarize

if TYPE_CHECKING:
    from valkey.asyncio import Valkey

    from vizochok.adapters.webhook._base import Webhook

_IDLE_TTL_SECONDS = 30 * 24 * 3600
"""Counters of a tenant whose webhooks nobody called for a month are dropped."""


def stats_key(tenant_id: str, webhook: str) -> str:
    """Hash of `calls` and `fail:<reason>` counts; the tenant is part of every key."""
    return f"webhookstats:{tenant_tag(tenant_id)}:{webhook}"


def latency_key(tenant_id: str, webhook: str) -> str:
    """List of recent latencies in milliseconds, newest first."""
    return f"webhooklat:{tenant_tag(tenant_id)}:{webhook}"


class ValkeyStats:
    """One pipelined round trip per call: HINCRBY the counts, LPUSH and LTRIM the latencies."""

    scope = "valkey"

    def __init__(self, client: Valkey, window: int = 200) -> None:
        self._client = client
        self._window = window

    async def record(self, tenant_id: str, webhook: Webhook, latency_ms: float, reason: str | None) -> None:
        """Count the call and keep its latency among the last `window` of every worker."""
        counts, latencies = stats_key(tenant_id, webhook), latency_key(tenant_id, webhook)
        async with self._client.pipeline(transaction=False) as pipe:
            pipe.hincrby(counts, "calls", 1)
            if reason is not None:
                pipe.hincrby(counts, f"fail:{reason}", 1)
            pipe.lpush(latencies, f"{latency_ms:.1f}")
            pipe.ltrim(latencies, 0, self._window - 1)
            pipe.expire(counts, _IDLE_TTL_SECONDS)
            pipe.expire(latencies, _IDLE_TTL_SECONDS)
            await pipe.execute()

    async def snapshot(self, tenant_id: str) -> dict[str, Any]:
        """Counters of one tenant, by webhook."""
        async with self._client.pipeline(transaction=False) as pipe:
            for hook in WEBHOOKS:
                pipe.hgetall(stats_key(tenant_id, hook))
                pipe.lrange(latency_key(tenant_id, hook), 0, -1)
            answers = await pipe.execute()
        view: dict[str, Any] = {}
        for index, hook in enumerate(WEBHOOKS):
            counts, latencies = answers[2 * index], answers[2 * index + 1]
            if not counts:
                continue
            failures = {k.removeprefix("fail:"): int(v) for k, v in counts.items() if k.startswith("fail:")}
            view[hook] = summarize(int(counts.get("calls", 0)), failures, (float(x) for x in latencies))
        return view
