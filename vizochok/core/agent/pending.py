"""The paused interactive tool: answering it keeps the model's history consistent."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from vizochok.core.chat.state import LogEntry

if TYPE_CHECKING:
    from vizochok.core.agent.tools import Turn


def answer_pending(turn: Turn, answer: dict[str, Any]) -> None:
    """Make `answer` the result of the paused tool call and clear the pending tool.

    Providers require every tool call to be followed by its result, so the placeholder
    result written when the turn paused is replaced rather than a new message added.
    """
    pending = turn.state.pending_tool
    turn.state.pending_tool = None
    if pending is None:
        return
    for message in reversed(turn.state.history):
        if message.role == "tool" and message.tool_call_id == pending.tool_call_id:
            message.content = json.dumps(answer, ensure_ascii=False)
            break
    turn.log.append(
        LogEntry(
            kind="tool_result",
            payload={"id": pending.tool_call_id, "name": pending.tool, **answer},
            turn=turn.number,
        )
    )
