"""`InstructorOpenAIExtractor` against the local server: validation, bounded re-ask, errors, the guard."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import pytest

from tests.adapters.http.wire import API_KEY, Answer
from vizochok.adapters.llm.structured import InstructorOpenAIExtractor
from vizochok.core.llm.messages import LLMError, LLMRateLimited
from vizochok.core.profile import ProfileUpdate

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tests.adapters.http.wire import WireServer

STATEMENT = "я вегетаріанка, і в мене алергія на горіхи"


def completion(request_body: dict[str, Any], arguments: dict[str, Any]) -> Answer:
    """A non-streamed Chat Completions answer that calls the function the client forced."""
    name = request_body["tool_choice"]["function"]["name"]
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)},
    }
    return Answer(
        body={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 0,
            "model": request_body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": None, "tool_calls": [call]},
                    "finish_reason": "tool_calls",
                }
            ],
            "usage": {"prompt_tokens": 50, "completion_tokens": 10, "total_tokens": 60},
        }
    )


@pytest.fixture
async def extractor(wire: WireServer) -> AsyncIterator[InstructorOpenAIExtractor]:
    made = InstructorOpenAIExtractor(f"{wire.base_url}/v1", API_KEY, timeout=5.0)
    yield made
    await made.aclose()


async def test_extracts_a_valid_model(
    wire: WireServer, extractor: InstructorOpenAIExtractor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wire.rule = lambda r: completion(r.body, {"diets": ["vegetarian"], "allergies": ["горіхи"]})
    update = await extractor.extract(ProfileUpdate, STATEMENT, model="gpt-fast")
    assert update == ProfileUpdate(diets=["vegetarian"], allergies=["горіхи"])
    sent = wire.requests[0]
    assert sent.auth_ok
    assert sent.body["model"] == "gpt-fast"
    assert sent.body["max_tokens"] == 1024  # every request carries an answer limit
    assert sent.body["tools"][0]["function"]["name"] == "ProfileUpdate"
    assert sent.body["messages"][-1] == {"role": "user", "content": STATEMENT}
    assert API_KEY not in caplog.text


async def test_an_invalid_answer_is_asked_again_with_the_validation_error(
    wire: WireServer, extractor: InstructorOpenAIExtractor
) -> None:
    answers = iter([{"diets": ["carnivore"]}, {"diets": ["vegetarian"]}])
    wire.rule = lambda r: completion(r.body, next(answers))
    update = await extractor.extract(ProfileUpdate, STATEMENT, model="gpt-fast", max_retries=2)
    assert update.diets == ["vegetarian"]
    assert len(wire.requests) == 2
    reask = json.dumps(wire.requests[1].body["messages"], ensure_ascii=False)
    assert "carnivore" in reask  # the model sees its own wrong answer and why it was wrong
    assert "vegetarian" in reask  # ...including the allowed values


async def test_re_asks_are_bounded(wire: WireServer, extractor: InstructorOpenAIExtractor) -> None:
    wire.rule = lambda r: completion(r.body, {"diets": ["carnivore"]})
    with pytest.raises(LLMError, match="carnivore"):
        await extractor.extract(ProfileUpdate, STATEMENT, model="gpt-fast", max_retries=1)
    assert len(wire.requests) == 2  # one try and one re-ask


async def test_a_rate_limit_is_the_cores_error(
    wire: WireServer, extractor: InstructorOpenAIExtractor
) -> None:
    wire.rule = lambda _r: Answer(
        status=429, body={"error": {"message": "slow down"}}, headers={"Retry-After": "3"}
    )
    with pytest.raises(LLMRateLimited) as caught:
        await extractor.extract(ProfileUpdate, STATEMENT, model="gpt-fast")
    assert caught.value.retry_after == 3.0
    assert len(wire.requests) == 1  # neither the SDK nor instructor retried a 429 on their own


async def test_the_guard_blocks_extraction(wire_server: WireServer) -> None:
    extractor = InstructorOpenAIExtractor(f"{wire_server.base_url}/v1", API_KEY)
    before = len(wire_server.requests)
    with pytest.raises(LLMError, match="ALLOW_REAL_CALLS"):
        await extractor.extract(ProfileUpdate, STATEMENT, model="gpt-fast")
    await extractor.aclose()
    assert len(wire_server.requests) == before
