"""Shipped fakes of the `LLM` port, for tests and for trying tools without a provider.

`ScriptedLLM(fn)`: `fn(request, info)` returns what the model "says" on each call.
`QueueLLM`: canned answers, one per call, in order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vizochok.core.chat.state import ToolCall
from vizochok.core.llm.messages import LLMEvent, LLMRequest, TextChunk, ToolCallChunk, Usage

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable


@dataclass
class Reply:
    """One model answer: text, tool calls `(name, arguments)`, and the tokens to report."""

    text: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    prompt_tokens: int = 10
    completion_tokens: int = 5


@dataclass
class CallInfo:
    """What a scripted function may look at besides the request."""

    index: int
    """0 for the first call this fake received."""
    tool_results: list[dict[str, Any]]
    """Results of tools since the last user message, decoded."""


class ScriptedLLM:
    """A model whose every answer is computed by a test function (pydantic-ai's FunctionModel)."""

    def __init__(self, fn: Callable[[LLMRequest, CallInfo], Reply]) -> None:
        self._fn = fn
        self.requests: list[LLMRequest] = []

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """Stream the scripted reply: text word by word, then calls, then usage."""
        self.requests.append(request)
        last_user = max((i for i, m in enumerate(request.messages) if m.role == "user"), default=-1)
        results = [json.loads(m.content) for m in request.messages[last_user + 1 :] if m.role == "tool"]
        reply = self._fn(request, CallInfo(index=len(self.requests) - 1, tool_results=results))
        for word in reply.text.split(" "):
            if word:
                yield TextChunk(delta=word + " ")
        for index, (name, arguments) in enumerate(reply.calls):
            yield ToolCallChunk(
                call=ToolCall(id=f"call_{len(self.requests)}_{index}", name=name, arguments=arguments)
            )
        yield Usage(prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens)


class QueueLLM(ScriptedLLM):
    """Answers with the queued replies in order; a final text reply when the queue runs dry."""

    def __init__(self, *replies: Reply) -> None:
        self.queue = list(replies)
        super().__init__(lambda _request, _info: self.queue.pop(0) if self.queue else Reply(text="ok"))

    def enqueue(self, *replies: Reply) -> None:
        """Add replies to the end of the queue."""
        self.queue.extend(replies)


def example_value(schema: dict[str, Any], defs: dict[str, Any] | None = None) -> Any:
    """A value that satisfies a (pydantic-generated) JSON schema: the smallest valid one."""
    defs = defs if defs is not None else schema.get("$defs", {})
    if "$ref" in schema:
        return example_value(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in schema:
        non_null = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return example_value(non_null[0], defs) if non_null else None
    if "default" in schema:
        return schema["default"]
    kind = schema.get("type")
    if kind == "object":
        return {
            name: example_value(sub, defs)
            for name, sub in schema.get("properties", {}).items()
            if name in schema.get("required", [])
        }
    if kind == "array":
        return [example_value(schema.get("items", {}), defs) for _ in range(schema.get("minItems", 1))]
    if kind == "string":
        return "a" * max(1, schema.get("minLength", 1))
    if kind == "integer":
        return max(1, int(schema.get("minimum", schema.get("exclusiveMinimum", 0)) + 1))
    if kind == "number":
        return max(1.0, float(schema.get("minimum", schema.get("exclusiveMinimum", 0))) + 1.0)
    if kind == "boolean":
        return True
    return None


class EveryToolLLM:
    """Calls every offered tool once, with schema-valid arguments, then answers (pydantic-ai's TestModel)."""

    def __init__(self) -> None:
        self.requests: list[LLMRequest] = []

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """First call: every tool; later calls: a short text."""
        self.requests.append(request)
        if not any(m.role == "tool" for m in request.messages):
            for index, tool in enumerate(request.tools):
                arguments = example_value(tool.parameters)
                yield ToolCallChunk(call=ToolCall(id=f"every_{index}", name=tool.name, arguments=arguments))
        else:
            yield TextChunk(delta="done")
        yield Usage(prompt_tokens=1, completion_tokens=1)
