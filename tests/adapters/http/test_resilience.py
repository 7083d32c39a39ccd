"""Retries, fallback model, the real-call guard and key hygiene, over real HTTP to the local server."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from tests.adapters.http.test_anthropic import end, start, text_block
from tests.adapters.http.test_openai import ask, collect, text_answer
from tests.adapters.http.wire import API_KEY, Answer, anthropic_frames
from vizochok.adapters.llm.anthropic import AnthropicLLM
from vizochok.adapters.llm.openai import OpenAILLM
from vizochok.adapters.llm.wrappers import FallbackLLM, RetryingLLM
from vizochok.core.llm.messages import LLMError, LLMRateLimited, TextChunk

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tests.adapters.http.wire import Recorded, WireServer

RATE_LIMITED = {"error": {"message": "Rate limit reached", "type": "requests"}}


class Sleeps:
    """The wrapper's sleep, recorded and kept tiny so the suite stays fast."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
async def llm(wire: WireServer) -> AsyncIterator[OpenAILLM]:
    adapter = OpenAILLM(f"{wire.base_url}/v1", API_KEY, timeout=5.0)
    yield adapter
    await adapter.aclose()


def text_of(events: list[object]) -> str:
    return "".join(e.delta for e in events if isinstance(e, TextChunk))


async def test_429_with_retry_after_then_success(wire: WireServer, llm: OpenAILLM) -> None:
    wire.script(Answer(status=429, body=RATE_LIMITED, headers={"Retry-After": "0.01"}), text_answer("ok"))
    sleeps = Sleeps()
    events = await collect(RetryingLLM(llm, attempts=3, base_delay=1.0, sleep=sleeps).stream(ask()))
    assert text_of(events) == "ok"
    assert sleeps.delays == [0.01]  # the server's wait, not our 1 s backoff
    assert len(wire.requests) == 2


async def test_429_without_retry_after_backs_off_exponentially(wire: WireServer, llm: OpenAILLM) -> None:
    wire.script(
        Answer(status=429, body=RATE_LIMITED), Answer(status=429, body=RATE_LIMITED), text_answer("ok")
    )
    sleeps = Sleeps()
    events = await collect(RetryingLLM(llm, attempts=3, base_delay=0.01, sleep=sleeps).stream(ask()))
    assert text_of(events) == "ok"
    assert sleeps.delays == [0.01, 0.02]


async def test_a_long_retry_after_is_capped(wire: WireServer, llm: OpenAILLM) -> None:
    wire.script(Answer(status=429, body=RATE_LIMITED, headers={"Retry-After": "3600"}), text_answer("ok"))
    sleeps = Sleeps()
    await collect(RetryingLLM(llm, attempts=2, max_delay=0.05, sleep=sleeps).stream(ask()))
    assert sleeps.delays == [0.05]


async def test_retries_give_up_with_the_rate_limit(wire: WireServer, llm: OpenAILLM) -> None:
    wire.rule = lambda _request: Answer(status=429, body=RATE_LIMITED)
    with pytest.raises(LLMRateLimited):
        await collect(RetryingLLM(llm, attempts=3, base_delay=0.0, sleep=Sleeps()).stream(ask()))
    assert len(wire.requests) == 3


async def test_other_errors_are_not_retried(wire: WireServer, llm: OpenAILLM) -> None:
    wire.script(Answer(status=500, body={"error": {"message": "boom"}}), text_answer("never sent"))
    with pytest.raises(LLMError, match="boom"):
        await collect(RetryingLLM(llm, attempts=3, sleep=Sleeps()).stream(ask()))
    assert len(wire.requests) == 1


async def test_429_forever_falls_back_to_the_other_model(
    wire: WireServer, llm: OpenAILLM, caplog: pytest.LogCaptureFixture
) -> None:
    def by_model(request: Recorded) -> Answer:
        if request.body["model"] == "gpt-big":
            return Answer(status=429, body=RATE_LIMITED, headers={"Retry-After": "0"})
        return text_answer("from the small one")

    wire.rule = by_model
    resilient = FallbackLLM(RetryingLLM(llm, attempts=2, sleep=Sleeps()), "gpt-small")
    events = await collect(resilient.stream(ask(model="gpt-big")))
    assert text_of(events) == "from the small one"
    assert wire.models() == ["gpt-big", "gpt-big", "gpt-small"]
    assert "model gpt-big still rate limited; trying gpt-small" in caplog.text


