"""Budgets, time limits, the usage ledger, pending tools, and a model that calls every tool."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.core.world import build_world
from tests.helpers import text_of, types
from vizochok.adapters.llm.fake import EveryToolLLM, Reply, example_value
from vizochok.core.agent.builtin import BUILTIN_TOOLS
from vizochok.core.llm.messages import LLMRequest, TextChunk
from vizochok.core.usage.limits import Limits


async def test_every_tool_with_valid_arguments_never_breaks_a_turn() -> None:
    world = await build_world(llm=EveryToolLLM())
    conn = await world.open()
    frames = await world.say("будь-що")
    assert frames[-1]["type"] == "response_complete"
    assert not [f for f in frames if f["type"] == "error"]
    entries = await world.log.entries(world.tenant.id, conn.conversation_id)
    assert {e.payload["name"] for e in entries if e.kind == "tool_result"} == {t.name for t in BUILTIN_TOOLS}
    # Made-up SKUs were refused by every tool that takes one: grounding holds for any valid arguments.
    assert not [
        f
        for f in frames
        if f["type"] == "product_cards" or (f["type"] == "cart_changed" and f["action"] != "cart_cleared")
    ]


@pytest.mark.parametrize("tool", BUILTIN_TOOLS, ids=lambda t: t.name)
def test_example_values_satisfy_each_tool_schema(tool: Any) -> None:
    tool.args.model_validate(example_value(tool.args.model_json_schema()))


async def test_usage_is_recorded_per_call_with_cost() -> None:
    world = await build_world(
        Reply(calls=[("search_products", {"query": "молоко"})], prompt_tokens=1000, completion_tokens=500),
        Reply(text="ok", prompt_tokens=2000, completion_tokens=10),
    )
    conn = await world.open()
    await world.say("молоко")
    records = world.usage.records
    assert [(r.model, r.prompt_tokens, r.completion_tokens) for r in records] == [
        ("big", 1000, 500),
        ("small", 2000, 10),
    ]
    assert records[0].cost == pytest.approx((1000 * 1 + 500 * 2) / 1_000_000)
    assert records[1].cost == 0  # "small" has no price in the table
    assert {r.conversation_id for r in records} == {conn.conversation_id}
    assert (await world.state()).tokens_used == 3510


async def test_token_budget_warning_then_limit() -> None:
    limits = Limits(session_token_limit=100)
    world = await build_world(
        Reply(text="перша", prompt_tokens=50, completion_tokens=35), Reply(text="друга"), limits=limits
    )
    await world.open()
    frames = await world.say("привіт")
    assert "почніть, будь ласка, нову" in text_of(frames)  # 85 of 100 tokens: past 80 %
    frames = await world.say("ще")
    assert "почніть, будь ласка, нову" in text_of(frames)
    from vizochok.core.errors import VizochokError

    with pytest.raises(VizochokError) as refused:
        await world.say("і ще")
    assert refused.value.code == "session_token_limit"


async def test_below_80_percent_no_warning() -> None:
    world = await build_world(
        Reply(text="ok", prompt_tokens=10, completion_tokens=10), limits=Limits(session_token_limit=100)
    )
    await world.open()
    assert "нову" not in text_of(await world.say("привіт"))


class SlowLLM:
    async def stream(self, request: LLMRequest) -> Any:
        yield TextChunk(delta="думаю")
        await asyncio.sleep(5)
        yield TextChunk(delta="…")


async def test_turn_timeout_is_internal_error() -> None:
    world = await build_world(llm=SlowLLM(), limits=Limits(turn_timeout_seconds=0.2))
    await world.open()
    frames = await world.say("привіт")
    assert types(frames)[-4:] == ["text_delta", "text_end", "error", "response_complete"]
    assert frames[-2] == {"type": "error", "code": "internal_error"}
    # The lock was released: the next message is not agent_busy.
    world.chat._agent._llm_for = lambda _t: EveryToolLLM()
    assert (await world.say("ще раз"))[-1]["type"] == "response_complete"


async def test_concurrent_turn_is_agent_busy() -> None:
    world = await build_world(llm=SlowLLM(), limits=Limits(turn_timeout_seconds=0.5))
    conn = await world.open()
    first = asyncio.create_task(world.say("перше"))
    await asyncio.sleep(0.05)
    from vizochok.core.errors import VizochokError

    with pytest.raises(VizochokError) as busy:
        await world.chat.message(conn, "друге", world.sink)
    assert busy.value.code == "agent_busy"
    await first


async def test_pending_tool_survives_and_a_new_message_dismisses_it() -> None:
    world = await build_world(
        Reply(calls=[("ask_user", {"question": "Яке молоко?", "options": ["2,5%", "3,2%"]})]),
        Reply(text="Гаразд, інше"),
    )
    await world.open()
    frames = await world.say("молоко")
    ask = next(f for f in frames if f["type"] == "quick_replies")
    assert ask == {
        "type": "quick_replies",
        "question": "Яке молоко?",
        "options": [{"label": "2,5%", "value": "2,5%"}, {"label": "3,2%", "value": "3,2%"}],
    }
    state = await world.state()
    assert state.pending_tool is not None and state.pending_tool.payload == ask

    # Reconnecting restores it.
    restored = await world.chat.open(world.conn, state.conversation_id)  # type: ignore[arg-type]
    assert restored.dump()["pending_tool"] == {"tool": "ask_user", "payload": ask}

    await world.say("а хліб?")
    assert (await world.state()).pending_tool is None
    tool_result = next(m for m in world.llm.requests[-1].messages if m.role == "tool")
    assert "dismissed" in tool_result.content


async def test_quick_reply_resumes_with_the_answer() -> None:
    world = await build_world(
        Reply(calls=[("ask_user", {"question": "Яке?", "options": ["a", "b"]})]),
        Reply(text="Обрано"),
    )
    await world.open()
    await world.say("молоко")
    frames = await world.act({"action": "quick_reply", "value": "b"})
    assert text_of(frames).strip() == "Обрано"
    assert world.llm.requests[-1].messages[-1].content == '{"answer": "b"}'
    assert len([m for m in world.llm.requests[-1].messages if m.role == "user"]) == 1
