"""Every failure mode of the webhook client against a real local server, with its documented outcome."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import pytest

from tests.adapters.http.retailer_server import ScriptedRetailer, Server, drip, reply, stream
from tests.helpers import free_port
from vizochok.adapters.webhook.httpx import HttpxRetailerWebhooks
from vizochok.adapters.webhook.stack import webhook_client
from vizochok.core.models import CartOperation, Tenant, WebhookConfig
from vizochok.core.webhooks.signing import IDEMPOTENCY_HEADER, WebhookFailure
from vizochok.settings import WebhookSettings
from vizochok.webhook_signature import verify_request

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

pytestmark = pytest.mark.asyncio

SECRET = "s3cret-for-tests-only-0123456789"
TIMEOUT = 0.3
DELAY = 0.05
PRODUCTS = {"products": [{"sku": "milk-1", "price": 45.9, "in_stock": True},
                         {"sku": "milk-2", "price": 52.0, "in_stock": True, "promo_price": 42.0, "promo_label": "-19%"}]}  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[Server, ScriptedRetailer]]:
    app = ScriptedRetailer()
    with Server(app) as running:
        yield running, app


@pytest.fixture
def retailer(server: tuple[Server, ScriptedRetailer]) -> ScriptedRetailer:
    server[1].reset()
    return server[1]


@pytest.fixture
def tenant(server: tuple[Server, ScriptedRetailer]) -> Tenant:
    base = server[0].base_url
    return tenant_for(base)


def tenant_for(base: str, timeout: float = TIMEOUT) -> Tenant:
    hooks = WebhookConfig(products_url=f"{base}/products", cart_url=f"{base}/cart", cart_get_url=f"{base}/cart/items",
                          timeout_seconds=timeout, secret=SECRET)  # fmt: skip
    return Tenant(id="tnt_test", name="Test", store_id="store-1", webhooks=hooks)


def settings(**overrides: Any) -> WebhookSettings:
    return WebhookSettings(**{"allow_private_hosts": True, "retry_delay_seconds": DELAY, **overrides})


@pytest.fixture
async def hooks() -> AsyncIterator[HttpxRetailerWebhooks]:
    config = settings(max_response_bytes=4096)
    async with webhook_client(config) as client:
        yield HttpxRetailerWebhooks(client, config)


async def failure_of(call: Any) -> tuple[WebhookFailure, float]:
    started = time.perf_counter()
    with pytest.raises(WebhookFailure) as caught:
        await call
    return caught.value, time.perf_counter() - started


async def test_products_in_one_signed_batch(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer
) -> None:
    retailer.then(
        reply(200, {"products": [*PRODUCTS["products"], {"sku": "not-asked", "price": 1, "in_stock": True}]})
    )
    prices = await hooks.fetch_prices(tenant, "store-1", ["milk-1", "milk-2", "milk-3"])
    assert set(prices) == {"milk-1", "milk-2"}  # milk-3 missing → unavailable; not-asked → dropped
    assert prices["milk-2"].promo_price == 42.0
    [request] = retailer.received
    assert json.loads(request.body) == {"skus": ["milk-1", "milk-2", "milk-3"], "store_id": "store-1"}
    assert verify_request(SECRET, request.body, request.headers)
    assert not verify_request("another-secret-entirely", request.body, request.headers)
    assert request.headers["content-type"] == "application/json"


async def test_timeout_is_retried_once_then_webhook_timeout(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer
) -> None:
    retailer.default = reply(200, PRODUCTS, delay=2)
    try:
        failure, elapsed = await failure_of(hooks.fetch_prices(tenant, "store-1", ["milk-1"]))
    finally:
        retailer.default = reply(200, {"products": []})
    assert failure.reason == "webhook_timeout"
    assert len(retailer.received) == 2
    assert 2 * TIMEOUT <= elapsed < 1.9  # two deadlines and the pause; an answer would take 2 s


async def test_5xx_once_then_success(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer
) -> None:
    retailer.then(reply(503), reply(200, PRODUCTS))
    prices = await hooks.fetch_prices(tenant, "store-1", ["milk-1"])
    assert prices["milk-1"].price == 45.9
    assert len(retailer.received) == 2
    assert all(verify_request(SECRET, r.body, r.headers) for r in retailer.received)


async def test_5xx_twice_is_webhook_error(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer
) -> None:
    retailer.then(reply(500), reply(502), reply(200, PRODUCTS))
    failure, _ = await failure_of(hooks.fetch_prices(tenant, "store-1", ["milk-1"]))
    assert failure.reason == "webhook_error"
    assert len(retailer.received) == 2  # exactly one retry


async def test_4xx_is_not_retried(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer
) -> None:
    retailer.then(reply(401, {"error": "invalid signature"}), reply(200, PRODUCTS))
    failure, _ = await failure_of(hooks.fetch_prices(tenant, "store-1", ["milk-1"]))
    assert failure.reason == "webhook_error"
    assert "401" in failure.detail
    assert len(retailer.received) == 1


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b'{"products": [{"sku": "milk-1", "in_stock": true}]}', b'{"products": "none"}', b"[]"],
    ids=["bad-json", "price-missing", "wrong-type", "not-an-object"],
)
async def test_malformed_answer_is_webhook_error(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer, raw: bytes
) -> None:
    retailer.then(reply(200, raw=raw))
    failure, _ = await failure_of(hooks.fetch_prices(tenant, "store-1", ["milk-1"]))
    assert failure.reason == "webhook_error"
    assert len(retailer.received) == 1


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_oversized_answer_is_webhook_error(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer, chunked: bool
) -> None:
    big = {"products": [{"sku": f"sku-{i}", "price": 1.0, "in_stock": True} for i in range(200)]}
    retailer.then(stream(50_000, 1024) if chunked else reply(200, big))
    failure, _ = await failure_of(hooks.fetch_prices(tenant, "store-1", ["sku-1"]))
    assert failure.reason == "webhook_error"
    assert "larger than 4096 bytes" in failure.detail


async def test_redirect_is_not_followed(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer
) -> None:
    retailer.then(reply(307, headers={"location": "/elsewhere"}), reply(200, PRODUCTS))
    failure, _ = await failure_of(hooks.fetch_prices(tenant, "store-1", ["milk-1"]))
    assert failure.reason == "webhook_error"
    assert [r.path for r in retailer.received] == ["/products"]


async def test_slow_dripping_answer_hits_the_overall_deadline(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer
) -> None:
    # Each byte arrives well within any per-read timeout; only a deadline for the whole call stops it.
    retailer.then(drip(20, 0.05), drip(20, 0.05))
    failure, elapsed = await failure_of(hooks.fetch_prices(tenant, "store-1", ["milk-1"]))
    assert failure.reason == "webhook_timeout"
    assert elapsed < 1.9  # two deadlines and the pause; unbounded, the drip would end in success after 1 s


async def test_slow_answer_within_the_timeout_is_fine(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer
) -> None:
    retailer.then(reply(200, PRODUCTS, delay=TIMEOUT / 3))
    assert set(await hooks.fetch_prices(tenant, "store-1", ["milk-1"])) == {"milk-1"}
    assert len(retailer.received) == 1


async def test_refused_connection_is_retried_once() -> None:
    config = settings(retry_delay_seconds=0.2)
    tenant = tenant_for(f"http://127.0.0.1:{free_port()}")
    async with webhook_client(config) as client:
        hooks = HttpxRetailerWebhooks(client, config)
        failure, elapsed = await failure_of(hooks.fetch_prices(tenant, "store-1", ["milk-1"]))
    assert failure.reason == "webhook_error"
    assert "connection failed" in failure.detail
    assert elapsed >= 0.2  # the retry waited its delay


async def test_cart_retry_carries_the_same_idempotency_key(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer
) -> None:
    retailer.then(reply(500), reply(200, {"ok": True}))
    operation = CartOperation(action="add", sku="milk-1", name="Молоко", quantity=2, price=45.9)
    result = await hooks.cart_operation(tenant, "store-1", "user-1", operation)
    assert result.ok is True
    first, second = retailer.received
    assert first.headers[IDEMPOTENCY_HEADER.lower()] == second.headers[IDEMPOTENCY_HEADER.lower()]
    assert len(first.headers[IDEMPOTENCY_HEADER.lower()]) == 32
    assert json.loads(first.body) == {"action": "add", "store_id": "store-1", "session_id": "user-1", "sku": "milk-1",
                                      "name": "Молоко", "quantity": 2, "price": 45.9}  # fmt: skip
    retailer.then(reply(200, {"ok": True}))
    other = await hooks.cart_operation(tenant, "store-1", "user-1", operation)
    assert other.ok is True
    assert (
        retailer.received[2].headers[IDEMPOTENCY_HEADER.lower()] != first.headers[IDEMPOTENCY_HEADER.lower()]
    )


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ([reply(200, {"ok": False, "reason": "max_3_per_customer"})], "max_3_per_customer"),
        ([reply(500), reply(500)], "webhook_error"),
        ([reply(404)], "webhook_error"),
        ([reply(200, raw=b"ok")], "webhook_error"),
        ([reply(200, {"ok": True}, delay=1), reply(200, {"ok": True}, delay=1)], "webhook_timeout"),
    ],
    ids=["retailer-refuses", "5xx-twice", "4xx", "malformed", "timeout"],
)
async def test_cart_failures_come_back_as_ok_false(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer, script: list[Any], reason: str
) -> None:
    retailer.then(*script)
    result = await hooks.cart_operation(
        tenant, "store-1", "user-1", CartOperation(action="remove", sku="milk-1")
    )
    assert (result.ok, result.reason) == (False, reason)


async def test_cart_get_is_signed_over_an_empty_body(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer
) -> None:
    retailer.then(
        reply(
            200, {"items": [{"sku": "bread-01", "name": "Хліб", "price": 32.0, "quantity": 1, "unit": "pcs"}]}
        )
    )
    items = await hooks.get_cart(tenant, "store-1", "user-1")
    assert [(i.sku, i.quantity) for i in items] == [("bread-01", 1)]
    [request] = retailer.received
    assert (request.method, request.path, request.body) == ("GET", "/cart/items", b"")
    assert request.query == "store_id=store-1&session_id=user-1"
    assert verify_request(SECRET, b"", request.headers)


async def test_probe_reports_status_latency_and_schema_problems(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer
) -> None:
    retailer.then(reply(200, PRODUCTS))
    good = await hooks.probe(tenant, ["milk-1", "milk-2"])
    assert (good.ok, good.status, good.problems, good.error) == (True, 200, [], None)
    assert good.latency_ms > 0
    retailer.then(
        reply(
            200,
            {
                "products": [
                    {"sku": "milk-1", "price": "cheap", "in_stock": True},
                    {"sku": "x", "price": 1, "in_stock": True},
                ]
            },
        )
    )
    bad = await hooks.probe(tenant, ["milk-1"])
    assert bad.ok is False and bad.status == 200
    assert bad.problems == [
        "products.0.price: Input should be a valid number, unable to parse string as a number"
    ]
    retailer.then(reply(503), reply(200, PRODUCTS))
    down = await hooks.probe(tenant, ["milk-1"])
    assert (down.ok, down.status, down.error) == (False, 503, "webhook_error")
    assert len(retailer.received) == 3  # the test never retries


async def test_failures_are_logged_without_secrets(
    hooks: HttpxRetailerWebhooks, tenant: Tenant, retailer: ScriptedRetailer, caplog: pytest.LogCaptureFixture
) -> None:
    retailer.then(reply(401), reply(500), reply(500), reply(200, raw=b"nope"))
    with caplog.at_level("DEBUG"):
        for _ in range(3):
            with pytest.raises(WebhookFailure):
                await hooks.fetch_prices(tenant, "store-1", ["milk-1"])
    signatures = [r.headers["x-vizochok-signature"].removeprefix("sha256=") for r in retailer.received]
    assert len(signatures) == 4
    assert "HTTP 401" in caplog.text and "HTTP 500" in caplog.text and "schema" in caplog.text
    assert tenant.id in caplog.text
    assert SECRET not in caplog.text
    assert not any(s in caplog.text for s in signatures)
