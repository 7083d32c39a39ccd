"""Abuse limits in the core: bounded fan-out per frame, limits a tenant may set."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.world import World, demo_world


def _cart_calls(world: World) -> int:
    return sum(1 for kind, _ in world.webhooks.sent if kind == "cart")


@pytest.fixture
async def world() -> World:
    w = await demo_world()
    await w.open()
    return w


async def test_a_checklist_submit_repeating_a_sku_sends_one_webhook_per_checklist_item(world: World) -> None:
    checklist = next(f for f in await world.say("що треба для борщу?") if f["type"] == "ingredient_checklist")
    shown = [i["sku"] for i in checklist["items"]]
    before = _cart_calls(world)
    frames = await world.act({"action": "checklist_submit", "skus": [shown[0]] * 2727 + shown[:2] + ["not-on-the-list"] * 50})
    assert _cart_calls(world) - before == 2  # shown[0] once, shown[1] once; nothing off the list
    assert [f["sku"] for f in frames if f["type"] == "cart_changed"] == shown[:2]


async def test_a_checklist_submit_without_a_pending_checklist_sends_nothing(world: World) -> None:
    cards: list[dict[str, Any]] = [c for f in await world.say("покажи молоко") if f["type"] == "product_cards" for c in f["items"]]
    before = _cart_calls(world)
    frames = await world.act({"action": "checklist_submit", "skus": [cards[0]["sku"]] * 2727})
    assert _cart_calls(world) == before
    assert not [f for f in frames if f["type"] == "cart_changed"]
    assert frames[-1]["type"] == "response_complete"
