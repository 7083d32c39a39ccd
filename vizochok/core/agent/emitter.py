"""Keeps a turn's frames in the documented order: status… → text_delta… → text_end → UI frames → response_complete."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from vizochok.core.frames import Error, ResponseComplete, ServerFrame, Status, StatusCode, TextDelta, TextEnd

if TYPE_CHECKING:
    from vizochok.core.chat.state import LogEntry


class FrameSink(Protocol):
    """Where frames go: the socket, a test list, a bot bridge."""

    async def send(self, frame: ServerFrame) -> None:
        """Deliver one frame."""
        ...


class TurnEmitter:
    """Buffers UI frames until the text block ends; drops status frames once text has begun."""

    def __init__(self, sink: FrameSink, log: list[LogEntry] | None = None, turn: int = 0) -> None:
        self._sink = sink
        self._ui: list[ServerFrame] = []
        self._text_started = False
        self._finished = False
        self._complete: ResponseComplete | None = None
        self._last_status: StatusCode | None = None
        self._log = log
        self._turn = turn
        self.text_parts: list[str] = []

    def _record(self, frame: ServerFrame) -> None:
        if self._log is not None:
            from vizochok.core.chat.state import LogEntry  # noqa: PLC0415 - avoid a cycle at import time

            self._log.append(LogEntry(kind="frame", payload=frame.dump(), turn=self._turn))

    async def _send(self, frame: ServerFrame) -> None:
        self._record(frame)
        await self._sink.send(frame)

    async def status(self, code: StatusCode) -> None:
        """A progress hint; only before the answer's text starts, and only when it changes."""
        if not self._text_started and code != self._last_status:
            self._last_status = code
            await self._send(Status(code=code))

    async def text(self, delta: str) -> None:
        """A piece of the answer."""
        if delta:
            self._text_started = True
            self.text_parts.append(delta)
            await self._send(TextDelta(delta=delta))

    def ui(self, frame: ServerFrame) -> None:
        """A UI frame, sent after `text_end`."""
        self._ui.append(frame)

    @property
    def pending_ui(self) -> list[ServerFrame]:
        """UI frames not yet sent."""
        return list(self._ui)

    async def finish(self, conversation_id: str, error: str | None = None, **extra: Any) -> None:
        """Close the text block and send the UI frames; with `error`, the error frame comes last.

        Frames of confirmed cart changes are never dropped, even when the turn fails later.
        `response_complete` is recorded now but sent by `complete()`, once the turn's state
        is saved and its lock released, so that a client answering at once is not `agent_busy`.
        """
        if self._finished:
            return
        self._finished = True
        await self._send(TextEnd())
        for frame in self._ui:
            await self._send(frame)
        if error is not None:
            await self._send(Error(code=error, extra=extra))
        self._complete = ResponseComplete(conversation_id=conversation_id)
        self._record(self._complete)

    async def complete(self) -> None:
        """Send `response_complete` (after `finish`)."""
        if self._complete is not None:
            await self._sink.send(self._complete)
            self._complete = None
