"""`vizochok eval agent` as a regression gate: the keyless assistant on labelled shopper messages, over the socket.

uk-dev's 120 messages (shared/eval, read at run time) and our own 64 (tests/data/agent-own.jsonl, over
the same catalog, written apart from uk-dev) are played against a recording retailer. A wrong cart change
fails the gate outright; pass rates must hold overall, per intent and per language.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from vizochok.cli.agent_eval import evaluate

if TYPE_CHECKING:
    from vizochok.bootstrap import Prepared

UK_DEV = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "uk-dev"
OWN = Path(__file__).resolve().parents[1] / "data" / "agent-own.jsonl"


def check(summary: dict[str, Any], overall: float, each: float) -> None:
    assert summary["overall"]["wrong_changes"] == 0, summary
    assert summary["overall"]["pass_rate"] >= overall, summary["overall"]
    low = {f"{group} {name}": block["pass_rate"] for group in ("intent", "lang") for name, block in summary[group].items()
           if block["pass_rate"] < each}  # fmt: skip
    assert not low, low


async def test_keyless_assistant_on_uk_dev_and_our_own_messages(prepared: Prepared) -> None:
    if not UK_DEV.exists():
        pytest.skip("shared eval folder absent")
    report = await evaluate(prepared.settings, UK_DEV)
    failures = [
        (line["id"], line["text"], line["why"], line["reply"][:80])
        for line in report["lines"]
        if not line["passed"]
    ]
    check(report["summary"], overall=0.95, each=0.85)
    assert len(failures) <= 6, failures

    own = await evaluate(prepared.settings, OWN, catalog=UK_DEV / "catalog.json")
    check(own["summary"], overall=0.9, each=0.8)
