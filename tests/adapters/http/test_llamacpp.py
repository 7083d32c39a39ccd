"""Both HTTP adapters against llama.cpp's own server (through `xllamacpp`), over a real socket.

Optional: `xllamacpp` is not a dependency (`pip install -e ".[llamacpp]"` brings it and `gguf`).
The model is the GGUF file `VIZOCHOK_TEST_GGUF` names; without it, a tiny random-weight model is
written (tests/adapters/http/tiny_gguf.py), which checks the wire, not the answers. A named file
that does not exist skips. Tests about what a model says need a real (instruct) model and skip
on the random one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import vizochok.adapters.llm
from tests.core.world import build_world
from tests.helpers import free_port
from vizochok.adapters.llm.anthropic import AnthropicLLM
from vizochok.adapters.llm.openai import OpenAILLM
from vizochok.adapters.llm.text_tools import TextToolCallsLLM
from vizochok.core.chat.state import ChatMessage, ToolCall
from vizochok.core.llm.messages import LLMRequest, TextChunk, ToolCallChunk, ToolSpec, Usage

if TYPE_CHECKING:
    from collections.abc import Iterator

xllamacpp = pytest.importorskip(
    "xllamacpp", reason="xllamacpp is not installed (pip install -e '.[llamacpp]')"
)

SEARCH = ToolSpec(
    name="search_products",
    description="Search the shop's catalog.",
    parameters={"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
)


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bool]:
    """`(path, real)`: the named GGUF, or a tiny random one written now."""
    named = os.environ.get("VIZOCHOK_TEST_GGUF")
    if named:
        if not Path(named).is_file():
            pytest.skip(f"VIZOCHOK_TEST_GGUF={named} does not exist")
        return Path(named), True
    pytest.importorskip("gguf", reason="writing the tiny model needs the gguf package")
    from tests.adapters.http.tiny_gguf import write

    return write(tmp_path_factory.mktemp("gguf") / "tiny.gguf"), False


@pytest.fixture(scope="module")
def server(model_file: tuple[Path, bool]) -> Iterator[str]:
    """llama.cpp's server on a loopback port, with Jinja chat templates (as `llama-server --jinja`)."""
    params = xllamacpp.CommonParams()
    params.model.path = str(model_file[0])
    params.n_ctx = 8192  # the agent's system prompt and tool schemas are ~1,300 tokens of this vocabulary
    params.hostnames = ["127.0.0.1"]
    params.port = free_port()
    params.use_jinja = True
    params.warmup = False
    params.cpuparams.n_threads = 2
    params.cpuparams_batch.n_threads = 2
    params.sampling.seed = 7
    instance = xllamacpp.Server(params)
    yield instance.listening_address
    del instance


@pytest.fixture
def real_calls() -> Iterator[None]:
    """This test may call a provider: the local server (conftest switched real calls off)."""
    allowed = vizochok.adapters.llm.ALLOW_REAL_CALLS
    vizochok.adapters.llm.ALLOW_REAL_CALLS = True
    yield
    vizochok.adapters.llm.ALLOW_REAL_CALLS = allowed


def ask(
    text: str, tools: list[ToolSpec] | None = None, messages: list[ChatMessage] | None = None
) -> LLMRequest:
    return LLMRequest(
        model="local", system="You are a grocery shop assistant. Answer briefly.",
        messages=messages or [ChatMessage(role="user", content=text)], tools=tools or [],
    )  # fmt: skip


async def collect(llm: Any, request: LLMRequest) -> list[Any]:
    return [event async for event in llm.stream(request)]


@pytest.mark.usefixtures("real_calls")
async def test_openai_adapter_streams_within_max_tokens(server: str) -> None:
    llm = OpenAILLM(f"{server}/v1", max_tokens=8)
    events = await collect(llm, ask("Привіт! Що в тебе є?"))
    await llm.aclose()
    usage = [e for e in events if isinstance(e, Usage)]
    assert len(usage) == 1
    assert usage[0].prompt_tokens > 5
    assert 0 < usage[0].completion_tokens <= 8  # the server honoured max_tokens
    assert any(isinstance(e, TextChunk) for e in events) or usage[0].completion_tokens > 0


@pytest.mark.usefixtures("real_calls")
async def test_the_server_accepts_our_tools_and_a_history_with_tool_calls_and_results(server: str) -> None:
    history = [
        ChatMessage(role="user", content="знайди молоко"),
        ChatMessage(
            role="assistant",
            tool_calls=[ToolCall(id="call_1", name="search_products", arguments={"query": "молоко"})],
        ),
        ChatMessage(
            role="tool",
            tool_call_id="call_1",
            name="search_products",
            content=json.dumps({"items": [{"sku": "milk-1", "name": "Молоко 2,5%"}]}, ensure_ascii=False),
        ),
    ]
    llm = TextToolCallsLLM(OpenAILLM(f"{server}/v1", max_tokens=16))
    events = await collect(llm, ask("", [SEARCH], history))
    await llm.inner.aclose()
    assert isinstance(events[-1], Usage)
    assert events[-1].completion_tokens <= 16
    for event in events:  # whatever the model said, a call it made names an offered tool
        if isinstance(event, ToolCallChunk):
            assert event.call.name == "search_products"


@pytest.mark.usefixtures("real_calls")
async def test_anthropic_adapter_against_the_servers_messages_endpoint(server: str) -> None:
    llm = AnthropicLLM(server, max_tokens=8)
    events = await collect(llm, ask("Привіт", [SEARCH]))
    await llm.aclose()
    usage = events[-1]
    assert isinstance(usage, Usage)
    # Not `prompt_tokens`: llama.cpp's /v1/messages sometimes starts its stream without the
    # `message_start` event that carries them (seen with xllamacpp 2026.10.11549; docs/llm.md).
    assert 0 < usage.completion_tokens <= 8


@pytest.mark.usefixtures("real_calls")
async def test_a_whole_chat_turn_through_the_local_server(server: str) -> None:
    llm = OpenAILLM(f"{server}/v1", max_tokens=24)
    world = await build_world(llm=TextToolCallsLLM(llm))
    await world.open()
    frames = await world.say("знайди молоко")
    await llm.aclose()
    assert frames[-1]["type"] == "response_complete"
    assert {"type": "error", "code": "internal_error"} not in frames
    state = await world.state()
    assert state.tokens_used > 0  # the server's usage reached the conversation's budget
    assert state.selection == []  # nothing the model could say adds an unseen product


@pytest.mark.usefixtures("real_calls")
async def test_a_real_small_model_searches_when_asked(server: str, model_file: tuple[Path, bool]) -> None:
    if not model_file[1]:
        pytest.skip("needs a real instruct model: set VIZOCHOK_TEST_GGUF")
    llm = TextToolCallsLLM(OpenAILLM(f"{server}/v1", max_tokens=256))
    events = await collect(llm, ask("Find milk in the catalog, please. Use the search tool.", [SEARCH]))
    await llm.inner.aclose()
    calls = [e.call for e in events if isinstance(e, ToolCallChunk)]
    assert calls, "".join(e.delta for e in events if isinstance(e, TextChunk))
    assert calls[0].name == "search_products"
    assert "milk" in json.dumps(calls[0].arguments).casefold()
