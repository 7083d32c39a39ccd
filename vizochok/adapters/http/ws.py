"""`/api/v1/ws/chat`: the handshake, frame validation, per-socket limits, and turns as background tasks."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from typing import TYPE_CHECKING, Any

from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from pydantic import ValidationError

from vizochok.core.cleaning import FRAME_LIMITS, InputRefused, decode_json
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.frames import (
    ActionFrame,
    AuthFrame,
    Error,
    MessageFrame,
    Ping,
    PingFrame,
    Pong,
    ResponseComplete,
    ServerFrame,
    TextEnd,
    invalid_field,
    parse_client_frame,
)

if TYPE_CHECKING:
    from vizochok.core.chat.service import ChatService, Connection

_log = logging.getLogger(__name__)
_SURROGATE = re.compile(r"[\ud800-\udfff]")

CLOSE_AUTH_TIMEOUT = 4001
CLOSE_FORBIDDEN = 4003
CLOSE_TOO_MANY = 4029
CLOSE_TRY_AGAIN = 1013
"""The database or the cache could not be reached during the handshake (RFC 6455 "try again later")."""
CLOSE_PONG_TIMEOUT = 1001
"""A socket that stayed silent for a whole ping interval is gone ("going away"); widgets reconnect."""


class SocketSink:
    """Sends frames in order; a closed socket swallows them (the turn still finishes and is saved)."""

    def __init__(self, socket: WebSocket[Any, Any, Any]) -> None:
        self._socket = socket
        self._lock = asyncio.Lock()
        self.closed = False

    async def send(self, frame: ServerFrame) -> None:
        """Send one frame as JSON text."""
        if self.closed:
            return
        text = json.dumps(frame.dump(), ensure_ascii=False)
        if not text.isascii() and _SURROGATE.search(text):
            # A lone surrogate (from a retailer's JSON, say) cannot be sent as UTF-8; escaped, it can.
            text = json.dumps(frame.dump())
        async with self._lock:
            try:
                await self._socket.send_text(text)
            except (WebSocketDisconnect, RuntimeError, OSError):
                self.closed = True


class TurnSink:
    """One turn's view of the socket: remembers whether the turn began and whether it completed.

    A turn that fails after its first frame must still end the way the widget waits for
    (`text_end`, `error`, then `response_complete`, as docs/protocol.md orders a failed turn), or
    the widget stays busy for good.
    """

    def __init__(self, sink: SocketSink) -> None:
        self._sink = sink
        self.started = False
        self.text_ended = False
        self.completed = False

    async def send(self, frame: ServerFrame) -> None:
        """Pass the frame on, noting the turn's first and last."""
        self.started = True
        if isinstance(frame, TextEnd):
            self.text_ended = True
        if isinstance(frame, ResponseComplete):
            self.completed = True
        await self._sink.send(frame)


