"""What small local servers (llama.cpp's, Ollama) send, over a socket: calls written as text, `max_tokens`.

The server speaks Chat Completions as llama.cpp's does when the model's template has no tool
support, or when a small model ignores it: the call arrives as `content` text, in pieces.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.adapters.http.test_anthropic import ask as anthropic_ask
from tests.adapters.http.test_openai import SEARCH, ask, collect, delta, finish, text_answer, usage
from tests.adapters.http.wire import API_KEY, Answer, anthropic_frames, openai_frames
from tests.core.world import build_world
from vizochok.adapters.llm.anthropic import AnthropicLLM
from vizochok.adapters.llm.openai import OpenAILLM, max_tokens_field
from vizochok.adapters.llm.text_tools import TextToolCallsLLM
from vizochok.core.llm.messages import TextChunk, ToolCallChunk, Usage

if TYPE_CHECKING:
    from tests.adapters.http.wire import Recorded, WireServer


def written(text: str, size: int = 7) -> Answer:
    """`text` streamed as content a few characters at a time, as a local server streams tokens."""
    pieces = [text[i : i + size] for i in range(0, len(text), size)]
    return Answer(
        frames=openai_frames(
            delta(role="assistant", content=""), *(delta(content=p) for p in pieces), finish(), usage(300, 40)
        )
    )


async def test_every_request_carries_max_tokens(wire: WireServer) -> None:
    wire.script(text_answer("ok"), text_answer("ok"))
    local = OpenAILLM(f"{wire.base_url}/v1", API_KEY, max_tokens=256)
    default = OpenAILLM(f"{wire.base_url}/v1", API_KEY)
    await collect(local.stream(ask()))
    await collect(default.stream(ask()))
    await local.aclose()
    await default.aclose()
    assert [r.body.get("max_tokens") for r in wire.requests] == [256, 4096]
    assert all("max_completion_tokens" not in r.body for r in wire.requests)


async def test_anthropic_requests_carry_max_tokens_too(wire: WireServer) -> None:
    wire.script(Answer(frames=anthropic_frames(
        {"type": "message_start", "message": {"usage": {"input_tokens": 5, "output_tokens": 0}}},
        {"type": "message_stop"},
    )))  # fmt: skip
    llm = AnthropicLLM(wire.base_url, API_KEY, max_tokens=300)
    await collect(llm.stream(anthropic_ask()))
    await llm.aclose()
    assert wire.requests[0].body["max_tokens"] == 300


@pytest.mark.parametrize(
    ("base_url", "field"),
    [
        ("https://api.openai.com/v1", "max_completion_tokens"),
        ("https://shop.openai.azure.com/openai/v1", "max_completion_tokens"),
        ("http://localhost:8080/v1", "max_tokens"),  # llama.cpp
        ("http://localhost:11434/v1", "max_tokens"),  # Ollama
        ("https://openrouter.ai/api/v1", "max_tokens"),
    ],
)
def test_the_limits_field_follows_the_server(base_url: str, field: str) -> None:
    assert max_tokens_field(base_url) == field


async def test_a_call_written_as_streamed_text_becomes_a_tool_call(wire: WireServer) -> None:
    text = 'Зараз знайду. <tool_call>\n{"name": "search_products", "arguments": {"query": "молоко 2,5%"}}\n</tool_call>'
    wire.script(written(text))
    llm = OpenAILLM(f"{wire.base_url}/v1", API_KEY, max_tokens=512)
    events = await collect(TextToolCallsLLM(llm).stream(ask(tools=[SEARCH])))
    await llm.aclose()
    shown = "".join(e.delta for e in events if isinstance(e, TextChunk))
    assert shown.strip() == "Зараз знайду."
    assert [(e.call.name, e.call.arguments) for e in events if isinstance(e, ToolCallChunk)] == [
        ("search_products", {"query": "молоко 2,5%"})
    ]
    assert events[-1] == Usage(prompt_tokens=300, completion_tokens=40)
    assert wire.requests[0].body["tools"][0]["function"]["name"] == "search_products"


async def test_a_whole_turn_with_a_local_model_that_writes_calls_as_text(wire: WireServer) -> None:
    def model(request: Recorded) -> Answer:
        messages: list[dict[str, Any]] = request.body["messages"]
        if not any(m["role"] == "tool" for m in messages):
            return written('{"name": "search_products", "parameters": {"query": "молоко"}}')
        if sum(m["role"] == "tool" for m in messages) == 1:
            hits = json.loads(messages[-1]["content"])["items"]
            return written(
                f'[TOOL_CALLS][{{"name": "add_to_selection", "arguments": {{"sku": "{hits[0]["sku"]}", "quantity": 1}}}}]'
            )
        return written("Додав молоко до кошика.")

    wire.rule = model
    world = await build_world()
    llm = OpenAILLM(f"{wire.base_url}/v1", API_KEY, max_tokens=512)
    world.chat._agent._llm_for = lambda _tenant: TextToolCallsLLM(llm)
    await world.open()
    frames = await world.say("додай молоко")
    await llm.aclose()
    assert "".join(f["delta"] for f in frames if f["type"] == "text_delta") == "Додав молоко до кошика."
    state = await world.state()
    assert [i.sku for i in state.selection] == [state.selection[0].sku]
    assert state.selection[0].sku.startswith("milk-")
    # The history sent back is the native format: the written call became a real call with its result.
    second = wire.requests[1].body["messages"]
    assert second[-2]["tool_calls"][0]["function"]["name"] == "search_products"
    assert second[-1]["role"] == "tool"
    assert all(r.body["max_tokens"] == 512 for r in wire.requests)
    assert state.tokens_used == 3 * (300 + 40)


async def test_anthropic_prompt_counts_from_message_delta_when_message_start_is_missing(
    wire: WireServer,
) -> None:
    # llama.cpp's /v1/messages sometimes opens with content_block_start; newer Anthropic API
    # versions repeat the prompt counts in message_delta, which then are all a stream has.
    wire.script(Answer(frames=anthropic_frames(
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Привіт"}},
        {"type": "content_block_stop", "index": 0},
        {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 3, "input_tokens": 40, "cache_read_input_tokens": 60}},
        {"type": "message_stop"},
    )))  # fmt: skip
    llm = AnthropicLLM(wire.base_url, API_KEY)
    events = await collect(llm.stream(anthropic_ask()))
    await llm.aclose()
    assert events == [TextChunk(delta="Привіт"), Usage(prompt_tokens=100, completion_tokens=3)]


async def test_a_connection_closed_before_any_answer_is_tried_once_more(wire: WireServer) -> None:
    # llama.cpp's server closes pooled keep-alive connections after a few requests; the next
    # request on one fails with "Server disconnected without sending a response".
    import asyncio

    frames = "".join(text_answer("ok").frames).encode()
    seen: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        seen.append(len(seen))
        if len(seen) % 2 == 1:  # every other connection: hang up without a word
            writer.close()
            return
        head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"
        writer.write(head + frames)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    llm = OpenAILLM(f"http://127.0.0.1:{port}/v1")
    events = await collect(llm.stream(ask()))
    await llm.aclose()
    server.close()
    assert "".join(e.delta for e in events if isinstance(e, TextChunk)) == "ok"
    assert seen == [0, 1]
