"""Tool calls written as text by small models, read as calls; loops and invented SKUs stopped."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.core.world import build_world
from vizochok.adapters.llm.fake import Reply, ScriptedLLM
from vizochok.adapters.llm.text_tools import TextToolCallsLLM, read_text_calls
from vizochok.core.chat.state import ChatMessage
from vizochok.core.llm.messages import LLMRequest, TextChunk, ToolCallChunk, ToolSpec, Usage
from vizochok.core.usage.limits import Limits

if TYPE_CHECKING:
    from vizochok.adapters.llm.fake import CallInfo

OFFERED = {"search_products", "add_to_selection"}
SEARCH = ToolSpec(
    name="search_products",
    description="Search.",
    parameters={"type": "object", "properties": {"query": {"type": "string"}}},
)


def texts(events: list[Any]) -> str:
    return "".join(e.delta for e in events if isinstance(e, TextChunk))


def calls(events: list[Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(e.call.name, e.call.arguments) for e in events if isinstance(e, ToolCallChunk)]


@pytest.mark.parametrize(
    "written",
    [
        '<tool_call>\n{"name": "search_products", "arguments": {"query": "молоко"}}\n</tool_call>',  # Hermes, Qwen
        '{"name": "search_products", "parameters": {"query": "молоко"}}',  # Llama 3
        '[TOOL_CALLS][{"name": "search_products", "arguments": {"query": "молоко"}}]',  # Mistral
        '```json\n{"name": "search_products", "arguments": {"query": "молоко"}}\n```',  # a fenced block
        '{"type": "function", "function": {"name": "search_products", "arguments": "{\\"query\\": \\"молоко\\"}"}}',  # the API's own shape
        '<tool_call>{"name": "search_products", "arguments": {"query": "молоко"}}',  # cut by max_tokens before the closing tag
    ],
)
def test_the_usual_ways_small_models_write_a_call(written: str) -> None:
    found, rest = read_text_calls(written, OFFERED)
    assert [(c.name, c.arguments) for c in found] == [("search_products", {"query": "молоко"})]
    assert rest == ""


def test_several_calls_and_the_words_around_them() -> None:
    written = (
        'Шукаю. <tool_call>{"name": "search_products", "arguments": {"query": "хліб"}}</tool_call>\n'
        '<tool_call>{"name": "search_products", "arguments": {"query": "молоко"}}</tool_call> Зараз.'
    )
    found, rest = read_text_calls(written, OFFERED)
    assert [c.arguments["query"] for c in found] == ["хліб", "молоко"]
    assert rest.split() == ["Шукаю.", "Зараз."]


@pytest.mark.parametrize(
    "written",
    [
        '{"name": "buy_train_ticket", "arguments": {"to": "Львів"}}',  # not an offered tool
        '{"name": "Молоко", "price": 52.9}',  # a product quoted as JSON
        '{"name": "search_products", "arguments": "not json"}',  # arguments that are not an object
        '[{"name": "search_products", "arguments": {}}, {"name": "nope", "arguments": {}}]',  # one bad item spoils the list
        "Ціна {приблизно} 50 грн [уточніть]",  # braces in prose
    ],
)
def test_json_that_is_no_call_of_an_offered_tool_stays_text(written: str) -> None:
    found, rest = read_text_calls(written, OFFERED)
    assert found == []
    assert rest == written


def ask(tools: list[ToolSpec]) -> LLMRequest:
    return LLMRequest(
        model="local", system="", messages=[ChatMessage(role="user", content="молоко")], tools=tools
    )


async def test_the_wrapper_streams_prose_and_holds_back_a_written_call() -> None:
    model = ScriptedLLM(
        lambda _r, _i: Reply(
            text='Секунду, шукаю. {"name": "search_products", "arguments": {"query": "молоко"}}',
            prompt_tokens=7,
        )
    )
    events = [e async for e in TextToolCallsLLM(model).stream(ask([SEARCH]))]
    # The fake streams word by word: the words before the brace went out as they came.
    assert events[0] == TextChunk(delta="Секунду, ")
    assert "{" not in texts(events)
    assert calls(events) == [("search_products", {"query": "молоко"})]
    assert isinstance(events[-1], Usage)
    assert events[-1].prompt_tokens == 7
    ids = [e.call.id for e in events if isinstance(e, ToolCallChunk)]
    assert ids == ["text_1_0"]


async def test_without_offered_tools_nothing_is_read_as_a_call() -> None:
    model = ScriptedLLM(lambda _r, _i: Reply(text='{"name": "search_products", "arguments": {"query": "x"}}'))
    events = [e async for e in TextToolCallsLLM(model).stream(ask([]))]
    assert calls(events) == []
    assert "search_products" in texts(events)


async def test_a_turn_with_a_model_that_writes_its_calls_as_text() -> None:
    def model(_request: LLMRequest, info: CallInfo) -> Reply:
        if info.index == 0:
            return Reply(
                text='<tool_call>{"name": "search_products", "arguments": {"query": "молоко"}}</tool_call>'
            )
        if info.index == 1:
            sku = info.tool_results[0]["items"][0]["sku"]
            return Reply(
                text=json.dumps({"name": "add_to_selection", "arguments": {"sku": sku, "quantity": 2}})
            )
        return Reply(text="Додав молоко.")

    world = await build_world(llm=TextToolCallsLLM(ScriptedLLM(model)))
    await world.open()
    frames = await world.say("додай 2 молока")
    shown = "".join(f["delta"] for f in frames if f["type"] == "text_delta")
    assert shown == "Додав молоко. "
    assert "{" not in shown  # no JSON reached the shopper
    state = await world.state()
    assert [(i.sku, i.quantity) for i in state.selection] == [(state.selection[0].sku, 2)]
    assert state.selection[0].sku.startswith("milk-")


async def test_a_model_that_loops_is_stopped_by_the_round_limit_with_a_sentence() -> None:
    looping = ScriptedLLM(
        lambda _r, _i: Reply(text='{"name": "search_products", "arguments": {"query": "молоко"}}')
    )
    world = await build_world(llm=TextToolCallsLLM(looping), limits=Limits(max_rounds=4))
    await world.open()
    frames = await world.say("молоко")
    assert len(looping.requests) == 4
    assert {"type": "error", "code": "max_rounds_exceeded"} in frames
    shown = "".join(f["delta"] for f in frames if f["type"] == "text_delta")
    assert "заплутався" in shown
    assert "{" not in shown


async def test_invented_skus_never_reach_the_cart_and_the_shopper_gets_a_sentence() -> None:
    inventing = ScriptedLLM(
        lambda _r, _i: Reply(
            text='{"name": "add_to_selection", "arguments": {"sku": "milk-999", "quantity": 1}}'
        )
    )
    world = await build_world(llm=TextToolCallsLLM(inventing), limits=Limits(max_rounds=3))
    await world.open()
    frames = await world.say("add milk")
    assert not [s for s in world.webhooks.sent if s[0] == "cart"]  # grounding: the retailer was never asked
    assert (await world.state()).selection == []
    results = [m.content for m in inventing.requests[-1].messages if m.role == "tool"]
    assert results and all("unknown sku" in r for r in results)  # the model was told why, every round
    assert "tangled up" in "".join(f["delta"] for f in frames if f["type"] == "text_delta")
