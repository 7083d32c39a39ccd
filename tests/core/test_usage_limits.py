"""Tiers 1–3 of vizochok-docs §5 on in-memory adapters: codes, extras, order, resets and tenant overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tests.core.world import build_world
from vizochok.adapters.llm.fake import Reply
from vizochok.adapters.usage.memory import InMemoryUsageLimiter
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.usage.limits import Limits
from vizochok.core.usage.service import UsageGate

pytestmark = pytest.mark.asyncio


def today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


async def refused(world, text: str = "ще") -> VizochokError:  # type: ignore[no-untyped-def]
    with pytest.raises(VizochokError) as caught:
        await world.say(text)
    return caught.value


async def test_user_message_limit_carries_the_limit_and_stops_the_model() -> None:
    limiter = InMemoryUsageLimiter()
    world = await build_world(limits=Limits(user_messages_per_day=2), limiter=limiter)
    await world.open("u1")
    await world.say("привіт")
    await world.say("молоко")
    calls = len(world.llm.requests)
    error = await refused(world)
    assert (error.code, error.extra) == (ErrorCode.USER_MESSAGE_LIMIT, {"limit": 2})
    assert len(world.llm.requests) == calls
    assert limiter.counters[f"usage:tnt_a:u1:{today()}:msgs"] == 2
    # Another user of the same tenant is not affected.
    await world.open("u2")
    assert (await world.say("привіт"))[-1]["type"] == "response_complete"


async def test_a_conversation_counts_with_its_first_message_not_on_connect() -> None:
    limiter = InMemoryUsageLimiter()
    world = await build_world(limits=Limits(user_conversations_per_day=1), limiter=limiter)
    conn = await world.open("u1")
    for _ in range(3):  # sockets that never speak do not use up the day
        await world.chat.open(conn, None)
    first = conn.conversation_id
    await world.say("привіт")
    await world.say("ще раз")  # the same conversation: still one
    assert limiter.counters[f"usage:tnt_a:u1:{today()}:convs"] == 1
    await world.chat.open(conn, None)
    error = await refused(world)
    assert (error.code, error.extra) == (ErrorCode.USER_CONVERSATION_LIMIT, {"limit": 1})
    # Restoring the conversation already counted carries on.
    await world.chat.open(conn, first)
    assert conn.conversation_id == first
    assert (await world.say("далі"))[-1]["type"] == "response_complete"


async def test_a_conversation_started_on_another_socket_counts_once_when_it_is_first_used() -> None:
    limiter = InMemoryUsageLimiter()
    world = await build_world(limiter=limiter)
    first = await world.open("u1")
    silent = first.conversation_id
    again = await world.open("u1")  # a new socket of the same shopper restores the silent conversation
    await world.chat.open(again, silent)
    await world.say("привіт")
    await world.chat.open(again, silent)  # restoring it once more, after it was used
    await world.say("ще")
    assert limiter.counters[f"usage:tnt_a:u1:{today()}:convs"] == 1
    assert limiter.counters[f"usage:tnt_a:u1:{today()}:msgs"] == 2


async def test_tenant_tokens_are_recorded_after_a_turn_and_checked_before_the_next() -> None:
    limiter = InMemoryUsageLimiter()
    replies = [Reply(text="так", prompt_tokens=10, completion_tokens=5) for _ in range(3)]
    world = await build_world(*replies, limits=Limits(tenant_tokens_per_day=20), limiter=limiter)
    await world.open()
    await world.say("раз")
    assert limiter.counters[f"usage:tnt_a:tokens:{today()}"] == 15
    await world.say("два")  # 15 < 20: admitted, and the budget may overshoot by one turn
    assert limiter.counters[f"usage:tnt_a:tokens:{today()}"] == 30
    assert limiter.counters[f"usage:tnt_a:tokens:{today()[:7]}"] == 30
    error = await refused(world)
    assert (error.code, error.extra) == (ErrorCode.TENANT_DAILY_TOKEN_LIMIT, {})


async def test_monthly_budget() -> None:
    limiter = InMemoryUsageLimiter()
    world = await build_world(limits=Limits(tenant_tokens_per_month=10), limiter=limiter)
    await world.open()
    await world.say("раз")
    assert (await refused(world)).code == ErrorCode.TENANT_MONTHLY_TOKEN_LIMIT


async def test_tier_two_answers_before_tier_three() -> None:
    limiter = InMemoryUsageLimiter()
    world = await build_world(
        limits=Limits(user_messages_per_day=1, tenant_tokens_per_day=1), limiter=limiter
    )
    await world.open()
    await world.say("раз")
    assert (await refused(world)).code == ErrorCode.USER_MESSAGE_LIMIT


async def test_card_actions_do_not_count_but_quick_replies_do() -> None:
    limiter = InMemoryUsageLimiter()
    world = await build_world(limits=Limits(user_messages_per_day=1), limiter=limiter)
    await world.open()
    await world.say("раз")
    frames = await world.act({"action": "add_to_cart", "sku": "milk-1"})
    assert frames[-1]["type"] == "response_complete"
    with pytest.raises(VizochokError) as caught:
        await world.act({"action": "quick_reply", "value": "Так"})
    assert caught.value.code == ErrorCode.USER_MESSAGE_LIMIT


async def test_tenant_overrides_the_defaults() -> None:
    world = await build_world(limiter=InMemoryUsageLimiter())
    world.tenant.limits = {
        "user_messages_per_day": 1
    }  # the tenant's own setting, as the admin panel stores it
    await world.open()
    await world.say("раз")
    error = await refused(world)
    assert error.extra == {"limit": 1}


async def test_counters_reset_at_midnight_utc() -> None:
    limiter = InMemoryUsageLimiter()
    world = await build_world(limits=Limits(user_messages_per_day=1), limiter=limiter)
    kyiv = timezone(timedelta(hours=2))
    clock = [datetime(2026, 3, 1, 23, 59, tzinfo=UTC)]
    world.chat.usage = UsageGate(limiter, clock=lambda: clock[0])
    await world.open()
    await world.say("раз")
    clock[0] = datetime(2026, 3, 2, 1, 30, tzinfo=kyiv)  # already 2 March in Kyiv, still 1 March in UTC
    assert (await refused(world)).code == ErrorCode.USER_MESSAGE_LIMIT
    clock[0] = datetime(2026, 3, 2, 0, 0, 1, tzinfo=UTC)
    assert (await world.say("два"))[-1]["type"] == "response_complete"
    assert limiter.counters["usage:tnt_a:u1:2026-03-02:msgs"] == 1


async def test_socket_window_refuses_with_retry_after() -> None:
    world = await build_world(
        limits=Limits(socket_messages_per_window=2, socket_window_seconds=60), limiter=InMemoryUsageLimiter()
    )
    conn = await world.open()
    await world.chat.check_window(conn)
    await world.chat.check_window(conn)
    with pytest.raises(VizochokError) as caught:
        await world.chat.check_window(conn)
    assert caught.value.code == ErrorCode.RATE_LIMIT_EXCEEDED
    assert caught.value.extra == {"retry_after": 60}
