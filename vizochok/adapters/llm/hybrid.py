"""Hybrid routing: the keyless layer answers what it understands for sure, the model the rest.

`HybridLLM(keyless, model, threshold)` wraps a tenant's real model. At the start of each turn it
asks the keyless (offline) layer for its reading of the shopper's message. A reading with a
result and a confidence at or above `threshold` is served by the keyless layer itself: no model
call, zero tokens. Anything else goes to the model, with the reading attached to the shopper's
message as a short note, so that the model starts from what the parser did understand.

The whole turn stays with whichever side started it: the keyless layer's tool calls carry a
marker in their ids, and every later call of that turn (tool results, a resumed question) is
routed by the first call's ids. A model never has to continue a plan it did not make.

This is cross-cutting by wrapping: neither the adapters nor the agent loop know about it, and a
tenant switches it off in its LLM settings (`hybrid: false`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from vizochok.core.llm.messages import ToolCallChunk

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from vizochok.core.llm.messages import LLMEvent, LLMRequest
    from vizochok.core.ports import LLM

_log = logging.getLogger(__name__)

KEYLESS_ID = "kl-"
"""Prefix of the ids of tool calls the keyless layer made; it routes the rest of the turn."""
DEFAULT_THRESHOLD = 0.85
HINT_START = "\n\n[Note from the shop's rule-based parser, not from the shopper: "


class Reading(Protocol):
    """What the keyless layer made of a request (`nlu`'s frozen dataclass satisfies this)."""

    @property
    def confidence(self) -> float:
        """0..1: how sure the layer is that `result` is what the shopper meant."""
        ...

    @property
    def reason(self) -> str:
        """Why, in words: logged, and the hint a model gets."""
        ...

    @property
    def result(self) -> object | None:
        """The layer's answer (an `LLMResult`), None when it has none."""
        ...


@runtime_checkable
class Understanding(Protocol):
    """A keyless layer that can say how sure it is before it answers."""

    async def understand(self, request: LLMRequest) -> Reading:
        """The layer's reading of the request's last user message."""
        ...

    def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """Its answer, as any `LLM`."""
        ...


@dataclass
class HybridStats:
    """Turns each side started, for logs and the benchmark."""

    keyless_turns: int = 0
    model_turns: int = 0
    unsure: int = 0
    """Of `model_turns`: the keyless layer had a reading below the threshold (sent as a hint)."""


def hint(reading: Reading) -> str:
    """The note a model gets with the shopper's message: what the parser understood, and how surely."""
    return (
        f"{HINT_START}{reading.reason} (confidence {reading.confidence:.2f}). "
        "Use it if it helps; check products with the tools.]"
    )


def _turn_start(request: LLMRequest) -> int:
    """Index of the last user message: the start of the current turn."""
    return max((i for i, m in enumerate(request.messages) if m.role == "user"), default=-1)


def _owner(request: LLMRequest) -> str | None:
    """Who started this turn: `keyless` or `model`; None on the turn's first call."""
    for message in request.messages[_turn_start(request) + 1 :]:
        if message.role == "assistant" and message.tool_calls:
            return "keyless" if message.tool_calls[0].id.startswith(KEYLESS_ID) else "model"
    return None


class HybridLLM:
    """The `LLM` port: `keyless` for confidently understood turns, `model` for the rest."""

    def __init__(self, keyless: Understanding, model: LLM, threshold: float = DEFAULT_THRESHOLD) -> None:
        self.keyless = keyless
        self.model = model
        self.threshold = threshold
        self.stats = HybridStats()

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """Route the call; see the module's docstring."""
        owner = _owner(request)
        if owner == "keyless":
            async for event in self._keyless(request):
                yield event
            return
        if owner == "model":
            async for event in self.model.stream(request):
                yield event
            return
        reading = await self._read(request)
        if reading is not None and reading.result is not None and reading.confidence >= self.threshold:
            self.stats.keyless_turns += 1
            _log.info(
                "hybrid: keyless layer answers (confidence %.2f): %s", reading.confidence, reading.reason
            )
            async for event in self._keyless(request):
                yield event
            return
        self.stats.model_turns += 1
        if reading is not None and reading.reason:
            self.stats.unsure += 1
            request = self._with_hint(request, reading)
        async for event in self.model.stream(request):
            yield event

    async def _read(self, request: LLMRequest) -> Reading | None:
        try:
            return await self.keyless.understand(request)
        except Exception:  # noqa: BLE001 - the model can still answer: a parser bug must not end the turn
            _log.exception("hybrid: the keyless layer failed to read the request; the model answers")
            return None

    async def _keyless(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        async for event in self.keyless.stream(request):
            if isinstance(event, ToolCallChunk) and not event.call.id.startswith(KEYLESS_ID):
                event = ToolCallChunk(call=event.call.model_copy(update={"id": KEYLESS_ID + event.call.id}))  # noqa: PLW2901
            yield event

    @staticmethod
    def _with_hint(request: LLMRequest, reading: Reading) -> LLMRequest:
        # On the user message rather than in the system prompt: the prompt stays the same on every
        # call, so the provider's prompt cache keeps serving it.
        start = _turn_start(request)
        if start < 0:
            return request
        messages = list(request.messages)
        messages[start] = messages[start].model_copy(
            update={"content": messages[start].content + hint(reading)}
        )
        return request.model_copy(update={"messages": messages})
