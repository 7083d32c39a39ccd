"""`OpenAILLM` against a local server speaking Chat Completions SSE."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.adapters.http.wire import API_KEY, FILTERED, Answer, openai_frames
from vizochok.adapters.llm.openai import OpenAILLM
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
    description="Search the catalog.",
    parameters={"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
)


def ask(text: str = "Привіт", model: str = "gpt-big", **extra: Any) -> LLMRequest:
    return LLMRequest(
        model=model,
        system="You are a grocery assistant.",
        messages=[ChatMessage(role="user", content=text)],
        **extra,
    )


def delta(**fields: Any) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": fields, "finish_reason": None}]}


def finish(reason: str = "stop") -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]}


def usage(prompt: int = 12, completion: int = 3) -> dict[str, Any]:
    return {
        "choices": [],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }


def text_answer(*parts: str) -> Answer:
    return Answer(
        frames=openai_frames(
            delta(role="assistant", content=""), *(delta(content=p) for p in parts), finish(), usage()
        )
    )


async def collect(stream: AsyncIterator[LLMEvent]) -> list[LLMEvent]:
    return [event async for event in stream]


@pytest.fixture
async def openai_llm(wire: WireServer) -> AsyncIterator[Callable[..., OpenAILLM]]:
    """Adapters pointed at the local server, closed after the test."""
    made: list[OpenAILLM] = []

    def make(api_key: str | None = API_KEY, timeout: float = 5.0) -> OpenAILLM:
        made.append(OpenAILLM(f"{wire.base_url}/v1", api_key, timeout))
        return made[-1]

    yield make
    for llm in made:
        await llm.aclose()


async def test_text_streams_as_it_arrives_then_usage(
    wire: WireServer, openai_llm: Callable[..., OpenAILLM]
) -> None:
    wire.script(text_answer("Добрий ", "день", "!"))
    events = await collect(openai_llm().stream(ask()))
    assert events == [
        TextChunk(delta="Добрий "),
        TextChunk(delta="день"),
        TextChunk(delta="!"),
        Usage(prompt_tokens=12, completion_tokens=3),
    ]
    sent = wire.requests[0]
    assert sent.path == "/v1/chat/completions"
    assert sent.body["stream"] is True
    assert sent.body["stream_options"] == {"include_usage": True}
    assert sent.body["model"] == "gpt-big"
    assert sent.body["messages"] == [
        {"role": "system", "content": "You are a grocery assistant."},
        {"role": "user", "content": "Привіт"},
    ]
    assert "tools" not in sent.body
    assert sent.auth_ok
    assert sent.headers["authorization"] == FILTERED


async def test_history_and_tools_in_wire_format(
    wire: WireServer, openai_llm: Callable[..., OpenAILLM]
) -> None:
    wire.script(text_answer("ok"))
    history = [
        ChatMessage(role="user", content="молоко"),
        ChatMessage(
            role="assistant",
            tool_calls=[ToolCall(id="call_a", name="search_products", arguments={"query": "молоко"})],
        ),
        ChatMessage(role="tool", tool_call_id="call_a", name="search_products", content='{"hits": []}'),
    ]
    request = LLMRequest(model="m", system="sys", messages=history, tools=[SEARCH])
    await collect(openai_llm().stream(request))
    body = wire.requests[0].body
    assert body["messages"][1:] == [
        {"role": "user", "content": "молоко"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "search_products", "arguments": '{"query": "молоко"}'},
                }
            ],
        },
        {"role": "tool", "tool_call_id": "call_a", "content": '{"hits": []}'},
    ]
    assert body["tools"] == [{"type": "function", "function": SEARCH.model_dump()}]


def split_call(index: int, call_id: str, name: str, arguments: dict[str, Any]) -> list[dict[str, Any]]:
    """One tool call as a server streams it: id and name first, then the arguments a few characters at a time."""
    raw = json.dumps(arguments, ensure_ascii=False)
    head = {"index": index, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}
    pieces = [raw[i : i + 3] for i in range(0, len(raw), 3)]
    return [head] + [{"index": index, "function": {"arguments": p}} for p in pieces]


async def test_parallel_tool_calls_assembled_from_interleaved_deltas(
    wire: WireServer, openai_llm: Callable[..., OpenAILLM]
) -> None:
    first = split_call(0, "call_1", "search_products", {"query": "молоко 2.5%", "limit": 5})
    second = split_call(1, "call_2", "search_products", {"query": "хліб"})
    interleaved = [f for pair in zip(first, second, strict=False) for f in pair] + first[len(second) :]
    chunks = (
        [delta(content="Шукаю")]
        + [delta(tool_calls=[f]) for f in interleaved]
        + [finish("tool_calls"), usage(40, 20)]
    )
    wire.script(Answer(frames=openai_frames(*chunks)))
    events = await collect(openai_llm().stream(ask(tools=[SEARCH])))
    assert events == [
        TextChunk(delta="Шукаю"),
        ToolCallChunk(
            call=ToolCall(id="call_1", name="search_products", arguments={"query": "молоко 2.5%", "limit": 5})
        ),
        ToolCallChunk(call=ToolCall(id="call_2", name="search_products", arguments={"query": "хліб"})),
        Usage(prompt_tokens=40, completion_tokens=20),
    ]
    assert len(interleaved) > 10  # the calls really came in many pieces


async def test_tool_calls_without_index_are_told_apart_by_id(
    wire: WireServer, openai_llm: Callable[..., OpenAILLM]
) -> None:
    whole = [
        {
            "id": "call_a",
            "type": "function",
            "function": {"name": "search_products", "arguments": '{"query": "сир"}'},
        },
        {
            "id": "call_b",
            "type": "function",
            "function": {"name": "search_products", "arguments": '{"query":'},
        },
        {"function": {"arguments": ' "хліб"}'}},
    ]
    wire.script(Answer(frames=openai_frames(*(delta(tool_calls=[f]) for f in whole), finish("tool_calls"))))
    events = await collect(openai_llm().stream(ask()))
    assert [e.call for e in events if isinstance(e, ToolCallChunk)] == [
        ToolCall(id="call_a", name="search_products", arguments={"query": "сир"}),
        ToolCall(id="call_b", name="search_products", arguments={"query": "хліб"}),
    ]


async def test_a_cut_stream_runs_no_tool_call(wire: WireServer, openai_llm: Callable[..., OpenAILLM]) -> None:
    chunks = [delta(tool_calls=[f]) for f in split_call(0, "call_1", "search_products", {"query": "сир"})]
    wire.script(Answer(frames=openai_frames(*chunks, done=False)))
    seen: list[LLMEvent] = []
    with pytest.raises(LLMError, match="ended before"):
        async for event in openai_llm().stream(ask()):
            seen.append(event)
    assert seen == []


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (
            Answer(status=400, body={"error": {"message": "model 'nope' does not exist"}}),
            "HTTP 400: model 'nope' does not exist",
        ),
        (Answer(status=503, body="upstream unavailable"), "HTTP 503: upstream unavailable"),
        (
            Answer(frames=openai_frames(delta(content="Hi"), {"error": {"message": "out of memory"}})),
            "out of memory",
        ),
        (Answer(frames=["data: {not json\n\n"]), "not JSON"),
        (Answer(body={"choices": []}), "application/json, not an event stream"),
        (Answer(status=307, body="", headers={"location": "http://elsewhere.example/v1"}), "HTTP 307"),
        (
            Answer(
                frames=openai_frames(
                    delta(
                        tool_calls=[{"index": 0, "id": "c", "function": {"name": "x", "arguments": '{"a":'}}]
                    ),
                    finish(),
                )
            ),
            "not JSON",
        ),
    ],
    ids=[
        "400-json",
        "503-text",
        "error-mid-stream",
        "malformed-event",
        "not-a-stream",
        "redirect",
        "malformed-arguments",
    ],
)
async def test_failures_become_llm_errors(
    wire: WireServer, openai_llm: Callable[..., OpenAILLM], answer: Answer, message: str
) -> None:
    wire.script(answer)
    with pytest.raises(LLMError, match=message) as caught:
        await collect(openai_llm().stream(ask()))
    assert not isinstance(caught.value, LLMRateLimited)


async def test_a_huge_error_page_is_cut_short(wire: WireServer, openai_llm: Callable[..., OpenAILLM]) -> None:
    wire.script(Answer(status=502, body="<html>" + "x" * 200_000))
    with pytest.raises(LLMError, match="HTTP 502: <html>x") as caught:
        await collect(openai_llm().stream(ask()))
    assert len(str(caught.value)) < 400


async def test_wrong_key_is_an_error_that_does_not_echo_it(
    wire: WireServer, openai_llm: Callable[..., OpenAILLM]
) -> None:
    with pytest.raises(LLMError, match="HTTP 401") as caught:
        await collect(openai_llm(api_key="sk-wrong-key").stream(ask()))
    assert "sk-wrong-key" not in str(caught.value)
    assert not wire.requests[0].auth_ok


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"Retry-After": "2"}, 2.0), ({"retry-after-ms": "150"}, 0.15), ({}, None)],
    ids=["retry-after", "retry-after-ms", "none"],
)
async def test_429_is_rate_limited_with_the_servers_wait(
    wire: WireServer, openai_llm: Callable[..., OpenAILLM], headers: dict[str, str], expected: float | None
) -> None:
    wire.script(Answer(status=429, body={"error": {"message": "slow down"}}, headers=headers))
    with pytest.raises(LLMRateLimited, match="slow down") as caught:
        await collect(openai_llm().stream(ask()))
    assert caught.value.retry_after == expected


@pytest.mark.parametrize(
    "answer",
    [Answer(delay=0.6), Answer(frames=openai_frames(delta(content="a"), finish()), stall_after=1, stall=0.6)],
    ids=["before-headers", "mid-stream"],
)
async def test_a_silent_server_times_out(
    wire: WireServer, openai_llm: Callable[..., OpenAILLM], answer: Answer
) -> None:
    wire.script(answer)
    with pytest.raises(LLMTimeout):
        await collect(openai_llm(timeout=0.2).stream(ask()))


async def test_local_servers_get_no_authorization_header(
    wire: WireServer, openai_llm: Callable[..., OpenAILLM]
) -> None:
    # Ollama and llama.cpp run without a key; the server then answers 401 here, and the header is absent.
    with pytest.raises(LLMError, match="HTTP 401"):
        await collect(openai_llm(api_key=None).stream(ask()))
    assert "authorization" not in wire.requests[0].headers
