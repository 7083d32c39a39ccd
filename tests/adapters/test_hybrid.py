"""Hybrid routing: surely understood turns cost no model call; the rest reach the model with a hint."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.conftest import make_settings
from tests.core.world import build_world
from vizochok.adapters.container import _llm_resolver
from vizochok.adapters.llm.fake import Reply, ScriptedLLM
from vizochok.adapters.llm.hybrid import KEYLESS_ID, HybridLLM, Understanding
from vizochok.adapters.llm.offline import OfflineLLM
from vizochok.adapters.llm.text_tools import TextToolCallsLLM
from vizochok.adapters.llm.wrappers import FallbackLLM, RetryingLLM
from vizochok.core.chat.state import ToolCall
from vizochok.core.llm.messages import LLMRequest, TextChunk, ToolCallChunk, Usage
from vizochok.core.models import Tenant, TenantLLMConfig
from vizochok.plugins import build_plugin_manager, build_registry

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from vizochok.adapters.llm.fake import CallInfo
    from vizochok.core.llm.messages import LLMEvent


@dataclass(frozen=True)
class FakeReading:
    """Shaped like the `nlu` branch's `Reading`."""

    confidence: float
    reason: str
    result: object | None


class ScriptedKeyless:
    """A keyless layer with a table of how sure it is per message; it searches, then answers."""

    def __init__(self, sure: dict[str, float], fail: bool = False) -> None:
        self.sure = sure
        self.fail = fail
        self.read: list[str] = []
        self.streamed = 0

    async def understand(self, request: LLMRequest) -> FakeReading:
        text = next(m.content for m in reversed(request.messages) if m.role == "user")
        self.read.append(text)
        if self.fail:
            raise RuntimeError("parser bug")
        confidence = self.sure.get(text, 0.0)
        return FakeReading(
            confidence, f"search for {text!r}" if confidence else "", "result" if confidence else None
        )

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        self.streamed += 1
        last_user = max(i for i, m in enumerate(request.messages) if m.role == "user")
        if not any(m.role == "tool" for m in request.messages[last_user:]):
            query = request.messages[last_user].content
            yield ToolCallChunk(
                call=ToolCall(id="offline_1_0", name="search_products", arguments={"query": query})
            )
        else:
            yield TextChunk(delta="keyless answer")
        yield Usage(prompt_tokens=0, completion_tokens=0)


def model_script(_request: LLMRequest, info: CallInfo) -> Reply:
    if info.index % 2 == 0:
        return Reply(
            calls=[("search_products", {"query": "молоко"})], prompt_tokens=900, completion_tokens=30
        )
    return Reply(text="model answer", prompt_tokens=1000, completion_tokens=20)


async def test_a_surely_understood_turn_costs_no_model_call_and_no_tokens() -> None:
    keyless, model = ScriptedKeyless({"молоко": 0.95}), ScriptedLLM(model_script)
    world = await build_world(llm=HybridLLM(keyless, model, threshold=0.9))
    await world.open()
    frames = await world.say("молоко")
    assert model.requests == []
    assert "keyless answer" in "".join(f["delta"] for f in frames if f["type"] == "text_delta")
    state = await world.state()
    assert state.tokens_used == 0
    calls = [c for m in state.history if m.tool_calls for c in m.tool_calls]
    assert [c.id for c in calls] == [
        KEYLESS_ID + "offline_1_0"
    ]  # the marker that keeps the turn with the keyless layer
    assert keyless.read == [
        "молоко"
    ]  # read once, at the start of the turn; the tool result went back to it directly
    assert keyless.streamed == 2


async def test_an_unsure_turn_goes_to_the_model_with_the_reading_as_a_hint() -> None:
    keyless, model = ScriptedKeyless({"щось на вечерю": 0.4}), ScriptedLLM(model_script)
    hybrid = HybridLLM(keyless, model, threshold=0.9)
    world = await build_world(llm=hybrid)
    await world.open()
    frames = await world.say("щось на вечерю")
    assert "model answer" in "".join(f["delta"] for f in frames if f["type"] == "text_delta")
    assert len(model.requests) == 2  # the search, then the answer: the whole turn stayed with the model
    first = model.requests[0].messages[-1].content
    assert first.startswith("щось на вечерю")
    assert "search for 'щось на вечерю'" in first
    assert "confidence 0.40" in first
    # The hint is on the request only; the conversation keeps the shopper's own words.
    state = await world.state()
    assert [m.content for m in state.history if m.role == "user"] == ["щось на вечерю"]
    assert "[Note" not in next(
        m.content for m in model.requests[1].messages if m.role == "user"
    )  # the first call only
    assert keyless.read == ["щось на вечерю"]
    assert keyless.streamed == 0
    assert state.tokens_used == 900 + 30 + 1000 + 20
    assert (hybrid.stats.keyless_turns, hybrid.stats.model_turns, hybrid.stats.unsure) == (0, 1, 1)


