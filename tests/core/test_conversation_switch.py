"""A `message` frame that names another conversation: the order of switching is `ChatService.message`'s rule.

Tier 1 (the socket's window) is taken first and on its own, so a refused frame switches nothing; then
the conversation is opened and its frame goes out before the turn's; the turn does not count the window
again.
"""

from __future__ import annotations

import pytest

from vizochok.adapters.llm.fake import Reply
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.usage.limits import Limits
from vizochok.testing import build_world

pytestmark = pytest.mark.asyncio


async def test_switching_opens_the_named_conversation_before_the_turn_and_counts_the_window_once() -> None:
    world = await build_world(
        Reply(text="перша"), Reply(text="друга"),
        limits=Limits(socket_messages_per_window=2, socket_window_seconds=60),
    )  # fmt: skip
    conn = await world.open()
    first = conn.conversation_id
    await world.say("привіт")
    await world.chat.open(conn, None)  # the socket moved on to a new conversation
    assert conn.conversation_id != first
    await world.chat.message(conn, "повернімось", world.sink, conversation_id=first)
    frames = world.sink.take()
    assert (frames[0]["type"], frames[0]["conversation_id"]) == ("session_restored", first)
    assert frames[-1]["type"] == "response_complete"
    assert conn.conversation_id == first
    # Two frames in the window, each counted once: the switch did not count the second twice.
    with pytest.raises(VizochokError) as caught:
        await world.chat.check_window(conn)
    assert caught.value.code == ErrorCode.RATE_LIMIT_EXCEEDED


async def test_a_frame_refused_by_the_window_does_not_switch_the_conversation() -> None:
    world = await build_world(
        Reply(text="так"),
        limits=Limits(socket_messages_per_window=1, socket_window_seconds=60),
    )  # fmt: skip
    conn = await world.open()
    first = conn.conversation_id
    await world.say("привіт")
    await world.chat.open(conn, None)
    current = conn.conversation_id
    with pytest.raises(VizochokError) as caught:
        await world.chat.message(conn, "повернімось", world.sink, conversation_id=first)
    assert caught.value.code == ErrorCode.RATE_LIMIT_EXCEEDED
    assert conn.conversation_id == current != first
    assert world.sink.take() == []  # not even `session_restored`


async def test_naming_the_current_conversation_is_an_ordinary_message() -> None:
    world = await build_world(Reply(text="так"))
    conn = await world.open()
    await world.chat.message(conn, "привіт", world.sink, conversation_id=conn.conversation_id)
    types = [f["type"] for f in world.sink.take()]
    assert "session_restored" not in types and types[-1] == "response_complete"
