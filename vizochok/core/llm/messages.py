"""What the agent asks a language model and what streams back (the data of the `LLM` port)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from vizochok.core.chat.state import ChatMessage, ToolCall


class ToolSpec(BaseModel):
    """A tool as offered to a model: a name, a description and a JSON schema of its arguments."""

    name: str
    description: str
    parameters: dict[str, Any]


class LLMRequest(BaseModel):
    """One call to a model."""

    model: str
    system: str
    messages: list[ChatMessage]
    tools: list[ToolSpec] = Field(default_factory=list)
    language: str | None = None
    """The shopper's language when known (`uk`, `en`, `ru`)."""
    context: dict[str, Any] = Field(default_factory=dict)
    """Structured facts for rule-based providers (the offline planner); real models ignore it."""


class TextChunk(BaseModel):
    """A piece of assistant text."""

    delta: str


class ToolCallChunk(BaseModel):
    """A complete tool call; providers assemble streamed argument deltas before yielding it."""

    call: ToolCall


class Usage(BaseModel):
    """Tokens the provider reports for the call."""

    prompt_tokens: int = 0
    completion_tokens: int = 0


LLMEvent = TextChunk | ToolCallChunk | Usage


class LLMError(Exception):
    """A provider failed; the turn ends with `internal_error` unless a wrapper recovers."""


class LLMRateLimited(LLMError):
    """HTTP 429 or the provider's equivalent; `retry_after` in seconds when the provider said."""

    def __init__(self, message: str = "rate limited", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class LLMTimeout(LLMError):
    """The provider did not answer in time."""
