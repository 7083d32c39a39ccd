"""What the offline layer makes of a request, for the provider itself and for a router in front of a real model."""

from __future__ import annotations

from dataclasses import dataclass, field

from vizochok.core.chat.state import ToolCall


@dataclass(frozen=True)
class LLMResult:
    """One round's answer, as a model would give it: text and tool calls (zero tokens)."""

    text: str = ""
    tool_calls: tuple[ToolCall, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Reading:
    """How sure the offline layer is about this round, why, and what it would answer.

    A router may serve `result` instead of calling a real model when `confidence` is at least its
    threshold; below it, `reason` is a useful hint for the model.
    """

    confidence: float
    """0..1: 0.9 and above only when product, quantity and unit were all understood."""
    reason: str
    result: LLMResult | None
