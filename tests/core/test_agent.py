"""The agent loop with a scripted model: grounding, routing, limits and the retailer's word."""

from __future__ import annotations

import pytest

from tests.core.world import build_world
from tests.helpers import types
from vizochok.adapters.llm.fake import Reply
from vizochok.core.usage.limits import Limits


def search(query: str) -> Reply:
    return Reply(calls=[("search_products", {"query": query})])


async def test_search_then_cards_use_the_retailers_prices() -> None:
    world = await build_world(
        search("молоко"),
        Reply(calls=[("show_products", {"skus": ["milk-1", "milk-2"]})]),
        Reply(text="Ось молоко"),
    )
    await world.open()
    frames = await world.say("молоко")
    assert types(frames) == ["status", "text_delta", "text_end", "product_cards", "response_complete"]
    cards = {c["sku"]: c for c in frames[-2]["items"]}
    assert cards["milk-1"]["price"] == 52.9 and cards["milk-1"]["promo_price"] == 44.9
    assert cards["milk-2"]["price"] == 55.0
    # The model saw live prices in the search result, and the retailer was asked once.
    assert [s for s in world.webhooks.sent if s[0] == "products"] == [
        ("products", {"skus": world.webhooks.sent[0][1]["skus"], "store_id": "store-a"})
    ]


async def test_model_routing_complex_first_then_fast() -> None:
    world = await build_world(search("хліб"), Reply(text="Є хліб"), Reply(text="Ще щось?"))
    await world.open()
    await world.say("хліб")
    await world.say("дякую")
    assert [r.model for r in world.llm.requests] == ["big", "small", "small"]
    assert {t.name for t in world.llm.requests[0].tools} >= {
        "search_products",
        "add_to_selection",
        "show_products",
    }


async def test_unknown_sku_is_refused_and_the_cart_is_untouched() -> None:
    world = await build_world(
        Reply(calls=[("add_to_selection", {"sku": "milk-1", "quantity": 1})]), Reply(text="Вибачте")
    )
    await world.open()
    frames = await world.say("додай молоко")
    assert "cart_changed" not in types(frames)
    assert not [s for s in world.webhooks.sent if s[0] == "cart"]
    tool_message = world.llm.requests[1].messages[-1]
    assert tool_message.role == "tool" and "unknown sku" in tool_message.content
    assert (await world.state()).selection == []


async def test_add_changes_the_selection_only_when_the_retailer_says_yes() -> None:
    world = await build_world(
        search("кефір"), Reply(calls=[("add_to_selection", {"sku": "kefir-1", "quantity": 1})]), Reply(text="Немає"),
        search("молоко"), Reply(calls=[("add_to_selection", {"sku": "milk-1", "quantity": 2})]), Reply(text="Додав"),
    )  # fmt: skip
    await world.open()
    # kefir is out of stock: search hides it, so the model may not use it.
    frames = await world.say("додай кефір")
    assert "cart_changed" not in types(frames)
    frames = await world.say("додай молоко")
    changed = [f for f in frames if f["type"] == "cart_changed"]
    assert changed[0]["quantity"] == 2 and changed[0]["total"] == pytest.approx(89.8)
    assert [i.sku for i in (await world.state()).selection] == ["milk-1"]


async def test_a_refusal_reaches_the_model_with_its_reason() -> None:
    world = await build_world(
        search("хліб"),
        Reply(calls=[("add_to_selection", {"sku": "bread-1", "quantity": 5})]),
        Reply(text="Забагато"),
    )
    await world.open()
    frames = await world.say("додай 5 хлібів")
    assert "cart_changed" not in types(frames)
    assert '"reason": "quantity_exceeded"' in world.llm.requests[-1].messages[-1].content
    assert (await world.state()).selection == []


async def test_quantities_follow_unit_minimum_and_step() -> None:
    world = await build_world(
        search("картопля"),
        Reply(calls=[("add_to_selection", {"sku": "potato", "quantity": 0.25})]),
        Reply(calls=[("add_to_selection", {"sku": "potato", "quantity": 1.55})]),
        Reply(calls=[("add_to_selection", {"sku": "potato", "quantity": 1.5})]),
        Reply(text="Готово"),
    )
    await world.open()
    frames = await world.say("картопля")
    results = [m.content for m in world.llm.requests[-1].messages if m.role == "tool"]
    assert "minimum quantity is 0.5 kg" in results[1]
    assert "multiple of 0.1 kg" in results[2]
    assert [f["quantity"] for f in frames if f["type"] == "cart_changed"] == [1.5]


async def test_round_limit() -> None:
    world = await build_world(*[search("молоко") for _ in range(5)], limits=Limits(max_rounds=3))
    await world.open()
    frames = await world.say("молоко")
    assert frames[-2] == {"type": "error", "code": "max_rounds_exceeded"}
    assert frames[-1]["type"] == "response_complete"
    assert len(world.llm.requests) == 3


async def test_disabled_tools_are_hidden_and_refused() -> None:
    world = await build_world(
        Reply(calls=[("clear_selection", {})]), Reply(text="ok"), disabled_tools=["clear_selection"]
    )
    await world.open()
    await world.say("очисти")
    assert "clear_selection" not in {t.name for t in world.llm.requests[0].tools}
    assert "not available" in world.llm.requests[1].messages[-1].content
    assert not [s for s in world.webhooks.sent if s[0] == "cart"]


async def test_invalid_arguments_go_back_to_the_model() -> None:
    world = await build_world(Reply(calls=[("search_products", {"q": "x"})]), Reply(text="ok"))
    await world.open()
    await world.say("x")
    assert "invalid arguments" in world.llm.requests[1].messages[-1].content


async def test_prices_unavailable_shows_nothing() -> None:
    world = await build_world(
        search("молоко"),
        Reply(calls=[("show_products", {"skus": ["milk-1"]})]),
        Reply(text="Ціни недоступні"),
    )
    await world.open()
    world.webhooks.fail_with = "webhook_timeout"
    frames = await world.say("молоко")
    assert "product_cards" not in types(frames)
    assert "prices_unavailable" in world.llm.requests[1].messages[-1].content


async def test_text_before_tools_keeps_the_frame_order() -> None:
    world = await build_world(
        Reply(text="Шукаю", calls=[("search_products", {"query": "молоко"})]),
        Reply(calls=[("show_products", {"skus": ["milk-1"]})]),
        Reply(text="Ось"),
    )
    await world.open()
    frames = await world.say("молоко")
    assert types(frames) == ["status", "text_delta", "text_end", "product_cards", "response_complete"]


async def test_every_turn_is_logged() -> None:
    world = await build_world(search("молоко"), Reply(text="Ось"))
    conn = await world.open()
    await world.say("молоко")
    kinds = [e.kind for e in await world.log.entries(world.tenant.id, conn.conversation_id)]
    assert kinds[0] == "user_message"
    assert {"assistant_message", "tool_call", "tool_result", "frame"} <= set(kinds)
    assert kinds[-1] == "frame"
