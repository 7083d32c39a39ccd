"""What the shopper sees when the retailer's backend fails, end to end: a real socket, the demo server,
and the demo tenant's webhooks pointed for one test at a misbehaving local server.

The selection (and the retailer's own cart) never changes without `ok:true`.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.adapters.http.retailer_server import ScriptedRetailer, Server, drip, reply, stream
from tests.helpers import ChatClient, ThreadedServer, free_port, text_of
from vizochok.webhook_signature import sign

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from vizochok.adapters.db.tenants import PostgresTenantRepository
    from vizochok.bootstrap import Prepared

pytestmark = pytest.mark.asyncio

TIMEOUT = 0.3
NOT_CONFIRMED = "магазин не підтвердив зміну"
NO_ANSWER = "магазин не відповів вчасно"
BREAD = "bread-kyivkhlib-pshenychnyi-500"


@pytest.fixture(scope="module")
def failing() -> Iterator[tuple[Server, ScriptedRetailer]]:
    app = ScriptedRetailer()
    with Server(app) as server:
        yield server, app


@pytest.fixture
def demo_tenant(prepared: Prepared, demo: dict[str, Any]) -> dict[str, str]:
    return json.loads((prepared.settings.data_dir / "demo-tenant.json").read_text())  # type: ignore[no-any-return]


@pytest.fixture
async def cart_url_at(
    demo_tenant: dict[str, str], tenant_repo: PostgresTenantRepository
) -> AsyncIterator[Any]:
    """Point the demo tenant's cart webhook elsewhere for one test; put it back afterwards."""
    tenant = await tenant_repo.get(demo_tenant["tenant_id"])
    assert tenant is not None
    original = tenant.webhooks

    async def point(url: str) -> None:
        await tenant_repo.update_webhooks(tenant.id, cart_url=url, timeout_seconds=TIMEOUT)

    yield point
    await tenant_repo.update_webhooks(
        tenant.id, cart_url=original.cart_url, timeout_seconds=original.timeout_seconds
    )


MODES = {
    "timeout": ([reply(200, {"ok": True}, delay=2)] * 2, 2, NO_ANSWER),
    "slow-drip": ([drip(40, 0.05)] * 2, 2, NO_ANSWER),
    "5xx-twice": ([reply(500), reply(503)], 2, NOT_CONFIRMED),
    "4xx": ([reply(400, {"error": "bad"})], 1, NOT_CONFIRMED),
    "malformed": ([reply(200, raw=b"<html>ok</html>")], 1, NOT_CONFIRMED),
    "oversized": ([stream(1_200_000)], 1, NOT_CONFIRMED),
    "redirect": ([reply(302, headers={"location": "https://elsewhere.example/cart"})], 1, NOT_CONFIRMED),
    "refused": ([], 0, NOT_CONFIRMED),
}


