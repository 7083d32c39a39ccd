"""The agent loop driving a real HTTP adapter: streamed tool calls run, results go back, routing holds."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tests.adapters.http.test_openai import delta, finish, split_call, text_answer, usage
from tests.adapters.http.wire import API_KEY, Answer, openai_frames
from vizochok.adapters.llm.openai import OpenAILLM
from vizochok.testing import build_world

if TYPE_CHECKING:
    from tests.adapters.http.wire import Recorded, WireServer


async def test_a_turn_with_a_tool_call_over_the_wire(wire: WireServer) -> None:
    def model(request: Recorded) -> Answer:
        if not any(m["role"] == "tool" for m in request.body["messages"]):
            pieces = split_call(0, "call_s", "search_products", {"query": "молоко"})
            return Answer(
                frames=openai_frames(
                    *(delta(tool_calls=[p]) for p in pieces), finish("tool_calls"), usage(100, 20)
                )
            )
        return text_answer("Знайшов ", "молоко.")

    wire.rule = model
    world = await build_world()
    llm = OpenAILLM(f"{wire.base_url}/v1", API_KEY)
    world.chat._agent._llm_for = lambda _tenant: llm
    await world.open()
    frames = await world.say("знайди молоко")
    await llm.aclose()

    assert "".join(f["delta"] for f in frames if f["type"] == "text_delta") == "Знайшов молоко."
    assert wire.models() == ["big", "small"]  # smart routing: complex model first, then the fast one
    second: list[dict[str, Any]] = wire.requests[1].body["messages"]
    assert second[-2]["tool_calls"][0]["id"] == "call_s"
    assert second[-1]["role"] == "tool"
    assert second[-1]["tool_call_id"] == "call_s"
    assert "milk" in json.dumps(json.loads(second[-1]["content"]))  # the search ran and its hits went back
    assert "search_products" in {t["function"]["name"] for t in wire.requests[0].body["tools"]}
    state = await world.state()
    assert state.tokens_used == 100 + 20 + 12 + 3