class ChatSocket:
    """One shopper's socket from handshake to close."""

    def __init__(self, socket: WebSocket[Any, Any, Any], chat: ChatService) -> None:
        self.socket = socket
        self.chat = chat
        self.sink = SocketSink(socket)
        self.tasks: set[asyncio.Task[None]] = set()
        self._last_seen = 0.0
        self._pinged_at = 0.0
        self._ping_timer: asyncio.TimerHandle | None = None
        self._ping_task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        """Serve the socket until the client leaves."""
        await self.socket.accept()
        conn = await self._handshake()
        if conn is None:
            return
        loop = asyncio.get_running_loop()
        self._schedule_ping(conn)
        try:
            while True:
                message = await self.socket.receive()
                if message["type"] == "websocket.disconnect":
                    break
                self._last_seen = loop.time()
                try:
                    await self._on_frame(conn, message)
                except (WebSocketDisconnect, asyncio.CancelledError):
                    raise
                except Exception:  # a bug in reading one frame must not close the socket (4500)
                    _log.exception("could not handle a frame")
                    await self.sink.send(Error(code=ErrorCode.INTERNAL_ERROR))
        except WebSocketDisconnect:
            pass
        finally:
            self.sink.closed = True
            if self._ping_timer is not None:
                self._ping_timer.cancel()
            if self._ping_task is not None:
                self._ping_task.cancel()
            # Turns in flight finish and save their state even though nobody listens any more.
            if self.tasks:
                await asyncio.gather(*self.tasks, return_exceptions=True)
            try:
                await self.chat.disconnect(conn)
            except Exception:  # a dead cache must not hide the close; the entry goes stale by itself
                _log.warning("could not unregister socket %s", conn.socket_id, exc_info=True)

    def _schedule_ping(self, conn: Connection) -> None:
        # A timer rather than a task sleeping for the socket's whole life: an idle socket is mostly
        # waiting, and a parked task with its coroutine and future costs ~1.5 KB each (bench/RESULTS.md).
        loop = asyncio.get_running_loop()
        self._ping_timer = loop.call_later(conn.limits.ping_interval_seconds, self._start_ping, conn)

    def _start_ping(self, conn: Connection) -> None:
        self._ping_timer = None
        self._ping_task = asyncio.create_task(self._ping(conn))

    async def _ping(self, conn: Connection) -> None:
        """Server `ping` every interval; a socket that sent nothing since the previous ping is closed."""
        try:
            if self._pinged_at and self._last_seen < self._pinged_at:
                self.sink.closed = True
                with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                    await self.socket.close(code=CLOSE_PONG_TIMEOUT, reason="pong timeout")
                return
            self._pinged_at = asyncio.get_running_loop().time()
            await self.sink.send(Ping())
            try:
                await self.chat.heartbeat(conn)
            except Exception:
                _log.warning("socket heartbeat failed", exc_info=True)
            if not self.sink.closed:
                self._schedule_ping(conn)
        finally:
            self._ping_task = None

    async def _handshake(self) -> Connection | None:
        limits = self.chat.default_limits
        try:
            async with asyncio.timeout(limits.auth_timeout_seconds):
                message = await self.socket.receive()
        except TimeoutError:
            await self.socket.close(code=CLOSE_AUTH_TIMEOUT, reason="auth timeout")
            return None
        frame = decode_frame(message, limits.max_frame_bytes)
        if not isinstance(frame, AuthFrame):
            if isinstance(frame, Error):
                await self.sink.send(frame)  # say what was wrong with it before closing
            await self.socket.close(code=CLOSE_AUTH_TIMEOUT, reason="first frame must be auth")
            return None
        try:
            conn = await self.chat.authenticate(frame, _origin(self.socket.scope))
            connected = await self.chat.connect(conn)
        except VizochokError as exc:
            await self.sink.send(Error(code=exc.code))
            await self.socket.close(code=CLOSE_FORBIDDEN, reason=exc.code)
            return None
        except Exception:  # the database or the cache is down: a documented refusal, then "try again later"
            _log.warning("handshake failed: a backing service is unavailable", exc_info=True)
            await self.sink.send(Error(code=ErrorCode.INTERNAL_ERROR))
            await self.socket.close(code=CLOSE_TRY_AGAIN, reason="service unavailable")
            return None
        if not connected:
            await self.socket.close(code=CLOSE_TOO_MANY, reason="too many sockets for this key")
            return None
        try:
            await self.sink.send(self.chat.auth_ok(conn, frame))
            await self.sink.send(await self.chat.open(conn, frame.conversation_id))
        except Exception:  # as above: the conversation could not be read or started
            _log.warning("handshake failed: a backing service is unavailable", exc_info=True)
            with contextlib.suppress(Exception):
                await self.chat.disconnect(conn)
            await self.sink.send(Error(code=ErrorCode.INTERNAL_ERROR))
            await self.socket.close(code=CLOSE_TRY_AGAIN, reason="service unavailable")
            return None
        except BaseException:
            with contextlib.suppress(Exception):
                await self.chat.disconnect(conn)
            raise
        return conn

    async def _on_frame(self, conn: Connection, message: dict[str, Any]) -> None:
        frame = decode_frame(message, conn.limits.max_frame_bytes)
        if isinstance(frame, Error):
            await self.sink.send(frame)
            return
        if isinstance(frame, PingFrame):
            await self.sink.send(Pong())
            return
        if not isinstance(frame, MessageFrame | ActionFrame):
            return  # pong, or a repeated auth: nothing to do
        # Tier 1 (the socket's window) is checked by the turn's first round trip to the cache.
        task = asyncio.create_task(self._turn(conn, frame))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _turn(self, conn: Connection, frame: MessageFrame | ActionFrame) -> None:
        sink = TurnSink(self.sink)
        try:
            if isinstance(frame, MessageFrame):
                if frame.conversation_id and frame.conversation_id != conn.conversation_id:
                    # Tier 1 first, on its own: a refused frame must not switch the conversation.
                    await self.chat.check_window(conn)
                    await self.sink.send(await self.chat.open(conn, frame.conversation_id))
                    await self.chat.message(conn, frame.text, sink, window_checked=True)
                else:
                    await self.chat.message(conn, frame.text, sink)
            else:
                await self.chat.action(conn, frame.action, sink)
        except VizochokError as exc:
            await self._fail(conn, sink, Error(code=exc.code, extra=exc.extra))
        except Exception:  # a bug, or a store is unreachable: refuse this frame, keep the socket
            # Bad input never gets here (`_decode` refused it), so a traceback here is a real bug.
            _log.exception("turn failed outside the agent")
            await self._fail(conn, sink, Error(code=ErrorCode.INTERNAL_ERROR))

    async def _fail(self, conn: Connection, sink: TurnSink, error: Error) -> None:
        """Refuse the frame; a turn that had begun is closed as a failed turn: `text_end`, the error, `response_complete`."""
        closing = sink.started and not sink.completed and conn.conversation_id
        if closing and not sink.text_ended:
            await self.sink.send(TextEnd())
        await self.sink.send(error)
        if closing:
            await self.sink.send(ResponseComplete(conversation_id=conn.conversation_id))


