"""The in-memory webhooks and the HTTP client agree, given the same reference retailer (so the fake cannot drift)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from litestar import Litestar

from tests.adapters.http.retailer_server import Server
from vizochok.adapters.webhook.httpx import HttpxRetailerWebhooks
from vizochok.adapters.webhook.memory import InMemoryRetailerWebhooks
from vizochok.adapters.webhook.stack import webhook_client
from vizochok.core.models import CartOperation, Tenant, WebhookConfig
from vizochok.demo.retailer import DemoRetailer
from vizochok.settings import WebhookSettings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from vizochok.core.ports import RetailerWebhooks

pytestmark = pytest.mark.asyncio

SECRET = "contract-secret-0123456789"
PRODUCTS: dict[str, dict[str, Any]] = {
    "milk": {"price": 52.9, "stock": 3, "promo_price": 44.96, "promo_label": "-15%"},
    "kefir": {"price": 51.9, "stock": 0},
    "bread": {"price": 32.0, "stock": 10},
}


def store() -> DemoRetailer:
    return DemoRetailer(
        products={k: dict(v) for k, v in PRODUCTS.items()}, names={"milk": "Молоко"}, secret=SECRET
    )


@pytest.fixture(params=["memory", "http"])
async def pair(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[RetailerWebhooks, Tenant, DemoRetailer]]:
    retailer = store()
    if request.param == "memory":
        yield InMemoryRetailerWebhooks(retailer), Tenant(id="t", name="T", store_id="s"), retailer
        return
    settings = WebhookSettings(allow_private_hosts=True, retry_delay_seconds=0.01)
    with Server(Litestar(route_handlers=[retailer.router()])) as server:
        base = f"{server.base_url}/demo-retailer"
        hooks = WebhookConfig(products_url=f"{base}/products", cart_url=f"{base}/cart",
                              cart_get_url=f"{base}/cart/items", secret=SECRET, timeout_seconds=2)  # fmt: skip
        async with webhook_client(settings) as client:
            yield (
                HttpxRetailerWebhooks(client, settings),
                Tenant(id="t", name="T", store_id="s", webhooks=hooks),
                retailer,
            )


async def test_same_answers(pair: tuple[RetailerWebhooks, Tenant, DemoRetailer]) -> None:
    webhooks, tenant, retailer = pair
    prices = await webhooks.fetch_prices(tenant, "s", ["milk", "kefir", "unknown"])
    assert {k: (v.price, v.in_stock, v.promo_price, v.promo_label) for k, v in prices.items()} == {
        "milk": (52.9, True, 44.96, "-15%"), "kefir": (51.9, False, None, None),
    }  # fmt: skip

    async def cart(**op: Any) -> tuple[bool, str | None]:
        result = await webhooks.cart_operation(tenant, "s", "u1", CartOperation(**op))
        return result.ok, result.reason

    assert await cart(action="add", sku="milk", name="Молоко", quantity=2, price=52.9) == (True, None)
    assert await cart(action="add", sku="milk", quantity=2) == (False, "quantity_exceeded")
    assert await cart(action="add", sku="kefir") == (False, "out_of_stock")
    assert await cart(action="add", sku="nope") == (False, "product_not_found")
    assert await cart(action="remove", sku="bread") == (False, "not_in_cart")
    assert await cart(action="update_quantity", sku="milk", quantity=3) == (True, None)
    assert [(i.sku, i.name, i.quantity) for i in await webhooks.get_cart(tenant, "s", "u1")] == [
        ("milk", "Молоко", 3)
    ]
    assert await cart(action="clear") == (True, None)
    assert await webhooks.get_cart(tenant, "s", "u1") == []
    assert retailer.carts[("s", "u1")] == {}
