"""The walking skeleton end to end: a real socket, the real agent loop, the demo retailer as webhook target."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
import websockets

from tests.helpers import ChatClient, ThreadedServer, text_of, types


async def connect(
    server: ThreadedServer, demo: dict[str, Any], user: str
) -> tuple[ChatClient, list[dict[str, Any]]]:
    return await ChatClient.connect(server.ws_url, demo["apiKey"], store_id=demo["storeId"], user_id=user)


async def test_milk_becomes_cards_with_live_prices(demo_server: ThreadedServer, demo: dict[str, Any]) -> None:
    client, handshake = await connect(demo_server, demo, "shopper-milk")
    assert handshake[0] == {"type": "auth_ok"}
    assert handshake[1]["type"] == "conversation_started"
    assert handshake[1]["conversation_id"].startswith("conv_")

    frames = await client.say("покажи молоко")
    await client.close()

    assert types(frames) == ["status", "text_delta", "text_end", "product_cards", "response_complete"]
    cards = next(f for f in frames if f["type"] == "product_cards")["items"]
    assert cards, "no product cards"
    assert all("молоко" in c["name"].lower() for c in cards[:3])
    retailer = demo["retailer"].products
    for card in cards:
        live = retailer[card["sku"]]
        assert card["price"] == live["price"]  # from the products webhook of this turn
        assert card["promo_price"] == live.get("promo_price")
        assert card["in_stock"] is True and live["stock"] > 0
        assert list(card) == ["sku", "name", "brand", "price", "promo_price", "promo_label", "image_url", "unit",
                              "quantity_step", "min_quantity", "in_stock"]  # fmt: skip
    assert frames[-1] == {"type": "response_complete", "conversation_id": handshake[1]["conversation_id"]}
    assert "молоко" in text_of(frames)


async def test_add_goes_through_the_cart_webhook(demo_server: ThreadedServer, demo: dict[str, Any]) -> None:
    client, _ = await connect(demo_server, demo, "shopper-add")
    frames = await client.say("додай два молока Галичина 2,5%")  # a broad «два молока» would be a question
    changed = [f for f in frames if f["type"] == "cart_changed"]
    assert len(changed) == 1
    event = changed[0]
    assert event["action"] == "item_selected"
    assert event["quantity"] == 2
    assert event["items"][0]["sku"] == event["sku"]
    live = demo["retailer"].products[event["sku"]]
    assert event["price"] == live["price"]
    effective = live.get("promo_price") or live["price"]
    assert event["total"] == pytest.approx(2 * effective)
    # The retailer holds the same cart: the platform changed it only through the webhook.
    assert demo["retailer"].carts[(demo["storeId"], "shopper-add")] == {event["sku"]: 2}
    assert types(frames)[-3:] == ["text_end", "cart_changed", "response_complete"]

    # A card's Add button acts directly, without the model.
    again = await client.turn({"type": "action", "action": "add_to_cart", "sku": event["sku"], "quantity": 1})
    assert [f["quantity"] for f in again if f["type"] == "cart_changed"] == [3]
    await client.close()


async def test_session_is_restored_on_reconnect(demo_server: ThreadedServer, demo: dict[str, Any]) -> None:
    client, handshake = await connect(demo_server, demo, "shopper-restore")
    conversation = handshake[1]["conversation_id"]
    await client.say("додай хліб Київхліб Український")
    await client.close()

    again, frames = await ChatClient.connect(
        demo_server.ws_url,
        demo["apiKey"],
        store_id=demo["storeId"],
        user_id="shopper-restore",
        conversation_id=conversation,
    )
    assert frames[1]["type"] == "session_restored"
    assert frames[1]["conversation_id"] == conversation
    assert len(frames[1]["selected_items"]) == 1
    assert frames[1]["pending_tool"] is None
    await again.close()

    # Another user naming the same conversation gets a new one.
    other, frames = await ChatClient.connect(
        demo_server.ws_url,
        demo["apiKey"],
        store_id=demo["storeId"],
        user_id="intruder",
        conversation_id=conversation,
    )
    assert frames[1]["type"] == "conversation_started"
    assert frames[1]["conversation_id"] != conversation
    await other.close()


async def test_new_conversation_is_seeded_from_the_cart_get_webhook(
    demo_server: ThreadedServer, demo: dict[str, Any]
) -> None:
    sku = next(s for s, p in demo["retailer"].products.items() if p["stock"] > 5)
    demo["retailer"].carts[(demo["storeId"], "shopper-seeded")] = {sku: 2}
    client, _ = await connect(demo_server, demo, "shopper-seeded")
    frames = await client.say("що в кошику?")
    await client.close()
    assert "2" in text_of(frames)
    assert demo["retailer"].names[sku] in text_of(frames)


async def test_bad_key_is_refused_with_4003(demo_server: ThreadedServer) -> None:
    async with websockets.connect(demo_server.ws_url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": "pk_live_nope"}))
        assert json.loads(await ws.recv()) == {"type": "error", "code": "invalid_api_key"}
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4003


async def test_no_auth_closes_with_4001(demo_server: ThreadedServer) -> None:
    async with websockets.connect(demo_server.ws_url) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4001


async def test_bad_frames_get_codes_and_the_socket_stays_open(
    demo_server: ThreadedServer, demo: dict[str, Any]
) -> None:
    client, _ = await connect(demo_server, demo, "shopper-bad")
    await client.ws.send("{not json")
    assert await client.recv() == {"type": "error", "code": "invalid_json"}
    await client.ws.send(b"\x00binary")
    assert await client.recv() == {"type": "error", "code": "invalid_json"}
    await client.send({"type": "message", "text": "x" * 70_000})
    assert await client.recv() == {"type": "error", "code": "message_too_large", "max_size": 65536}
    await client.send({"type": "ping"})
    assert await client.recv() == {"type": "pong"}
    await client.close()


async def test_the_page_and_health(demo_server: ThreadedServer, demo: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=demo_server.base_url) as http:
        page = await http.get("/")
        assert page.status_code == 200
        assert demo["apiKey"] in page.text
        assert "sk_" not in page.text
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        assert (await http.get("/readyz")).json() == {"status": "ready"}
        assert (await http.get("/schema/openapi.json")).status_code == 200
