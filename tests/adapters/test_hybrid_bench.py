"""bench/hybrid.py measures what it says: turns served without the model, and the tokens that saves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bench.hybrid import MeteredModel, estimate_tokens, measure
from tests.core.world import PRODUCTS
from vizochok.adapters.llm.offline import OfflineLLM

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from vizochok.core.llm.messages import LLMEvent, LLMRequest


@dataclass(frozen=True)
class Sure:
    confidence: float
    reason: str
    result: object | None


class StandIn:
    """The offline planner, sure of exactly the messages it is given (the `nlu` layer will decide for itself)."""

    def __init__(self, sure: set[str]) -> None:
        self.planner = OfflineLLM()
        self.sure = sure

    async def understand(self, request: LLMRequest) -> Sure:
        text = next(m.content for m in reversed(request.messages) if m.role == "user")
        return Sure(1.0, "sure", "result") if text in self.sure else Sure(0.2, "a guess", None)

    def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        return self.planner.stream(request)


LINES = [
    {"id": "b1", "text": "молоко", "lang": "uk", "expect": {"intent": "search"}},
    {"id": "b2", "text": "add bread", "lang": "en", "expect": {"intent": "add"}},
    {
        "id": "b3",
        "text": "прибери молоко",
        "lang": "uk",
        "expect": {"intent": "remove", "setup_cart": {"milk-1": 1}},
    },
    {"id": "b4", "text": "а другий", "lang": "uk", "expect": {"intent": "add_ref", "pre": ["кефір"]}},
]


def test_tokens_are_estimated_from_characters() -> None:
    assert estimate_tokens("") == 1
    assert estimate_tokens("x" * 9) == 3


async def test_the_bench_counts_turns_and_tokens_in_both_runs() -> None:
    report = await measure(LINES, PRODUCTS, StandIn({"молоко", "кефір", "прибери молоко"}), threshold=0.9)
    rows = {r["group"]: r for r in report.rows()}
    overall = rows["all"]
    assert (overall["lines"], overall["turns"], overall["keyless_turns"]) == (4, 5, 3)
    assert overall["keyless_turn_share"] == 0.6
    assert 0 < overall["model_calls_hybrid"] < overall["model_calls_baseline"]
    assert 0 < overall["tokens_hybrid"] < overall["tokens_baseline"]
    assert rows["intent:search"]["tokens_hybrid"] == 0  # a keyless turn bills nothing
    assert (
        rows["intent:add"]["tokens_saved_share"] < 0
    )  # an unsure turn costs the hint on top of the same work
    assert rows["lang:en"]["keyless_turns"] == 0
    assert len(report.keyless_seconds) == 3


async def test_the_meter_bills_what_a_model_would_be_sent() -> None:
    from vizochok.core.chat.state import ChatMessage
    from vizochok.core.llm.messages import LLMRequest, Usage

    meter = MeteredModel(OfflineLLM())
    request = LLMRequest(model="m", system="s" * 400, messages=[ChatMessage(role="user", content="привіт")])
    usage = [e async for e in meter.stream(request) if isinstance(e, Usage)]
    assert len(usage) == 1
    assert usage[0].prompt_tokens > 100
    assert (meter.calls, meter.prompt_tokens) == (1, usage[0].prompt_tokens)
