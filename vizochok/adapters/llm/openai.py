"""`OpenAILLM`: any OpenAI-compatible Chat Completions endpoint, streamed.

Speaks the wire format directly with httpx, because the same bytes are spoken by OpenAI, Azure's
v1 API, vLLM, Ollama, llama.cpp's server and OpenRouter, and the official SDK would add nothing
but a second retry layer (ours is `RetryingLLM`) and a stricter parser than those servers deserve.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from vizochok.adapters.llm._history import paired
from vizochok.adapters.llm._http import decode, new_client, post_stream, secret, sse
from vizochok.core.chat.state import ToolCall
from vizochok.core.llm.messages import LLMError, TextChunk, ToolCallChunk, Usage

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import httpx
    from pydantic import SecretStr

    from vizochok.core.chat.state import ChatMessage
    from vizochok.core.llm.messages import LLMEvent, LLMRequest

DEFAULT_BASE_URL = "https://api.openai.com/v1"
_NAME = "openai"


def wire_messages(system: str, messages: list[ChatMessage]) -> list[dict[str, Any]]:
    """The core's history as Chat Completions messages."""
    out: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    for message in paired(messages):
        if message.role == "tool":
            out.append({"role": "tool", "tool_call_id": message.tool_call_id, "content": message.content})
        elif message.role == "assistant" and message.tool_calls:
            out.append(
                {
                    "role": "assistant",
                    # Some servers reject "" next to tool calls; null is what OpenAI itself sends back.
                    "content": message.content or None,
                    "tool_calls": [
                        {
                            "id": call.id,
                            "type": "function",
                            "function": {
                                "name": call.name,
                                "arguments": json.dumps(call.arguments, ensure_ascii=False),
                            },
                        }
                        for call in message.tool_calls
                    ],
                }
            )
        else:
            out.append({"role": message.role, "content": message.content})
    return out


def max_tokens_field(base_url: str) -> str:
    """`max_completion_tokens` for OpenAI's and Azure's own APIs, `max_tokens` for everything else.

    OpenAI deprecated `max_tokens` and its reasoning models refuse it; llama.cpp's server, Ollama,
    vLLM and OpenRouter all read `max_tokens`.
    """
    host = urlsplit(base_url).hostname or ""
    return (
        "max_completion_tokens"
        if host == "api.openai.com" or host.endswith(".openai.azure.com")
        else "max_tokens"
    )


def wire_body(
    request: LLMRequest, max_tokens: int | None = None, max_field: str = "max_tokens"
) -> dict[str, Any]:
    """The JSON body of one streamed call; `max_tokens` bounds the answer (a looping small model stops)."""
    body: dict[str, Any] = {
        "model": request.model,
        "messages": wire_messages(request.system, request.messages),
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if max_tokens:
        body[max_field] = max_tokens
    if request.tools:
        body["tools"] = [
            {"type": "function", "function": tool.model_dump(include={"name", "description", "parameters"})}
            for tool in request.tools
        ]
    return body


@dataclass
class _PartialCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class _Assembler:
    """Collects tool-call fragments by their `index`; a call is whole only when the stream ends."""

    def __init__(self) -> None:
        self.calls: dict[int, _PartialCall] = {}

    def add(self, fragment: dict[str, Any]) -> None:
        if "index" in fragment:
            key = int(fragment["index"])
        elif fragment.get("id") or not self.calls:
            # Older Ollama and llama.cpp builds omit `index`: a fragment with an id starts a call...
            key = max(self.calls, default=-1) + 1
        else:
            key = max(self.calls)  # ...and one without continues the latest.
        partial = self.calls.setdefault(key, _PartialCall())
        partial.id = fragment.get("id") or partial.id
        function = fragment.get("function") or {}
        partial.name = function.get("name") or partial.name
        if function.get("arguments"):
            partial.arguments.append(function["arguments"])

    def finish(self) -> list[ToolCall]:
        calls = []
        for index in sorted(self.calls):
            partial = self.calls[index]
            raw = "".join(partial.arguments).strip() or "{}"
            try:
                arguments = json.loads(raw)
            except ValueError:
                msg = f"{_NAME} streamed arguments of {partial.name!r} that are not JSON: {raw[:80]!r}"
                raise LLMError(msg) from None
            if not partial.name or not isinstance(arguments, dict):
                msg = f"{_NAME} streamed an incomplete tool call at index {index}"
                raise LLMError(msg)
            calls.append(ToolCall(id=partial.id or f"call_{index}", name=partial.name, arguments=arguments))
        return calls


class _Reader:
    """The state of one stream: tool calls being assembled, the usage, whether the model finished."""

    def __init__(self) -> None:
        self.calls = _Assembler()
        self.usage: Usage | None = None
        self.finished = False

    def feed(self, chunk: dict[str, Any]) -> list[str]:
        """Take one chunk; returns the text deltas it carries."""
        if error := chunk.get("error"):  # vLLM and OpenRouter report failures inside a 200 stream
            message = error.get("message", error) if isinstance(error, dict) else error
            msg = f"{_NAME} failed mid-stream: {str(message)[:300]}"
            raise LLMError(msg)
        texts = []
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            if delta.get("content"):
                texts.append(str(delta["content"]))
            for fragment in delta.get("tool_calls") or []:
                self.calls.add(fragment)
            self.finished = self.finished or bool(choice.get("finish_reason"))
        if usage := chunk.get("usage"):
            self.usage = Usage(
                prompt_tokens=usage.get("prompt_tokens") or 0,
                completion_tokens=usage.get("completion_tokens") or 0,
            )
        return texts


class OpenAILLM:
    """The `LLM` port over `POST {base_url}/chat/completions` with `stream: true`."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: SecretStr | str | None = None,
        timeout: float = 60.0,
        client: httpx.AsyncClient | None = None,
        max_tokens: int | None = 4096,
    ) -> None:
        self._url = (base_url or DEFAULT_BASE_URL).rstrip("/") + "/chat/completions"
        self._key = secret(api_key)
        self._client = client or new_client(timeout)
        self._max_tokens = max_tokens
        self._max_field = max_tokens_field(self._url)

    def __repr__(self) -> str:
        return f"OpenAILLM({self._url!r})"  # never the key

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """Text as it arrives; tool calls once the stream completed; usage from the final chunk."""
        headers = {"Accept": "text/event-stream"}
        if self._key:  # local servers (Ollama, llama.cpp) usually want none
            headers["Authorization"] = f"Bearer {self._key}"
        reader = _Reader()
        async with post_stream(
            self._client, _NAME, self._url, headers, wire_body(request, self._max_tokens, self._max_field)
        ) as response:
            async for _event, data in sse(response):
                if data.strip() == "[DONE]":
                    reader.finished = True
                    break
                for text in reader.feed(decode(data, _NAME)):
                    yield TextChunk(delta=text)
        if not reader.finished:
            # A cut connection must not run half the model's tool calls.
            msg = f"{_NAME} stream ended before the model finished"
            raise LLMError(msg)
        for call in reader.calls.finish():
            yield ToolCallChunk(call=call)
        if reader.usage is not None:
            yield reader.usage
