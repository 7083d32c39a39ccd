"""Ports: Language models and embedders."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from vizochok.core.llm.messages import LLMEvent, LLMRequest


@runtime_checkable
class LLM(Protocol):
    """A language model that streams text and tool calls."""

    def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """Stream the model's answer to `request`."""
        ...


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors off the event loop."""

    dim: int

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of catalog texts."""
        ...

    async def embed_query(self, text: str) -> list[float]:
        """Vector of a shopper's query."""
        ...


__all__ = (
    "LLM",
    "Embedder",
)