@pytest.mark.parametrize("mode", MODES)
async def test_failed_cart_call_leaves_the_selection_alone(
    mode: str, demo_server: ThreadedServer, demo: dict[str, Any], demo_tenant: dict[str, str],
    failing: tuple[Server, ScriptedRetailer], cart_url_at: Any,
) -> None:  # fmt: skip
    server, app = failing
    app.reset()
    script, expected_calls, shopper_sees = MODES[mode]
    user = f"shopper-fail-{mode}"
    sku = BREAD
    # The conversation starts from the retailer's cart (cart GET still works); the cart POST is broken.
    demo["retailer"].carts[(demo["storeId"], user)] = {sku: 1}
    await cart_url_at(
        f"http://127.0.0.1:{free_port()}/cart" if mode == "refused" else f"{server.base_url}/cart"
    )
    client, handshake = await ChatClient.connect(
        demo_server.ws_url, demo["apiKey"], store_id=demo["storeId"], user_id=user
    )
    app.then(*script)
    started = time.perf_counter()
    frames = await client.say("прибери хліб")
    elapsed = time.perf_counter() - started
    await client.close()

    assert [f for f in frames if f["type"] == "cart_changed"] == []
    assert shopper_sees in text_of(frames)
    assert frames[-1]["type"] == "response_complete"
    assert len(app.received) == expected_calls
    assert (
        elapsed < 2 * TIMEOUT + 1.5
    )  # a broken backend costs the shopper at most two timeouts and the pause
    assert demo["retailer"].carts[(demo["storeId"], user)] == {sku: 1}
    again, restored = await ChatClient.connect(
        demo_server.ws_url, demo["apiKey"], store_id=demo["storeId"], user_id=user,
        conversation_id=handshake[1]["conversation_id"],
    )  # fmt: skip
    await again.close()
    assert [i["sku"] for i in restored[1]["selected_items"]] == [sku]

    # The admin API shows the failure in the tenant's counters.
    async with httpx.AsyncClient(base_url=demo_server.base_url) as http:
        status = (
            await http.get(
                "/api/v1/admin/webhooks/status",
                headers={"Authorization": f"Bearer {demo_tenant['secret_key']}"},
            )
        ).json()
    assert status["webhooks"]["cart"]["failures"] >= 1
    assert status["circuit"]["state"] == "closed"  # products calls in between keep succeeding


async def test_reference_backend_refuses_bad_signatures(
    demo_server: ThreadedServer, demo: dict[str, Any]
) -> None:
    retailer = demo["retailer"]
    body = json.dumps({"skus": ["x"], "store_id": demo["storeId"]}).encode()
    cart = json.dumps({"action": "clear", "store_id": demo["storeId"], "session_id": "victim"}).encode()
    retailer.carts[(demo["storeId"], "victim")] = {"bread": 1.0}
    stale = int(time.time()) - 600
    cases = {
        "unsigned": {},
        "wrong secret": sign("not-the-secret-at-all", body),
        "stale": sign(retailer.secret, body, timestamp=stale),
        "future": sign(retailer.secret, body, timestamp=int(time.time()) + 600),
        "body changed": sign(retailer.secret, body + b" "),
        "bad format": {"X-VIZOCHOK-Signature": "md5=abc", "X-VIZOCHOK-Timestamp": "now"},
    }
    async with httpx.AsyncClient(base_url=f"{demo_server.base_url}/demo-retailer") as http:
        for name, headers in cases.items():
            answer = await http.post(
                "/products", content=body, headers={"Content-Type": "application/json", **headers}
            )
            assert (answer.status_code, answer.json()) == (
                401,
                {"ok": False, "reason": "invalid_signature"},
            ), name
        refused = await http.post("/cart", content=cart, headers=sign("not-the-secret-at-all", cart))
        assert refused.status_code == 401
        assert retailer.carts[(demo["storeId"], "victim")] == {"bread": 1.0}
        assert (await http.get("/cart/items", params={"store_id": demo["storeId"], "session_id": "victim"},
                               headers=sign("not-the-secret-at-all", b""))).status_code == 401  # fmt: skip
        good = await http.post(
            "/products", content=body, headers=sign(retailer.secret, body, timestamp=int(time.time()) - 120)
        )
        assert (good.status_code, good.json()) == (200, {"products": []})


async def test_shopper_sees_no_prices_when_the_secrets_disagree(
    demo_server: ThreadedServer, demo: dict[str, Any]
) -> None:
    retailer = demo["retailer"]
    secret, retailer.secret = retailer.secret, "rotated-on-the-retailer-side-only"
    try:
        client, _ = await ChatClient.connect(
            demo_server.ws_url, demo["apiKey"], store_id=demo["storeId"], user_id="shopper-sig"
        )
        frames = await client.say("додай молоко")
        await client.close()
    finally:
        retailer.secret = secret
    assert not [f for f in frames if f["type"] in ("product_cards", "cart_changed")]
    assert (demo["storeId"], "shopper-sig") not in retailer.carts
    assert "ціни" in text_of(frames).lower() or "price" in text_of(frames).lower()
