"""A history window cut between tool calls and results still makes a request the providers accept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.adapters.http.test_anthropic import end, start, text_block
from tests.adapters.http.test_openai import collect, text_answer
from tests.adapters.http.wire import API_KEY, Answer, anthropic_frames
from vizochok.adapters.llm.anthropic import AnthropicLLM
from vizochok.adapters.llm.openai import OpenAILLM
from vizochok.core.chat.state import ChatMessage, ToolCall
from vizochok.core.llm.messages import LLMRequest

if TYPE_CHECKING:
    from tests.adapters.http.wire import WireServer

# The window starts after the call of `call_old` (so its result is orphaned), and a turn that was cut
# short left `call_lost` without a result. Both providers reject either with HTTP 400.
WINDOW = [
    ChatMessage(role="tool", tool_call_id="call_old", name="search_products", content='{"hits": []}'),
    ChatMessage(role="assistant", content="Ось молоко."),
    ChatMessage(role="user", content="додай"),
    ChatMessage(
        role="assistant",
        tool_calls=[
            ToolCall(id="call_ok", name="add_to_selection", arguments={"sku": "m1"}),
            ToolCall(id="call_lost", name="add_to_selection", arguments={"sku": "m2"}),
        ],
    ),
    ChatMessage(role="tool", tool_call_id="call_ok", name="add_to_selection", content='{"ok": true}'),
    ChatMessage(role="user", content="дякую"),
]


async def test_openai_gets_only_paired_calls_and_results(wire: WireServer) -> None:
    wire.script(text_answer("ok"))
    llm = OpenAILLM(f"{wire.base_url}/v1", API_KEY)
    await collect(llm.stream(LLMRequest(model="m", system="", messages=WINDOW)))
    await llm.aclose()
    messages = wire.requests[0].body["messages"]
    assert [m["role"] for m in messages] == ["assistant", "user", "assistant", "tool", "user"]
    assert [c["id"] for c in messages[2]["tool_calls"]] == ["call_ok"]
    assert messages[3]["tool_call_id"] == "call_ok"


async def test_anthropic_starts_with_the_user_and_pairs_tool_blocks(wire: WireServer) -> None:
    wire.script(Answer(frames=anthropic_frames(start(), *text_block(0, "ok"), *end())))
    llm = AnthropicLLM(wire.base_url, API_KEY)
    await collect(llm.stream(LLMRequest(model="m", system="", messages=WINDOW)))
    await llm.aclose()
    messages = wire.requests[0].body["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user"]
    assert [b.get("id") for b in messages[1]["content"]] == ["call_ok"]
    assert [b["type"] for b in messages[2]["content"]] == ["tool_result", "text"]
    assert "system" not in wire.requests[0].body  # an empty system prompt is left out
