"""The agent loop: ask the model, run the tools it calls, repeat, within rounds, budget and time."""

from __future__ import annotations

import functools
import json
import logging
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from vizochok.core.agent.pending import answer_pending
from vizochok.core.agent.phrases import phrase
from vizochok.core.agent.prompt import system_prompt
from vizochok.core.agent.tools import ToolError, ToolResult
from vizochok.core.chat.state import ChatMessage, LogEntry, ToolCall
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.llm.messages import LLMRequest, TextChunk, ToolCallChunk, ToolSpec, Usage
from vizochok.core.usage.pricing import UsageRecord

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from vizochok.core.agent.tools import Tool, Turn
    from vizochok.core.models import Tenant
    from vizochok.core.ports import LLM

_log = logging.getLogger(__name__)

HISTORY_MESSAGES = 40
"""Messages of earlier turns sent to the model; older ones stay in the log only."""


def _history_start(history: list[ChatMessage]) -> int:
    """Index of the first message to send: recent ones only, never starting on an orphaned tool result."""
    last_user = max((i for i, m in enumerate(history) if m.role == "user"), default=0)
    start = max(0, len(history) - HISTORY_MESSAGES)
    if start >= last_user:
        return last_user  # a long turn: keep all of it
    while history[start].role != "user":
        start += 1
    return start


@functools.cache
def _parameters(args: type) -> dict[str, Any]:
    """A tool's JSON schema, built once per tool: pydantic takes milliseconds per call to build it."""
    return args.model_json_schema()  # type: ignore[attr-defined,no-any-return]


class ModelChoice:
    """The model names a tenant's turn uses (smart routing)."""

    def __init__(self, complex_model: str, fast_model: str) -> None:
        self.complex_model = complex_model
        self.fast_model = fast_model


class Agent:
    """Runs one turn at a time; frames go out through the turn's emitter as they happen."""

    def __init__(
        self,
        llm_for: Callable[[Tenant], LLM],
        models_for: Callable[[Tenant], ModelChoice],
        tools: Mapping[str, Tool],
    ) -> None:
        self._llm_for = llm_for
        self._models_for = models_for
        self._tools = tools

    def tools_for(self, tenant: Tenant) -> dict[str, Tool]:
        """The tools this tenant allows."""
        disabled = set(tenant.disabled_tools)
        return {name: tool for name, tool in self._tools.items() if name not in disabled}

    async def run(self, turn: Turn, user_text: str, max_rounds: int) -> None:
        """Answer `user_text`; raises `VizochokError(MAX_ROUNDS_EXCEEDED)` when the model will not stop."""
        state = turn.state
        if state.pending_tool is not None:
            # The shopper moved on without answering: the paused tool gets that as its result.
            answer_pending(turn, {"status": "dismissed", "reason": "the shopper sent a new message"})
        state.history.append(ChatMessage(role="user", content=user_text))
        await self._loop(turn, max_rounds)

    async def resume(self, turn: Turn, answer: dict[str, Any], max_rounds: int) -> None:
        """Continue a paused turn: the shopper's answer becomes the interactive tool's result."""
        answer_pending(turn, answer)
        await self._loop(turn, max_rounds)

    async def _loop(self, turn: Turn, max_rounds: int) -> None:
        state = turn.state
        tools = self.tools_for(turn.tenant)
        specs = [
            ToolSpec(name=t.name, description=t.description, parameters=_parameters(t.args))
            for t in tools.values()
        ]
        llm = self._llm_for(turn.tenant)
        models = self._models_for(turn.tenant)
        first_history = _history_start(state.history)
        for _ in range(max_rounds):
            await turn.emitter.status("thinking")
            request = LLMRequest(
                # Smart routing: the conversation's first call gets the complex model, every later one the fast model.
                model=models.complex_model if state.llm_calls == 0 else models.fast_model,
                system=system_prompt(turn.tenant, turn.profile),
                messages=state.history[first_history:],
                tools=specs,
                language=state.language,
                context={
                    "selection": [i.model_dump() for i in state.selection],
                    "profile": turn.profile,
                    # The tenant's own dishes, for the keyless assistant's recipe book (docs/agent.md).
                    "recipes": turn.tenant.recipes,
                },
            )
            text, calls, usage = await self._call_model(turn, llm, request)
            # Stored with the turn's log, in its transaction (see `ConversationLog.append`).
            turn.usage.append(
                UsageRecord(tenant_id=turn.tenant.id, conversation_id=state.conversation_id, model=request.model,
                            prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens)
            )  # fmt: skip
            state.history.append(ChatMessage(role="assistant", content=text, tool_calls=calls))
            turn.log.append(
                LogEntry(
                    kind="assistant_message",
                    payload={"text": text, "model": request.model, **usage.model_dump()},
                    turn=turn.number,
                )
            )
            if not calls:
                return
            paused = False
            for call in calls:
                result = await self._run_tool(turn, tools, call)
                state.history.append(
                    ChatMessage(
                        role="tool",
                        tool_call_id=call.id,
                        name=call.name,
                        content=json.dumps(result.content, ensure_ascii=False),
                    )
                )
                if result.pending is not None:
                    state.pending_tool = result.pending.model_copy(update={"tool_call_id": call.id})
                paused = paused or result.pause
            if paused:
                return
        # A model that loops (a small local one repeating a call, or inventing SKUs that grounding
        # keeps refusing) is stopped here; the shopper gets a sentence, the client the error code.
        await turn.emitter.text(
            ("" if not turn.emitter.text_parts else " ") + phrase("rounds", state.language)
        )
        raise VizochokError(
            ErrorCode.MAX_ROUNDS_EXCEEDED, f"the model kept calling tools after {max_rounds} rounds"
        )

    async def _call_model(
        self, turn: Turn, llm: LLM, request: LLMRequest
    ) -> tuple[str, list[ToolCall], Usage]:
        text: list[str] = []
        calls: list[ToolCall] = []
        usage = Usage()
        async for event in llm.stream(request):
            if isinstance(event, TextChunk):
                text.append(event.delta)
                await turn.emitter.text(event.delta)
            elif isinstance(event, ToolCallChunk):
                calls.append(event.call)
            elif isinstance(event, Usage):
                usage = Usage(
                    prompt_tokens=usage.prompt_tokens + event.prompt_tokens,
                    completion_tokens=usage.completion_tokens + event.completion_tokens,
                )
        turn.state.tokens_used += usage.prompt_tokens + usage.completion_tokens
        if usage.prompt_tokens or usage.completion_tokens:
            # Calls that billed nothing (a turn the keyless layer answered under hybrid routing) do
            # not count for smart routing: the first real model call still gets the complex model.
            turn.state.llm_calls += 1
        return "".join(text), calls, usage

    async def _run_tool(self, turn: Turn, tools: Mapping[str, Tool], call: ToolCall) -> ToolResult:
        turn.log.append(LogEntry(kind="tool_call", payload=call.model_dump(), turn=turn.number))
        tool = tools.get(call.name)
        if tool is None:
            result = ToolResult({"error": f"tool {call.name!r} is not available"})
        else:
            try:
                args = tool.args.model_validate(call.arguments)
                result = await tool.run(turn, args)
            except ValidationError as exc:
                result = ToolResult(
                    {"error": "invalid arguments", "details": json.loads(exc.json(include_url=False))}
                )
            except ToolError as exc:
                result = ToolResult({"error": str(exc)})
        turn.log.append(
            LogEntry(
                kind="tool_result",
                payload={"id": call.id, "name": call.name, **result.content},
                turn=turn.number,
            )
        )
        return result
