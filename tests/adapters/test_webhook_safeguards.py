"""Circuit breaker, concurrency cap and counters around a hand-written fake retailer client."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from vizochok.adapters.webhook.breaker import CircuitBreakerWebhooks
from vizochok.adapters.webhook.limits import ConcurrencyLimitedWebhooks
from vizochok.adapters.webhook.metrics import InMemoryStats, MeteredWebhooks
from vizochok.adapters.webhook.stack import build_webhook_stack, webhook_client
from vizochok.core.models import CartItem, CartOperation, CartResult, LivePrice, Tenant
from vizochok.core.webhooks.signing import WebhookFailure
from vizochok.settings import WebhookSettings

if TYPE_CHECKING:
    from collections.abc import Sequence

pytestmark = pytest.mark.asyncio

SHOP = Tenant(id="tnt_a", name="A", store_id="s")
OTHER = Tenant(id="tnt_b", name="B", store_id="s")
ADD = CartOperation(action="add", sku="milk-1", quantity=1)


class FakeRetailer:
    """The `RetailerWebhooks` port, answering from `outcomes` (an exception or "ok"), optionally held at a gate."""

    def __init__(self) -> None:
        self.outcomes: list[str] = []
        self.calls = 0
        self.gate: asyncio.Event | None = None
        self.clock_step = 0.0

    async def _next(self) -> None:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if outcome != "ok":
            raise WebhookFailure(outcome)  # type: ignore[arg-type]

    async def fetch_prices(self, tenant: Tenant, store_id: str, skus: Sequence[str]) -> dict[str, LivePrice]:
        await self._next()
        return {s: LivePrice(sku=s, price=1.0, in_stock=True) for s in skus}

    async def cart_operation(
        self, tenant: Tenant, store_id: str, session_id: str, operation: CartOperation
    ) -> CartResult:
        try:
            await self._next()
        except WebhookFailure as failure:
            return CartResult(ok=False, reason=failure.reason)
        return CartResult(ok=True)

    async def get_cart(self, tenant: Tenant, store_id: str, session_id: str) -> list[CartItem]:
        await self._next()
        return []


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_breaker_opens_after_threshold_skips_then_half_opens() -> None:
    inner, clock = FakeRetailer(), Clock()
    breaker = CircuitBreakerWebhooks(inner, threshold=3, cooldown_seconds=30, clock=clock)
    inner.outcomes = ["webhook_timeout", "webhook_error", "webhook_error"]
    for _ in range(3):
        with pytest.raises(WebhookFailure):
            await breaker.fetch_prices(SHOP, "s", ["a"])
    assert breaker.state(SHOP.id)["state"] == "open"
    # Open: the retailer is not called, and the cart answer is the documented failure.
    with pytest.raises(WebhookFailure, match="circuit open"):
        await breaker.fetch_prices(SHOP, "s", ["a"])
    assert await breaker.cart_operation(SHOP, "s", "u", ADD) == CartResult(ok=False, reason="webhook_error")
    assert inner.calls == 3
    assert breaker.state(SHOP.id)["skipped_calls"] == 2
    assert breaker.state(OTHER.id)["state"] == "closed"  # per tenant
    assert set(await breaker.fetch_prices(OTHER, "s", ["a"])) == {"a"}

    clock.now += 30
    assert breaker.state(SHOP.id)["state"] == "half_open"
    inner.outcomes = ["webhook_error"]  # the trial fails: open again for a full cool-down
    with pytest.raises(WebhookFailure):
        await breaker.fetch_prices(SHOP, "s", ["a"])
    assert breaker.state(SHOP.id) | {"retry_in_seconds": None} == {
        "state": "open", "consecutive_failures": 4, "threshold": 3, "retry_in_seconds": None,
        "times_opened": 2, "skipped_calls": 2,
    }  # fmt: skip
    clock.now += 30
    assert (await breaker.cart_operation(SHOP, "s", "u", ADD)).ok is True  # the trial succeeds: closed
    assert breaker.state(SHOP.id)["state"] == "closed"
    assert breaker.state(SHOP.id)["consecutive_failures"] == 0


async def test_breaker_counts_cart_failures_but_not_retailer_refusals() -> None:
    inner = FakeRetailer()
    breaker = CircuitBreakerWebhooks(inner, threshold=2, cooldown_seconds=30)
    refusal = CartResult(ok=False, reason="out_of_stock")

    async def refuse(*_: object) -> CartResult:
        inner.calls += 1
        return refusal

    inner.cart_operation = refuse  # type: ignore[method-assign]
    for _ in range(3):
        assert await breaker.cart_operation(SHOP, "s", "u", ADD) == refusal
    assert breaker.state(SHOP.id)["state"] == "closed"
    inner2 = FakeRetailer()
    inner2.outcomes = ["webhook_timeout", "webhook_timeout"]
    breaker2 = CircuitBreakerWebhooks(inner2, threshold=2, cooldown_seconds=30)
    for _ in range(2):
        assert await breaker2.cart_operation(SHOP, "s", "u", ADD) == CartResult(
            ok=False, reason="webhook_timeout"
        )
    assert breaker2.state(SHOP.id)["state"] == "open"


async def test_only_one_trial_call_while_half_open() -> None:
    inner, clock = FakeRetailer(), Clock()
    breaker = CircuitBreakerWebhooks(inner, threshold=1, cooldown_seconds=5, clock=clock)
    inner.outcomes = ["webhook_error"]
    with pytest.raises(WebhookFailure):
        await breaker.get_cart(SHOP, "s", "u")
    clock.now += 5
    inner.gate = asyncio.Event()
    trial = asyncio.create_task(breaker.get_cart(SHOP, "s", "u"))
    await asyncio.sleep(0)
    with pytest.raises(WebhookFailure, match="circuit open"):
        await breaker.get_cart(SHOP, "s", "u")
    inner.gate.set()
    assert await trial == []
    assert inner.calls == 2


async def test_concurrency_cap_per_tenant() -> None:
    inner = FakeRetailer()
    inner.gate = asyncio.Event()
    limited = ConcurrencyLimitedWebhooks(inner, limit=2, wait_seconds=0.05)
    running = [asyncio.create_task(limited.fetch_prices(SHOP, "s", [str(i)])) for i in range(2)]
    await asyncio.sleep(0.01)
    assert limited.in_flight(SHOP.id) == 2
    with pytest.raises(WebhookFailure, match="more than 2 calls in flight") as caught:
        await limited.fetch_prices(SHOP, "s", ["x"])
    assert caught.value.reason == "webhook_error"
    assert await limited.cart_operation(SHOP, "s", "u", ADD) == CartResult(ok=False, reason="webhook_error")
    other = asyncio.create_task(limited.fetch_prices(OTHER, "s", ["y"]))  # another tenant is not held up
    await asyncio.sleep(0.01)
    assert limited.in_flight(OTHER.id) == 1
    inner.gate.set()
    await asyncio.gather(*running, other)
    assert limited.state(SHOP.id) == {"limit": 2, "in_flight": 0, "rejected": 2}
    assert inner.calls == 3


async def test_metrics_count_calls_failures_and_latency() -> None:
    inner, clock = FakeRetailer(), Clock()
    metered = MeteredWebhooks(inner, InMemoryStats(window=3), clock=clock)

    async def slow(*_: object) -> dict[str, LivePrice]:
        clock.now += 0.040
        inner.calls += 1
        if inner.outcomes:
            raise WebhookFailure(inner.outcomes.pop(0))  # type: ignore[arg-type]
        return {}

    inner.fetch_prices = slow  # type: ignore[method-assign]
    inner.outcomes = ["webhook_timeout"]
    for _ in range(4):
        try:
            await metered.fetch_prices(SHOP, "s", ["a"])
        except WebhookFailure:
            pass
    inner.outcomes = ["webhook_error"]
    assert await metered.cart_operation(SHOP, "s", "u", ADD) == CartResult(ok=False, reason="webhook_error")
    stats = await metered.snapshot(SHOP.id)
    assert stats["products"] == {
        "calls": 4, "failures": 1, "failures_by_reason": {"webhook_timeout": 1},
        "latency_ms": {"p50": 40.0, "p95": 40.0, "max": 40.0, "samples": 3},
    }  # fmt: skip
    assert stats["cart"]["failures_by_reason"] == {"webhook_error": 1}
    assert await metered.snapshot(OTHER.id) == {}


class BrokenStats:
    scope = "broken"

    async def record(self, *_: object) -> None:
        raise ConnectionError("valkey is down")

    async def snapshot(self, tenant_id: str) -> dict[str, object]:
        return {}


async def test_a_broken_stats_store_never_fails_a_call() -> None:
    metered = MeteredWebhooks(FakeRetailer(), BrokenStats())
    assert set(await metered.fetch_prices(SHOP, "s", ["a"])) == {"a"}
    assert (await metered.cart_operation(SHOP, "s", "u", ADD)).ok is True


async def test_the_stack_reports_state_through_one_object() -> None:
    settings = WebhookSettings(allow_private_hosts=True, breaker_failure_threshold=1)
    async with webhook_client(settings) as client:
        stack = build_webhook_stack(client, settings)
        # No URL configured: a failure without any network, which still counts.
        with pytest.raises(WebhookFailure):
            await stack.client.fetch_prices(SHOP, "s", ["a"])
        status = await stack.status(SHOP.id)
        assert status["circuit"]["state"] == "open"
        assert status["webhooks"]["products"]["failures_by_reason"] == {"webhook_error": 1}
        assert status["concurrency"] == {"limit": 20, "in_flight": 0, "rejected": 0}
        await stack.reset(SHOP.id)
        assert (await stack.status(SHOP.id))["circuit"]["state"] == "closed"


async def test_the_guard_is_on_unless_the_environment_lifts_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from vizochok.adapters.webhook.guard import GuardedTransport
    from vizochok.settings import get_settings

    monkeypatch.delenv("VIZOCHOK_WEBHOOKS__ALLOW_PRIVATE_HOSTS", raising=False)
    production = get_settings().webhooks
    assert production.allow_private_hosts is False
    async with webhook_client(production) as client:
        assert isinstance(client._transport, GuardedTransport)
    monkeypatch.setenv("VIZOCHOK_WEBHOOKS__ALLOW_PRIVATE_HOSTS", "true")
    development = get_settings().webhooks
    assert development.allow_private_hosts is True
    async with webhook_client(development) as client:
        assert not isinstance(client._transport, GuardedTransport)