def decode_frame(message: dict[str, Any], max_bytes: int) -> Any:
    """The client frame in `message`, or the `Error` frame that refuses it (never raises).

    Every frame passes `decode_json` (size, depth, numbers, surrogates) and then its model
    (text cleaned, identifiers checked) before anything else sees it. A refusal names the
    field when there is one: `{"type":"error","code":"invalid_json","field":"user_id"}`.
    """
    raw = message.get("text")
    if raw is None:
        return Error(code=ErrorCode.INVALID_JSON)  # a binary frame, or text that was not UTF-8
    if len(raw) > max_bytes // 4 and len(raw.encode("utf-8", "surrogatepass")) > max_bytes:
        return Error(code=ErrorCode.MESSAGE_TOO_LARGE, extra={"max_size": max_bytes})
    data: Any = None
    try:
        data = decode_json(raw, FRAME_LIMITS)
        if not isinstance(data, dict):
            return Error(code=ErrorCode.INVALID_JSON)
        return parse_client_frame(data)
    except InputRefused as exc:
        return Error(code=ErrorCode.INVALID_JSON, extra={"field": exc.field} if exc.field else {})
    except ValidationError as exc:
        field = invalid_field(exc, data)
        return Error(code=ErrorCode.INVALID_JSON, extra={"field": field} if field else {})
    except (ValueError, TypeError):
        return Error(code=ErrorCode.INVALID_JSON)


def _origin(scope: Any) -> str | None:
    # Read from the raw ASGI headers: `socket.headers` would build and keep a parsed copy on every socket.
    for name, value in scope["headers"]:
        if name == b"origin":
            return value.decode("latin-1")
    return None


@websocket("/api/v1/ws/chat")
async def chat_socket(socket: WebSocket[Any, Any, Any], chat: ChatService) -> None:
    """The chat protocol of DECISIONS §1."""
    with contextlib.suppress(WebSocketDisconnect):
        await ChatSocket(socket, chat).run()
