"""Shopper identity verification over a real socket: a forged `user_id` never reads or changes a customer's cart."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from tests.helpers import ChatClient, ThreadedServer, text_of
from vizochok.core.identity import sign_token, user_hash


def _stocked(demo: dict[str, Any]) -> str:
    sku: str = next(s for s, p in demo["retailer"].products.items() if p["stock"] > 5)
    return sku


async def test_a_forged_signature_cannot_read_or_clear_a_customers_cart(
    demo_server: ThreadedServer, demo: dict[str, Any]
) -> None:
    retailer, store, secret = demo["retailer"], demo["storeId"], demo["_identity_secret"]
    victim, sku = f"cust-{secrets.token_hex(4)}", _stocked(demo)
    retailer.carts[(store, victim)] = {sku: 2}

    # The customer, signed by the retailer's backend, sees the cart and can restore the conversation.
    owner, hello = await ChatClient.connect(
        demo_server.ws_url,
        demo["apiKey"],
        store_id=store,
        user_id=victim,
        user_hash=user_hash(secret, victim),
    )
    assert hello[0] == {"type": "auth_ok", "identity": "verified"}
    conversation = hello[1]["conversation_id"]
    assert retailer.names[sku] in text_of(await owner.say("що в кошику?"))
    await owner.close()

    # Someone with the public key, the customer id and even the conversation id, but no valid signature.
    for forged in (
        {"user_hash": "0" * 64},
        {"user_hash": user_hash("guessed", victim)},
        {"user_token": sign_token("guessed", victim)},
    ):
        intruder, hello = await ChatClient.connect(
            demo_server.ws_url,
            demo["apiKey"],
            store_id=store,
            user_id=victim,
            conversation_id=conversation,
            **forged,
        )
        assert hello[0]["identity"] == "anonymous"
        assert hello[0]["user_id"].startswith("anon_")
        assert hello[0]["user_id"] != victim
        assert hello[1]["type"] == "conversation_started"  # never session_restored
        assert hello[1]["conversation_id"] != conversation
        assert retailer.names[sku] not in text_of(await intruder.say("що в кошику?"))
        await intruder.say("очисти кошик")
        await intruder.turn({"type": "action", "action": "remove_from_cart", "sku": sku})
        await intruder.close()
        assert retailer.carts[(store, victim)] == {sku: 2}

    # A token signed with the tenant's secret works as well as a hash.
    again, hello = await ChatClient.connect(
        demo_server.ws_url,
        demo["apiKey"],
        store_id=store,
        user_token=sign_token(secret, victim, 300),
        conversation_id=conversation,
    )
    assert hello[0] == {"type": "auth_ok", "identity": "verified"}
    assert hello[1]["type"] == "session_restored"
    assert [i["sku"] for i in hello[1]["selected_items"]] == [sku]
    await again.close()


async def test_a_tenant_that_requires_signatures_treats_unsigned_ids_as_guests(
    demo_server: ThreadedServer, demo: dict[str, Any], make_tenant: Any
) -> None:
    retailer = demo["retailer"]
    base = f"{demo_server.base_url}/demo-retailer"
    tenant = await make_tenant(
        webhooks={
            "secret": retailer.secret,
            "products_url": f"{base}/products",
            "cart_url": f"{base}/cart",
            "cart_get_url": f"{base}/cart/items",
        }
    )
    async with httpx.AsyncClient(
        base_url=demo_server.base_url, headers={"Authorization": f"Bearer {tenant['sk']}"}
    ) as api:
        assert (await api.get("/api/v1/admin/identity")).json() == {
            "configured": False,
            "required": False,
            "secrets_valid": 0,
        }
        made = await api.post("/api/v1/admin/identity/secret", json={"overlap_seconds": 0})
        assert made.status_code == 201
        secret = made.json()["identity_secret"]
        assert len(secret) >= 32
        assert (
            await api.patch("/api/v1/admin/settings", json={"identity_required": True})
        ).status_code == 200
        status = (await api.get("/api/v1/admin/identity")).json()
        assert status == {"configured": True, "required": True, "secrets_valid": 1}
        settings = (await api.get("/api/v1/admin/settings")).text
        assert secret not in settings  # shown once, never again
        bad = await api.post("/api/v1/admin/identity/secret", json={"overlap_seconds": -1})
        assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")

    victim, sku = f"cust-{secrets.token_hex(4)}", _stocked(demo)
    retailer.carts[(tenant["store_id"], victim)] = {sku: 2}
    intruder, hello = await ChatClient.connect(demo_server.ws_url, tenant["pk"], user_id=victim)
    assert hello[0]["identity"] == "anonymous"
    assert hello[0]["user_id"] != victim
    frames = await intruder.turn({"type": "action", "action": "remove_from_cart", "sku": sku})
    assert not [f for f in frames if f["type"] == "cart_changed"]
    await intruder.close()
    assert retailer.carts[(tenant["store_id"], victim)] == {sku: 2}

    # The widget's own random guest id is still accepted as is (its conversation restores on reload).
    guest_id = f"vz_{secrets.token_hex(16)}"
    guest, hello = await ChatClient.connect(demo_server.ws_url, tenant["pk"], user_id=guest_id)
    assert hello[0] == {"type": "auth_ok"}
    await guest.close()
    guest, again = await ChatClient.connect(
        demo_server.ws_url, tenant["pk"], user_id=guest_id, conversation_id=hello[1]["conversation_id"]
    )
    assert again[1]["type"] == "session_restored"
    await guest.close()

    # The signed customer acts on the cart.
    owner, hello = await ChatClient.connect(
        demo_server.ws_url, tenant["pk"], user_id=victim, user_hash=user_hash(secret, victim)
    )
    assert hello[0] == {"type": "auth_ok", "identity": "verified"}
    frames = await owner.turn({"type": "action", "action": "remove_from_cart", "sku": sku})
    assert [f["action"] for f in frames if f["type"] == "cart_changed"] == ["item_removed"]
    await owner.close()
    assert retailer.carts[(tenant["store_id"], victim)] == {}


async def test_the_demo_page_signs_its_customer_and_never_shows_the_secret(
    demo_server: ThreadedServer, demo: dict[str, Any]
) -> None:
    async with httpx.AsyncClient(base_url=demo_server.base_url) as http:
        page = await http.get("/")
        again = await http.get("/")  # the same browser: the same customer
    customer = page.cookies["demo_customer"]
    assert demo["_identity_secret"] not in page.text
    assert "_identity_secret" not in page.text
    assert f'"userId": "{customer}"' in page.text
    assert f'"userHash": "{user_hash(demo["_identity_secret"], customer)}"' in page.text
    assert f'"userId": "{customer}"' in again.text
    client, hello = await ChatClient.connect(
        demo_server.ws_url,
        demo["apiKey"],
        user_id=customer,
        user_hash=user_hash(demo["_identity_secret"], customer),
    )
    assert hello[0] == {"type": "auth_ok", "identity": "verified"}
    await client.close()
