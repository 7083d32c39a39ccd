"""What hybrid routing saves: the share of turns and model tokens the keyless layer takes over.

    python -m bench.hybrid [DATASET] [--threshold 0.85] [--json]

DATASET defaults to `../shared/eval/uk-dev/agent-utterances.jsonl` (its `catalog.json` beside it
is the catalog). Every line is played as its own conversation through the whole chat stack (the
agent loop, the tools, in-memory search over that catalog, a recording retailer), twice:

- **model only**: every turn goes to the "model";
- **hybrid**: `HybridLLM(OfflineLLM(), model, threshold)`, as the composition root builds it.

The "model" is the offline planner behind a token meter (`MeteredModel`): it answers as the
keyless layer would, so both runs walk the same conversations, and it bills what a real model
would be sent and would write, estimated as one token per 4 characters of the JSON request
(system prompt, history, tool schemas; the hybrid's hint included) and of its answer. Real
tokenizers differ by a constant factor that cancels in the shares reported here.

Reported: turns (a line's `pre` messages count as turns too), the share the keyless layer served,
model calls and tokens in both runs, and the share of tokens saved; per intent and per language.
Needs an offline provider with `understand()` (the `nlu` branch); without it the script says so.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vizochok.adapters.llm.hybrid import DEFAULT_THRESHOLD, HINT_START, HybridLLM, Understanding
from vizochok.core.llm.messages import TextChunk, ToolCallChunk, Usage
from vizochok.core.models import CartItem

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from vizochok.core.llm.messages import LLMEvent, LLMRequest
    from vizochok.core.ports import LLM

DEFAULT_DATASET = (
    Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "uk-dev" / "agent-utterances.jsonl"
)
CHARS_PER_TOKEN = 4


def estimate_tokens(text: str) -> int:
    """About one token per 4 characters, at least one."""
    return max(1, math.ceil(len(text) / CHARS_PER_TOKEN))


class MeteredModel:
    """A stand-in for a real model: the offline planner's answers, billed like a real model's."""

    def __init__(self, inner: LLM) -> None:
        self.inner = inner
        self.calls = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """The inner answer, with the inner `Usage` replaced by the estimate."""
        sent = json.dumps(
            {"system": request.system, "messages": [m.model_dump(mode="json") for m in request.messages],
             "tools": [t.model_dump() for t in request.tools]},
            ensure_ascii=False,
        )  # fmt: skip
        written: list[str] = []
        async for event in self.inner.stream(_without_hint(request)):
            if isinstance(event, Usage):
                continue
            if isinstance(event, TextChunk):
                written.append(event.delta)
            elif isinstance(event, ToolCallChunk):
                written.append(json.dumps(event.call.model_dump(), ensure_ascii=False))
            yield event
        usage = Usage(
            prompt_tokens=estimate_tokens(sent), completion_tokens=estimate_tokens("".join(written))
        )
        self.calls += 1
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        yield usage


def _without_hint(request: LLMRequest) -> LLMRequest:
    """The request as the planner reads it: the hint is billed, but the planner must not parse it as words."""
    messages = [
        m.model_copy(update={"content": m.content.split(HINT_START)[0]}) if m.role == "user" else m
        for m in request.messages
    ]
    return request.model_copy(update={"messages": messages})


@dataclass
class Tally:
    """Counts for one group of lines."""

    lines: int = 0
    turns: int = 0
    keyless_turns: int = 0
    model_calls: int = 0
    tokens: int = 0

    def add(self, other: Tally) -> None:
        """Sum into this tally."""
        for name in ("lines", "turns", "keyless_turns", "model_calls", "tokens"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Report:
    """Both runs, overall and per group."""

    threshold: float
    baseline: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    hybrid: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    keyless_seconds: list[float] = field(default_factory=list)
    """Wall time of each turn the keyless layer served (the whole turn: search, tools, reply)."""

    def rows(self) -> list[dict[str, Any]]:
        """One row per group: `all`, `intent:*`, `lang:*`."""
        out = []
        for group in sorted(self.baseline, key=lambda g: (g != "all", g)):
            base, hyb = self.baseline[group], self.hybrid[group]
            out.append({
                "group": group, "lines": base.lines, "turns": hyb.turns,
                "keyless_turns": hyb.keyless_turns,
                "keyless_turn_share": round(hyb.keyless_turns / hyb.turns, 3) if hyb.turns else 0.0,
                "model_calls_baseline": base.model_calls, "model_calls_hybrid": hyb.model_calls,
                "tokens_baseline": base.tokens, "tokens_hybrid": hyb.tokens,
                "tokens_saved_share": round(1 - hyb.tokens / base.tokens, 3) if base.tokens else 0.0,
            })  # fmt: skip
        return out


def load_lines(path: Path) -> list[dict[str, Any]]:
    """The dataset's lines."""
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


