"""Abuse limits in the core: bounded fan-out per frame, limits a tenant may set."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.world import World, demo_world
from vizochok.core.errors import VizochokError
from vizochok.core.usage.limits import LIMIT_RANGES, Limits, check_overrides


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
    frames = await world.act(
        {"action": "checklist_submit", "skus": [shown[0]] * 2727 + shown[:2] + ["not-on-the-list"] * 50}
    )
    assert _cart_calls(world) - before == 2  # shown[0] once, shown[1] once; nothing off the list
    assert [f["sku"] for f in frames if f["type"] == "cart_changed"] == shown[:2]


async def test_a_checklist_submit_without_a_pending_checklist_sends_nothing(world: World) -> None:
    cards: list[dict[str, Any]] = [
        c for f in await world.say("покажи молоко") if f["type"] == "product_cards" for c in f["items"]
    ]
    before = _cart_calls(world)
    frames = await world.act({"action": "checklist_submit", "skus": [cards[0]["sku"]] * 2727})
    assert _cart_calls(world) == before
    assert not [f for f in frames if f["type"] == "cart_changed"]
    assert frames[-1]["type"] == "response_complete"


def test_every_limit_has_a_range() -> None:
    assert set(LIMIT_RANGES) == set(Limits.model_fields)


@pytest.mark.parametrize(
    ("limits", "code"),
    [
        ({"max_frame_bytes": "abc"}, "validation_error"),
        ({"max_frame_bytes": True}, "validation_error"),
        ({"max_frame_bytes": 65536.5}, "validation_error"),
        ({"max_frame_bytes": 10**9}, "validation_error"),
        ({"turn_timeout_seconds": float("nan")}, "validation_error"),
        ({"no_such_limit": 1}, "validation_error"),
        ({"tenant_tokens_per_month": 10**15}, "forbidden"),
        ({"user_messages_per_day": 201}, "forbidden"),
    ],
)
def test_limits_a_tenant_sets_are_checked_and_bounded_by_its_plan(limits: dict[str, Any], code: str) -> None:
    with pytest.raises(VizochokError) as refused:
        check_overrides(limits, Limits())
    assert refused.value.code == code
    assert refused.value.extra["field"].startswith("limits.")


def test_operators_may_exceed_the_plan_within_range_and_stricter_values_are_always_fine() -> None:
    assert check_overrides({"tenant_tokens_per_month": 10**15}, None) == {"tenant_tokens_per_month": 10**15}
    assert check_overrides({"user_messages_per_day": 20, "socket_window_seconds": 600}, Limits()) == {
        "user_messages_per_day": 20, "socket_window_seconds": 600,
    }  # fmt: skip
    # A value an operator granted may be saved again unchanged by an editor.
    assert check_overrides({"user_messages_per_day": 5000}, Limits(), {"user_messages_per_day": 5000}) == {
        "user_messages_per_day": 5000
    }


def test_a_bad_value_stored_before_the_check_does_not_break_the_tenant() -> None:
    limits = Limits().for_tenant({"max_frame_bytes": "abc", "user_messages_per_day": 7})
    assert limits.max_frame_bytes == Limits().max_frame_bytes
    assert limits.user_messages_per_day == 7
