"""Webhook counters in the real (embedded) Valkey agree with the in-process ones."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import pytest

from vizochok.adapters.webhook.metrics import InMemoryStats
from vizochok.adapters.webhook.valkey_stats import ValkeyStats


@pytest.fixture
def valkey_client(any_valkey: Any) -> Any:
    """One Valkey, then a cluster: the module runs on both (tests/conftest.py: `any_valkey`)."""
    return any_valkey


if TYPE_CHECKING:
    from valkey.asyncio import Valkey

pytestmark = pytest.mark.asyncio

CALLS = [("products", 12.0, None), ("products", 30.5, "webhook_timeout"), ("products", 8.25, None),
         ("cart", 41.0, "webhook_error"), ("cart", 5.0, None), ("products", 9.0, None)]  # fmt: skip


async def test_counters_in_memory() -> None:
    await check_counters(InMemoryStats(window=3))


async def test_counters_in_valkey(valkey_client: Valkey) -> None:
    await check_counters(ValkeyStats(valkey_client, window=3))


async def check_counters(stats: InMemoryStats | ValkeyStats) -> None:
    tenant, other = f"tnt_{secrets.token_hex(4)}", f"tnt_{secrets.token_hex(4)}"
    for hook, latency, reason in CALLS:
        await stats.record(tenant, hook, latency, reason)  # type: ignore[arg-type]
    await stats.record(other, "cart_get", 1.0, None)
    assert await stats.snapshot(tenant) == {
        "products": {"calls": 4, "failures": 1, "failures_by_reason": {"webhook_timeout": 1},
                     "latency_ms": {"p50": 9.0, "p95": 30.5, "max": 30.5, "samples": 3}},
        "cart": {"calls": 2, "failures": 1, "failures_by_reason": {"webhook_error": 1},
                 "latency_ms": {"p50": 41.0, "p95": 41.0, "max": 41.0, "samples": 2}},
    }  # fmt: skip
    assert list(await stats.snapshot(other)) == ["cart_get"]


async def test_valkey_counters_are_shared_between_workers(valkey_client: Valkey) -> None:
    tenant = f"tnt_{secrets.token_hex(4)}"
    first, second = ValkeyStats(valkey_client), ValkeyStats(valkey_client)
    await first.record(tenant, "cart", 10.0, None)
    await second.record(tenant, "cart", 20.0, "webhook_error")
    assert (await first.snapshot(tenant))["cart"]["calls"] == 2
    assert 0 < await valkey_client.ttl(f"webhookstats:{{{tenant}}}:cart") <= 30 * 24 * 3600