async def _world(catalog: list[dict[str, Any]], llm: LLM) -> Any:
    # The app's graph in its memory profile: the agent loop, tools, services and wrappers are the real ones.
    from vizochok.testing import build_world  # noqa: PLC0415

    stock = {p["sku"]: {"price": 50.0, "stock": 1000} for p in catalog}
    return await build_world(llm=llm, products=catalog, stock=stock)


async def _play(world: Any, line: dict[str, Any], catalog: dict[str, dict[str, Any]]) -> int:
    """Play one line as a fresh conversation; returns the number of turns."""
    await world.open(user=f"bench_{line['id']}")
    setup = line["expect"].get("setup_cart") or {}
    if setup:
        state = await world.state()
        state.selection = [
            CartItem(sku=sku, name=catalog.get(sku, {}).get("name", sku), price=50.0, quantity=quantity)
            for sku, quantity in setup.items()
        ]
        state.seen_skus.extend(setup)
        await world.sessions.save(state, 3600)
    messages = [*line["expect"].get("pre", []), line["text"]]
    for text in messages:
        await world.say(text)
    return len(messages)


async def measure(
    lines: list[dict[str, Any]], catalog: list[dict[str, Any]], keyless: Understanding, threshold: float
) -> Report:
    """Play every line with the model only, then with hybrid routing."""
    by_sku = {p["sku"]: p for p in catalog}
    report = Report(threshold=threshold)
    for line in lines:
        groups = ("all", f"intent:{line['expect']['intent']}", f"lang:{line.get('lang', '?')}")
        model = MeteredModel(keyless)
        world = await _world(catalog, model)
        turns = await _play(world, line, by_sku)
        base = Tally(
            lines=1,
            turns=turns,
            model_calls=model.calls,
            tokens=model.prompt_tokens + model.completion_tokens,
        )

        model = MeteredModel(keyless)
        hybrid = HybridLLM(keyless, model, threshold)
        world = await _world(catalog, _Timed(hybrid, report))
        await _play(world, line, by_sku)
        hyb = Tally(lines=1, turns=turns, keyless_turns=hybrid.stats.keyless_turns, model_calls=model.calls,
                    tokens=model.prompt_tokens + model.completion_tokens)  # fmt: skip
        for group in groups:
            report.baseline[group].add(base)
            report.hybrid[group].add(hyb)
    return report


class _Timed:
    """Times the calls the keyless layer served (zero-token calls of the hybrid)."""

    def __init__(self, inner: HybridLLM, report: Report) -> None:
        self.inner = inner
        self.report = report

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        before = self.inner.stats.keyless_turns
        started = time.perf_counter()
        async for event in self.inner.stream(request):
            yield event
        if self.inner.stats.keyless_turns > before:
            self.report.keyless_seconds.append(time.perf_counter() - started)


def _machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")  # fmt: skip


def _print(report: Report, dataset: Path) -> None:
    print(f"dataset: {dataset}; threshold {report.threshold}; machine: {_machine()}")
    header = (
        "group",
        "lines",
        "turns",
        "keyless",
        "share",
        "calls base",
        "calls hybrid",
        "tokens base",
        "tokens hybrid",
        "saved",
    )
    print(" | ".join(header))
    for row in report.rows():
        cells = (
            row["group"], row["lines"], row["turns"], row["keyless_turns"],
            f"{row['keyless_turn_share']:.1%}", row["model_calls_baseline"], row["model_calls_hybrid"],
            row["tokens_baseline"], row["tokens_hybrid"], f"{row['tokens_saved_share']:.1%}",
        )  # fmt: skip
        print(" | ".join(str(v) for v in cells))
    if report.keyless_seconds:
        times = sorted(report.keyless_seconds)
        p50, worst = times[len(times) // 2] * 1000, times[-1] * 1000
        print(f"first call of a keyless turn: p50 {p50:.1f} ms, max {worst:.1f} ms (in-memory stack)")


def main() -> None:
    """Parse arguments, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", nargs="?", type=Path, default=DEFAULT_DATASET)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()

    from vizochok.adapters.llm.offline import OfflineLLM  # noqa: PLC0415 - after the arguments parsed

    keyless = OfflineLLM()
    if not isinstance(keyless, Understanding):
        sys.exit("the offline provider has no understand() yet: run this after merging the nlu branch")
    catalog = json.loads((args.dataset.parent / "catalog.json").read_text("utf-8"))["products"]
    report = asyncio.run(measure(load_lines(args.dataset), catalog, keyless, args.threshold))
    if args.json:
        print(
            json.dumps(
                {"threshold": report.threshold, "machine": _machine(), "rows": report.rows()},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        _print(report, args.dataset)


if __name__ == "__main__":
    main()
