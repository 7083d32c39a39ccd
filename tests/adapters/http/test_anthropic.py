"""`AnthropicLLM` against a local server speaking the Messages API event stream."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.adapters.http.wire import API_KEY, FILTERED, Answer, anthropic_frames
from vizochok.adapters.llm.anthropic import API_VERSION, AnthropicLLM
from vizochok.core.chat.state import ChatMessage, ToolCall
from vizochok.core.llm.messages import (
    LLMError,
    LLMRateLimited,
    LLMRequest,
    LLMTimeout,
    TextChunk,
    ToolCallChunk,
    ToolSpec,
    Usage,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from tests.adapters.http.wire import WireServer
    from vizochok.core.llm.messages import LLMEvent

SEARCH = ToolSpec(
    name="search_products",
    description="Search.",
    parameters={"type": "object", "properties": {"query": {"type": "string"}}},
)


def ask(model: str = "claude-big", **extra: Any) -> LLMRequest:
    return LLMRequest(
        model=model,
        system="You are a grocery assistant.",
        messages=[ChatMessage(role="user", content="Привіт")],
        **extra,
    )


def start(input_tokens: int = 25, cache_read: int = 5) -> dict[str, Any]:
    usage = {"input_tokens": input_tokens, "cache_read_input_tokens": cache_read, "output_tokens": 1}
    message = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "content": [],
        "model": "claude-big",
        "usage": usage,
    }
    return {"type": "message_start", "message": message}


def text_block(index: int, *parts: str) -> list[dict[str, Any]]:
    return [
        {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}},
        *(
            {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": p}}
            for p in parts
        ),
        {"type": "content_block_stop", "index": index},
    ]


def tool_block(index: int, call_id: str, name: str, arguments: dict[str, Any]) -> list[dict[str, Any]]:
    raw = json.dumps(arguments, ensure_ascii=False)
    return [
        {
            "type": "content_block_start",
            "index": index,
            "content_block": {"type": "tool_use", "id": call_id, "name": name, "input": {}},
        },
        *(
            {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "input_json_delta", "partial_json": raw[i : i + 4]},
            }
            for i in range(0, len(raw), 4)
        ),
        {"type": "content_block_stop", "index": index},
    ]


def end(output_tokens: int = 9, reason: str = "end_turn") -> list[dict[str, Any]]:
    return [
        {
            "type": "message_delta",
            "delta": {"stop_reason": reason, "stop_sequence": None},
            "usage": {"output_tokens": output_tokens},
        },
        {"type": "message_stop"},
    ]


async def collect(stream: AsyncIterator[LLMEvent]) -> list[LLMEvent]:
    return [event async for event in stream]


@pytest.fixture
async def anthropic_llm(wire: WireServer) -> AsyncIterator[Callable[..., AnthropicLLM]]:
    """Adapters pointed at the local server, closed after the test."""
    made: list[AnthropicLLM] = []

    def make(api_key: str = API_KEY, timeout: float = 5.0) -> AnthropicLLM:
        made.append(AnthropicLLM(wire.base_url, api_key, timeout, max_tokens=512))
        return made[-1]

    yield make
    for llm in made:
        await llm.aclose()


async def test_text_streams_then_usage_with_cached_prompt_tokens(
    wire: WireServer, anthropic_llm: Callable[..., AnthropicLLM]
) -> None:
    wire.script(
        Answer(frames=anthropic_frames(start(), {"type": "ping"}, *text_block(0, "Добрий ", "день"), *end()))
    )
    events = await collect(anthropic_llm().stream(ask()))
    assert events == [
        TextChunk(delta="Добрий "),
        TextChunk(delta="день"),
        Usage(prompt_tokens=30, completion_tokens=9),
    ]
    sent = wire.requests[0]
    assert sent.path == "/v1/messages"
    assert sent.auth_ok
    assert sent.headers["x-api-key"] == FILTERED
    assert sent.headers["anthropic-version"] == API_VERSION
    assert sent.body == {
        "model": "claude-big",
        "max_tokens": 512,
        "stream": True,
        "system": "You are a grocery assistant.",
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Привіт"}]}],
    }


async def test_tool_history_becomes_content_blocks(
    wire: WireServer, anthropic_llm: Callable[..., AnthropicLLM]
) -> None:
    wire.script(Answer(frames=anthropic_frames(start(), *text_block(0, "ok"), *end())))
    history = [
        ChatMessage(role="user", content="молоко і хліб"),
        ChatMessage(
            role="assistant",
            content="Шукаю.",
            tool_calls=[
                ToolCall(id="toolu_1", name="search_products", arguments={"query": "молоко"}),
                ToolCall(id="toolu_2", name="search_products", arguments={"query": "хліб"}),
            ],
        ),
        ChatMessage(role="tool", tool_call_id="toolu_1", name="search_products", content='{"hits": 1}'),
        ChatMessage(role="tool", tool_call_id="toolu_2", name="search_products", content='{"hits": 2}'),
        ChatMessage(role="user", content="перше"),
    ]
    await collect(
        anthropic_llm().stream(LLMRequest(model="m", system="sys", messages=history, tools=[SEARCH]))
    )
    body = wire.requests[0].body
    assert body["system"] == "sys"
    assert body["tools"] == [
        {"name": "search_products", "description": "Search.", "input_schema": SEARCH.parameters}
    ]
    assert body["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "молоко і хліб"}]},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "Шукаю."},
                {
                    "type": "tool_use",
                    "id": "toolu_1",
                    "name": "search_products",
                    "input": {"query": "молоко"},
                },
                {"type": "tool_use", "id": "toolu_2", "name": "search_products", "input": {"query": "хліб"}},
            ],
        },
        # Both results and the shopper's next words form one user turn, results first.
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": '{"hits": 1}'},
                {"type": "tool_result", "tool_use_id": "toolu_2", "content": '{"hits": 2}'},
                {"type": "text", "text": "перше"},
            ],
        },
    ]


async def test_parallel_tool_use_blocks_assembled_at_the_end(
    wire: WireServer, anthropic_llm: Callable[..., AnthropicLLM]
) -> None:
    frames = anthropic_frames(
        start(),
        *text_block(0, "Шукаю"),
        *tool_block(1, "toolu_1", "search_products", {"query": "молоко 2.5%", "limit": 5}),
        *tool_block(2, "toolu_2", "search_products", {}),
        *end(30, "tool_use"),
    )
    wire.script(Answer(frames=frames))
    events = await collect(anthropic_llm().stream(ask(tools=[SEARCH])))
    assert events == [
        TextChunk(delta="Шукаю"),
        ToolCallChunk(
            call=ToolCall(
                id="toolu_1", name="search_products", arguments={"query": "молоко 2.5%", "limit": 5}
            )
        ),
        ToolCallChunk(call=ToolCall(id="toolu_2", name="search_products", arguments={})),
        Usage(prompt_tokens=30, completion_tokens=30),
    ]


async def test_no_message_stop_runs_no_tool_call(
    wire: WireServer, anthropic_llm: Callable[..., AnthropicLLM]
) -> None:
    wire.script(
        Answer(
            frames=anthropic_frames(start(), *tool_block(0, "toolu_1", "search_products", {"query": "сир"}))
        )
    )
    seen: list[LLMEvent] = []
    with pytest.raises(LLMError, match="before message_stop"):
        async for event in anthropic_llm().stream(ask()):
            seen.append(event)
    assert seen == []


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        (
            Answer(
                status=400,
                body={
                    "type": "error",
                    "error": {"type": "invalid_request_error", "message": "max_tokens: too big"},
                },
            ),
            LLMError,
            "HTTP 400: max_tokens: too big",
        ),
        (
            Answer(
                status=529,
                body={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
            ),
            LLMRateLimited,
            "HTTP 529",
        ),
        (
            Answer(
                frames=anthropic_frames(
                    start(), {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
                )
            ),
            LLMRateLimited,
            "Overloaded",
        ),
        (
            Answer(
                frames=anthropic_frames(
                    start(), {"type": "error", "error": {"type": "api_error", "message": "Internal"}}
                )
            ),
            LLMError,
            "api_error",
        ),
        (
            Answer(
                frames=anthropic_frames(
                    start(),
                    *tool_block(0, "t", "x", {"a": 1})[:1],
                    {
                        "type": "content_block_delta",
                        "index": 0,
                        "delta": {"type": "input_json_delta", "partial_json": '{"a"'},
                    },
                    *end(),
                )
            ),
            LLMError,
            "not JSON",
        ),
    ],
    ids=["400", "529", "overloaded-event", "api-error-event", "malformed-input"],
)
async def test_failures_map_to_core_errors(
    wire: WireServer,
    anthropic_llm: Callable[..., AnthropicLLM],
    answer: Answer,
    error: type[LLMError],
    message: str,
) -> None:
    wire.script(answer)
    with pytest.raises(LLMError, match=message) as caught:
        await collect(anthropic_llm().stream(ask()))
    assert type(caught.value) is error


async def test_429_carries_retry_after(wire: WireServer, anthropic_llm: Callable[..., AnthropicLLM]) -> None:
    body = {
        "type": "error",
        "error": {
            "type": "rate_limit_error",
            "message": "Number of request tokens has exceeded your per-minute rate limit",
        },
    }
    wire.script(Answer(status=429, body=body, headers={"retry-after": "7"}))
    with pytest.raises(LLMRateLimited, match="per-minute") as caught:
        await collect(anthropic_llm().stream(ask()))
    assert caught.value.retry_after == 7.0


async def test_wrong_key_is_an_authentication_error(
    wire: WireServer, anthropic_llm: Callable[..., AnthropicLLM]
) -> None:
    with pytest.raises(LLMError, match="HTTP 401") as caught:
        await collect(anthropic_llm(api_key="sk-ant-wrong").stream(ask()))
    assert "sk-ant-wrong" not in str(caught.value)


async def test_a_server_that_stalls_mid_stream_times_out(
    wire: WireServer, anthropic_llm: Callable[..., AnthropicLLM]
) -> None:
    wire.script(
        Answer(frames=anthropic_frames(start(), *text_block(0, "a"), *end()), stall_after=2, stall=0.6)
    )
    with pytest.raises(LLMTimeout):
        await collect(anthropic_llm(timeout=0.2).stream(ask()))
