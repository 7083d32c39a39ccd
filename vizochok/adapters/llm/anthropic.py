"""`AnthropicLLM`: the Anthropic Messages API, streamed.

The wire format differs from Chat Completions in ways that matter: the system prompt is a
top-level field, tool calls are `tool_use` content blocks, their results go back as
`tool_result` blocks inside a *user* message, and `max_tokens` is required.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from vizochok.adapters.llm._history import paired
from vizochok.adapters.llm._http import decode, new_client, post_stream, secret, sse
from vizochok.core.chat.state import ToolCall
from vizochok.core.llm.messages import LLMError, LLMRateLimited, TextChunk, ToolCallChunk, Usage

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    import httpx
    from pydantic import SecretStr

    from vizochok.core.chat.state import ChatMessage
    from vizochok.core.llm.messages import LLMEvent, LLMRequest

DEFAULT_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"
_NAME = "anthropic"
_OVERLOADED = 529
"""Anthropic's "overloaded": as transient as a 429, so it is retried and falls back the same way."""
_TRANSIENT_ERRORS = {"rate_limit_error", "overloaded_error"}
_PROMPT_TOKEN_FIELDS = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def _blocks(message: ChatMessage) -> list[dict[str, Any]]:
    if message.role == "tool":
        return [{"type": "tool_result", "tool_use_id": message.tool_call_id, "content": message.content}]
    # The API rejects empty text blocks, so an assistant turn of only tool calls carries none.
    blocks: list[dict[str, Any]] = [{"type": "text", "text": message.content}] if message.content else []
    blocks += [
        {"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments}
        for call in message.tool_calls
    ]
    return blocks


def wire_messages(messages: list[ChatMessage]) -> list[dict[str, Any]]:
    """The core's history as Messages API turns: tool results join the next user turn, roles alternate."""
    out: list[dict[str, Any]] = []
    for message in paired(messages, start_with_user=True):
        role = "assistant" if message.role == "assistant" else "user"
        blocks = _blocks(message)
        if not blocks:
            continue
        if out and out[-1]["role"] == role:
            # Several tool results (and a shopper's reply after them) form one user turn.
            out[-1]["content"].extend(blocks)
        else:
            out.append({"role": role, "content": blocks})
    return out


def wire_body(request: LLMRequest, max_tokens: int) -> dict[str, Any]:
    """The JSON body of one streamed call."""
    body: dict[str, Any] = {
        "model": request.model,
        "max_tokens": max_tokens,
        "messages": wire_messages(request.messages),
        "stream": True,
    }
    if request.system:
        body["system"] = request.system
    if request.tools:
        body["tools"] = [
            {"name": tool.name, "description": tool.description, "input_schema": tool.parameters}
            for tool in request.tools
        ]
    return body


def _tool_call(block: dict[str, Any], parts: list[str]) -> ToolCall:
    raw = "".join(parts).strip()
    try:
        # With no deltas the block's own `input` (usually {}) is the whole input.
        arguments = json.loads(raw) if raw else block.get("input") or {}
    except ValueError:
        msg = f"{_NAME} streamed input of {block.get('name')!r} that is not JSON: {raw[:80]!r}"
        raise LLMError(msg) from None
    if not isinstance(arguments, dict):
        msg = f"{_NAME} streamed a tool input that is not an object"
        raise LLMError(msg)
    return ToolCall(id=block.get("id") or "", name=block.get("name") or "", arguments=arguments)


def _stream_error(payload: dict[str, Any]) -> LLMError:
    error = payload.get("error") or {}
    message = f"{_NAME} failed mid-stream: {error.get('type')}: {str(error.get('message'))[:300]}"
    return LLMRateLimited(message) if error.get("type") in _TRANSIENT_ERRORS else LLMError(message)


class _Reader:
    """The state of one event stream: tool blocks being filled, token counts, whether it ended."""

    def __init__(self) -> None:
        self.tools: dict[int, tuple[dict[str, Any], list[str]]] = {}
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.stopped = False

    def feed(self, event: str, payload: dict[str, Any]) -> str:
        """Take one event; returns the text it carries ("" for most)."""
        kind = payload.get("type", event)
        if kind == "error":
            raise _stream_error(payload)
        if kind == "message_start":
            usage = (payload.get("message") or {}).get("usage") or {}
            # Cached prompt tokens are billed too, so they count against the conversation's budget.
            self.prompt_tokens = sum(usage.get(k) or 0 for k in _PROMPT_TOKEN_FIELDS)
            self.completion_tokens = usage.get("output_tokens") or 0
        elif kind == "content_block_start":
            block = payload.get("content_block") or {}
            if block.get("type") == "tool_use":
                self.tools[int(payload.get("index", len(self.tools)))] = (block, [])
        elif kind == "content_block_delta":
            return self._delta(int(payload.get("index", -1)), payload.get("delta") or {})
        elif kind == "message_delta":
            # `output_tokens` here is the running total, not an increment. Newer API versions repeat
            # the prompt's counts here too; llama.cpp's server sometimes sends no `message_start` at
            # all, so these are the only prompt counts such a stream has.
            usage = payload.get("usage") or {}
            self.completion_tokens = usage.get("output_tokens") or self.completion_tokens
            if any(k in usage for k in _PROMPT_TOKEN_FIELDS):
                self.prompt_tokens = max(
                    self.prompt_tokens, sum(usage.get(k) or 0 for k in _PROMPT_TOKEN_FIELDS)
                )
        elif kind == "message_stop":
            self.stopped = True
        # `ping`, `content_block_stop` and block types we do not use (thinking) need nothing.
        return ""

    def _delta(self, index: int, delta: dict[str, Any]) -> str:
        if delta.get("type") == "text_delta":
            return str(delta.get("text") or "")
        if delta.get("type") == "input_json_delta":
            if index not in self.tools:
                msg = f"{_NAME} streamed tool input for a block it never started ({index})"
                raise LLMError(msg)
            self.tools[index][1].append(delta.get("partial_json") or "")
        return ""


class AnthropicLLM:
    """The `LLM` port over `POST {base_url}/v1/messages` with `stream: true`."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: SecretStr | str | None = None,
        timeout: float = 60.0,
        max_tokens: int = 4096,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = (base_url or DEFAULT_BASE_URL).rstrip("/") + "/v1/messages"
        self._key = secret(api_key)
        self._max_tokens = max_tokens
        self._client = client or new_client(timeout)

    def __repr__(self) -> str:
        return f"AnthropicLLM({self._url!r})"  # never the key

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """Text as it arrives; tool calls once `message_stop` arrived; usage last."""
        headers = {"anthropic-version": API_VERSION, "Accept": "text/event-stream"}
        if self._key:
            headers["x-api-key"] = self._key
        reader = _Reader()
        body = wire_body(request, self._max_tokens)
        async with post_stream(self._client, _NAME, self._url, headers, body, (_OVERLOADED,)) as response:
            async for event, data in sse(response):
                text = reader.feed(event, decode(data, _NAME))
                if text:
                    yield TextChunk(delta=text)
                if reader.stopped:
                    break
        if not reader.stopped:
            msg = f"{_NAME} stream ended before message_stop"
            raise LLMError(msg)
        for block, parts in (reader.tools[i] for i in sorted(reader.tools)):
            yield ToolCallChunk(call=_tool_call(block, parts))
        yield Usage(prompt_tokens=reader.prompt_tokens, completion_tokens=reader.completion_tokens)