async def test_fallback_model_rate_limited_too_raises(wire: WireServer, llm: OpenAILLM) -> None:
    wire.rule = lambda _request: Answer(status=429, body=RATE_LIMITED)
    with pytest.raises(LLMRateLimited):
        await collect(FallbackLLM(RetryingLLM(llm, attempts=1), "gpt-small").stream(ask(model="gpt-big")))
    assert wire.models() == ["gpt-big", "gpt-small"]


async def test_no_retry_or_fallback_once_text_was_streamed(wire: WireServer) -> None:
    # Anthropic can report overload as an event after text went out; a second answer would be stitched on.
    frames = anthropic_frames(
        start(),
        *text_block(0, "Частина"),
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    )
    wire.rule = lambda _request: Answer(frames=frames)
    adapter = AnthropicLLM(wire.base_url, API_KEY, timeout=5.0)
    seen: list[object] = []
    with pytest.raises(LLMRateLimited):
        async for event in FallbackLLM(
            RetryingLLM(adapter, attempts=3, sleep=Sleeps()), "claude-small"
        ).stream(ask(model="claude-big")):
            seen.append(event)
    await adapter.aclose()
    assert text_of(seen) == "Частина"
    assert wire.models() == ["claude-big"]


async def test_anthropic_overload_then_success_is_retried(wire: WireServer) -> None:
    overloaded = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    wire.script(
        Answer(status=529, body=overloaded),
        Answer(frames=anthropic_frames(start(), *text_block(0, "ok"), *end())),
    )
    adapter = AnthropicLLM(wire.base_url, API_KEY, timeout=5.0)
    events = await collect(
        RetryingLLM(adapter, attempts=2, base_delay=0.0, sleep=Sleeps()).stream(ask(model="claude-big"))
    )
    await adapter.aclose()
    assert text_of(events) == "ok"


async def test_the_key_arrives_but_is_never_logged(
    wire: WireServer, llm: OpenAILLM, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # httpx, httpcore and our wrappers at their most talkative
    wire.script(
        text_answer("ok"),
        Answer(status=429, body=RATE_LIMITED, headers={"Retry-After": "0"}),
        Answer(status=400, body={"error": {"message": "bad request"}}),
    )
    errors: list[str] = []
    await collect(llm.stream(ask()))
    try:
        await collect(FallbackLLM(RetryingLLM(llm, attempts=2), "gpt-small").stream(ask()))
    except LLMError as error:
        errors.append(str(error))
    anthropic = AnthropicLLM(wire.base_url, API_KEY, timeout=5.0)
    wire.script(Answer(frames=anthropic_frames(start(), *text_block(0, "ok"), *end())))
    await collect(anthropic.stream(ask()))
    await anthropic.aclose()
    assert all(r.auth_ok for r in wire.requests)
    assert len(wire.requests) == 4
    assert errors == ["openai answered HTTP 400: bad request"]
    assert "still rate limited" not in caplog.text  # the 400 is not a rate limit: no fallback
    assert "rate limited; retry 1" in caplog.text  # the logs were really captured
    assert API_KEY not in caplog.text
    assert API_KEY not in repr(llm) + repr(anthropic)


async def test_the_guard_blocks_calls_before_any_request(wire_server: WireServer) -> None:
    # No `wire` fixture: the suite-wide conftest switched real calls off.
    before = len(wire_server.requests)
    for adapter in (
        OpenAILLM(f"{wire_server.base_url}/v1", API_KEY),
        AnthropicLLM(wire_server.base_url, API_KEY),
    ):
        with pytest.raises(LLMError, match="ALLOW_REAL_CALLS"):
            await collect(adapter.stream(ask()))
        await adapter.aclose()
    assert len(wire_server.requests) == before