async def test_turns_are_routed_one_by_one() -> None:
    keyless, model = ScriptedKeyless({"молоко": 0.95, "хліб": 0.9}), ScriptedLLM(model_script)
    hybrid = HybridLLM(keyless, model, threshold=0.9)
    world = await build_world(llm=hybrid)
    await world.open()
    await world.say("молоко")
    await world.say("а що порадиш до борщу?")
    await world.say("хліб")  # exactly at the threshold: served
    assert (hybrid.stats.keyless_turns, hybrid.stats.model_turns) == (2, 1)
    assert len(model.requests) == 2
    assert "Note" not in model.requests[0].messages[-1].content  # no reading at all: no hint
    assert (await world.state()).tokens_used == 900 + 30 + 1000 + 20


async def test_the_first_model_call_after_keyless_turns_still_gets_the_complex_model() -> None:
    keyless, model = ScriptedKeyless({"молоко": 0.95}), ScriptedLLM(model_script)
    world = await build_world(llm=HybridLLM(keyless, model, threshold=0.9))
    await world.open()
    await world.say("молоко")
    await world.say("що порадиш?")
    assert [r.model for r in model.requests] == ["big", "small"]  # smart routing counts billed calls only


async def test_a_failing_keyless_layer_leaves_the_turn_to_the_model() -> None:
    model = ScriptedLLM(model_script)
    world = await build_world(llm=HybridLLM(ScriptedKeyless({}, fail=True), model))
    await world.open()
    frames = await world.say("молоко")
    assert "model answer" in "".join(f["delta"] for f in frames if f["type"] == "text_delta")
    assert {"type": "error", "code": "internal_error"} not in frames


def tenant(**llm: Any) -> Tenant:
    return Tenant(id="t1", name="Shop", store_id="s1", llm=TenantLLMConfig(**llm))


def test_the_composition_root_wraps_a_real_model_and_a_tenant_can_switch_it_off(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, llm={"provider": "openai", "base_url": "http://127.0.0.1:9/v1", "hybrid_threshold": 0.8}
    )
    registry = build_registry(build_plugin_manager(load_entrypoints=False))
    keyless = ScriptedKeyless({})
    assert isinstance(keyless, Understanding)
    resolve = _llm_resolver(registry, settings, keyless=keyless)

    hybrid = resolve(tenant())
    assert isinstance(hybrid, HybridLLM)
    assert hybrid.keyless is keyless
    assert hybrid.threshold == 0.8
    assert isinstance(hybrid.model, RetryingLLM)
    assert resolve(tenant(hybrid_threshold=0.95)).threshold == 0.95  # type: ignore[attr-defined]

    off = resolve(tenant(hybrid=False))
    assert isinstance(off, RetryingLLM)  # every turn goes to the model

    offline = resolve(tenant(provider="offline"))
    assert not isinstance(offline, HybridLLM)  # the keyless layer is the model: nothing to route

    texts = resolve(tenant(hybrid=False, text_tool_calls=True, fallback_model="small"))
    assert isinstance(texts, FallbackLLM)
    assert isinstance(texts.primary, RetryingLLM)
    assert isinstance(texts.primary.inner, TextToolCallsLLM)


def test_an_offline_provider_that_cannot_say_how_sure_it_is_is_not_routed_to(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, llm={"provider": "openai", "base_url": "http://127.0.0.1:9/v1"})
    registry = build_registry(build_plugin_manager(load_entrypoints=False))
    resolve = _llm_resolver(registry, settings)
    expected = HybridLLM if isinstance(OfflineLLM(), Understanding) else RetryingLLM
    assert isinstance(resolve(tenant()), expected)
