"""Interactive frames over a real socket: a recipe checklist survives a reconnect and its submit fills the cart."""

from __future__ import annotations

from typing import Any

from tests.helpers import ChatClient, ThreadedServer, types


async def test_checklist_pending_restored_then_submitted(
    demo_server: ThreadedServer, demo: dict[str, Any]
) -> None:
    client, handshake = await ChatClient.connect(demo_server.ws_url, demo["apiKey"], user_id="cook-1")
    conversation = handshake[1]["conversation_id"]
    frames = await client.say("що треба для борщу на 6 порцій?")
    await client.close()
    assert types(frames)[-3:] == ["text_end", "ingredient_checklist", "response_complete"]
    checklist = frames[-2]
    assert checklist["servings"] == 6 and len(checklist["items"]) >= 7
    prices = demo["retailer"].products
    assert all(i["price"] == prices[i["sku"]]["price"] for i in checklist["items"])

    again, restored = await ChatClient.connect(
        demo_server.ws_url, demo["apiKey"], user_id="cook-1", conversation_id=conversation
    )
    assert restored[1]["type"] == "session_restored"
    assert restored[1]["pending_tool"] == {"tool": "show_recipe_checklist", "payload": checklist}

    chosen = [i["sku"] for i in checklist["items"][:2]]
    done = await again.turn({"type": "action", "action": "checklist_submit", "skus": chosen})
    await again.close()
    added = [f for f in done if f["type"] == "cart_changed"]
    assert [f["sku"] for f in added] == chosen
    quantities = {i["sku"]: i["quantity"] for i in checklist["items"]}
    assert [f["quantity"] for f in added] == [quantities[s] for s in chosen]
    assert demo["retailer"].carts[(demo["storeId"], "cook-1")] == {s: quantities[s] for s in chosen}
