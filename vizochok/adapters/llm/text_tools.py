"""Tool calls that small local models write as text, read as real tool calls (a wrapper).

Small models behind llama.cpp's server or Ollama often answer a tool request with the call
written out as text: `<tool_call>{"name": …, "arguments": …}</tool_call>` (Hermes, Qwen),
`[TOOL_CALLS][{…}]` (Mistral), a fenced ```json block, or a bare `{"name": …, "parameters": …}`
(Llama 3). Shown to the shopper, that is a page of JSON and no action. `TextToolCallsLLM` holds
back the text from the first character that could start such a call, and when the answer ends
turns every call it can read into a `ToolCallChunk`.

A written call counts only when it names a tool the request offered and its arguments are a JSON
object: a model quoting a product record or a recipe as JSON is not calling anything, and that
text reaches the shopper unchanged. Whether the arguments fit the tool's schema is checked where
every call is checked, in the agent loop, which sends the errors back to the model.

Text before the first possible start streams as usual; a provider's own (native) tool calls and
its usage pass through unchanged. Only tenants whose provider setting `text_tool_calls` is on get
this wrapper: a capable model never writes calls as text, and holding back its braces would only
delay them.
"""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

from vizochok.core.chat.state import ToolCall
from vizochok.core.llm.messages import TextChunk, ToolCallChunk

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from vizochok.core.llm.messages import LLMEvent, LLMRequest
    from vizochok.core.ports import LLM

_log = logging.getLogger(__name__)

_STARTS = ("{", "[", "<", "`")
"""Characters at which a written tool call may begin; from the first of them the text is held."""
_TAGGED = re.compile(r"<(tool_call|function_call|tools)>\s*(.*?)\s*(?:</\1>|$)", re.DOTALL)
_FENCED = re.compile(r"```(?:json|tool_call|tool)?\s*(.*?)\s*(?:```|$)", re.DOTALL)
_ARGUMENT_KEYS = ("arguments", "parameters", "args", "input")
_NAME_KEYS = ("name", "tool", "tool_name", "function")


def _first_start(text: str) -> int:
    """Index of the first character that may begin a written call, or -1."""
    found = [i for i in (text.find(c) for c in _STARTS) if i >= 0]
    return min(found) if found else -1


def _json_values(text: str) -> Iterator[tuple[int, int, Any]]:
    """Every top-level JSON object or array in `text`, as `(start, end, value)`."""
    decoder = json.JSONDecoder()
    index = 0
    while index < len(text):
        starts = [i for i in (text.find("{", index), text.find("[", index)) if i >= 0]
        if not starts:
            return
        start = min(starts)
        try:
            value, end = decoder.raw_decode(text, start)
        except ValueError:
            index = start + 1
            continue
        yield start, end, value
        index = end


def _as_call(value: Any, offered: set[str], index: int) -> ToolCall | None:
    """One written call as a `ToolCall`, or None when it is not a call of an offered tool."""
    if not isinstance(value, dict):
        return None
    if isinstance(
        value.get("function"), dict
    ):  # the OpenAI shape, written out: {"type": "function", "function": {...}}
        value = value["function"]
    name = next((value[k] for k in _NAME_KEYS if isinstance(value.get(k), str)), None)
    if name not in offered:
        return None
    arguments: Any = next((value[k] for k in _ARGUMENT_KEYS if k in value), {})
    if isinstance(arguments, str):  # some models write the arguments as a JSON string, as the API would
        try:
            arguments = json.loads(arguments or "{}")
        except ValueError:
            return None
    if not isinstance(arguments, dict):
        return None
    return ToolCall(id=f"text_call_{index}", name=name, arguments=arguments)


def _calls_in(value: Any, offered: set[str], first_index: int) -> list[ToolCall] | None:
    """The calls a JSON value holds (one object or a list of them); None unless every item is a call."""
    items = value if isinstance(value, list) else [value]
    calls = [_as_call(item, offered, first_index + n) for n, item in enumerate(items)]
    if not calls or any(call is None for call in calls):
        return None
    return [call for call in calls if call is not None]


def read_text_calls(text: str, offered: set[str]) -> tuple[list[ToolCall], str]:
    """The tool calls written in `text`, and the text that is left once they are cut out.

    Tags and fences that held a call go with it; anything else (a JSON quote that is not a call,
    a sentence around the calls) stays.
    """
    calls: list[ToolCall] = []
    spans: list[tuple[int, int]] = []
    # Wrappers first (tags, fences, Mistral's marker): the whole wrapper goes when its content is calls.
    for pattern in (_TAGGED, _FENCED):
        for match in pattern.finditer(text):
            inner = match.group(match.lastindex or 0)
            found = [c for _, _, v in _json_values(inner) for c in (_calls_in(v, offered, len(calls)) or [])]
            if found and not any(s <= match.start() < e for s, e in spans):
                calls.extend(found)
                spans.append((match.start(), match.end()))
    for start, end, value in _json_values(text):
        if any(s <= start < e for s, e in spans):
            continue
        bare = _calls_in(value, offered, len(calls))
        if bare:
            calls.extend(bare)
            marker = text.rfind("[TOOL_CALLS]", 0, start)
            spans.append((marker if marker >= 0 and not text[marker + 12 : start].strip() else start, end))
    rest, last = [], 0
    for start, end in sorted(spans):
        rest.append(text[last:start])
        last = end
    rest.append(text[last:])
    return calls, "".join(rest).strip()


class TextToolCallsLLM:
    """Wraps any `LLM`; tool calls the model wrote as text come out as `ToolCallChunk`s."""

    def __init__(self, inner: LLM) -> None:
        self.inner = inner

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """Stream the inner answer, holding text from the first possible call until the answer ends."""
        offered = {tool.name for tool in request.tools}
        held: list[str] = []
        later: list[LLMEvent] = []  # native calls and usage, after whatever the held text becomes
        async for event in self.inner.stream(request):
            if not offered or not isinstance(event, TextChunk):
                if offered:
                    later.append(event)
                    continue
                yield event
            elif held:
                held.append(event.delta)
            elif (start := _first_start(event.delta)) < 0:
                yield event
            else:
                if start:
                    yield TextChunk(delta=event.delta[:start])
                held.append(event.delta[start:])
        for event in self._settle("".join(held), offered, len(request.messages)):
            yield event
        for event in later:
            yield event

    @staticmethod
    def _settle(text: str, offered: set[str], turn: int) -> list[LLMEvent]:
        """The held text as calls (and the words around them), or as the text it was."""
        calls, rest = read_text_calls(text, offered) if text else ([], "")
        if not calls:
            return [TextChunk(delta=text)] if text else []
        _log.info("read %d tool call(s) the model wrote as text: %s", len(calls), [c.name for c in calls])
        events: list[LLMEvent] = [TextChunk(delta=rest)] if rest else []
        # Ids unique within the conversation: the history pairs each call with its result by id.
        events += [
            ToolCallChunk(call=c.model_copy(update={"id": f"text_{turn}_{i}"})) for i, c in enumerate(calls)
        ]
        return events
