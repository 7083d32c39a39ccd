"""A turn that fails after it began still ends the way the widget waits for (issue 13, finding 3)."""

from __future__ import annotations

import json
from typing import Any

from vizochok.adapters.http.ws import ChatSocket
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.frames import MessageFrame, Status


class RecordingSocket:
    """What `SocketSink` writes to: the frames, decoded."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send_text(self, text: str) -> None:
        self.frames.append(json.loads(text))


class FailingChat:
    """A chat service whose turn sends its first frame and then fails (a store gone, a bug)."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    async def message(self, conn: Any, text: str, sink: Any, **_: Any) -> None:
        await sink.send(Status(code="thinking"))
        raise self.error


class Conn:
    conversation_id = "conv_test"


async def run_turn(error: Exception) -> list[dict[str, Any]]:
    socket = RecordingSocket()
    chat = ChatSocket(socket, FailingChat(error))  # type: ignore[arg-type]
    await chat._turn(Conn(), MessageFrame(type="message", text="молоко"))  # type: ignore[arg-type]
    return socket.frames


async def test_a_turn_failing_after_its_first_frame_ends_with_response_complete() -> None:
    frames = await run_turn(RuntimeError("the cache went away"))
    assert frames == [
        {"type": "status", "code": "thinking"},
        {"type": "text_end"},
        {"type": "error", "code": "internal_error"},
        {"type": "response_complete", "conversation_id": "conv_test"},
    ]


async def test_a_documented_refusal_mid_turn_ends_the_same_way() -> None:
    frames = await run_turn(VizochokError(ErrorCode.NO_CATALOG_DATA))
    assert [f["type"] for f in frames] == ["status", "text_end", "error", "response_complete"]
    assert frames[2]["code"] == "no_catalog_data"
