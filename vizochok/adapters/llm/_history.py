"""Keep a history window acceptable to providers that check tool calls against tool results.

The agent sends only the last messages of a long conversation, and a window can start between an
assistant's tool calls and their results; a turn cut short can leave calls without results. Both
OpenAI and Anthropic reject such a request outright, failing every later turn of the
conversation, so the adapters drop the unpaired halves instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vizochok.core.chat.state import ChatMessage


def paired(messages: list[ChatMessage], start_with_user: bool = False) -> list[ChatMessage]:
    """`messages` without tool results whose call is absent, and without calls whose result is absent.

    Args:
        messages: The history window, oldest first.
        start_with_user: Also drop whatever precedes the first user message (Anthropic wants a user first).

    """
    if start_with_user:
        first = next((i for i, m in enumerate(messages) if m.role == "user"), len(messages))
        messages = messages[first:]
    answered = {m.tool_call_id for m in messages if m.role == "tool"}
    asked: set[str] = set()
    out: list[ChatMessage] = []
    for message in messages:
        if message.role == "assistant" and message.tool_calls:
            calls = [call for call in message.tool_calls if call.id in answered]
            asked.update(call.id for call in calls)
            if not calls and not message.content:
                continue
            if len(calls) != len(message.tool_calls):
                message = message.model_copy(update={"tool_calls": calls})  # noqa: PLW2901
        elif message.role == "tool" and message.tool_call_id not in asked:
            continue
        out.append(message)
    return out
