"""Test helpers: a real server in a thread, a WebSocket client that reads whole turns."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

import uvicorn
import websockets

from vizochok.adapters.http.server import uvicorn_options
from vizochok.settings import get_settings

if TYPE_CHECKING:
    from litestar import Litestar

    from vizochok.settings import Settings


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThreadedServer:
    """uvicorn serving `app` on a loopback port from a background thread."""

    def __init__(self, app: Litestar, port: int, settings: Settings | None = None) -> None:
        self.app = app
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/api/v1/ws/chat"
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            **uvicorn_options(settings or get_settings()),
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self, timeout: float = 600) -> None:
        """Start and wait until the lifespan finished."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                msg = "test server did not start"
                raise RuntimeError(msg)
            time.sleep(0.05)

    def stop(self) -> None:
        """Shut down gracefully."""
        self._server.should_exit = True
        self._thread.join(timeout=30)


class ChatClient:
    """A raw protocol client, as a mobile app or a bot would write it."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    async def connect(cls, url: str, token: str, **auth: Any) -> tuple[ChatClient, list[dict[str, Any]]]:
        """Open, authenticate, and return the two handshake frames."""
        ws = await websockets.connect(url, max_size=None)
        client = cls(ws)
        await client.send({"type": "auth", "token": token, **auth})
        return client, [await client.recv(), await client.recv()]

    async def send(self, frame: dict[str, Any]) -> None:
        """Send one JSON frame."""
        await self.ws.send(json.dumps(frame, ensure_ascii=False))

    async def recv(self, timeout: float = 30) -> dict[str, Any]:  # noqa: ASYNC109 - each wait bounded, per call
        """The next frame."""
        return json.loads(await asyncio.wait_for(self.ws.recv(), timeout))  # type: ignore[no-any-return]

    async def turn(self, frame: dict[str, Any], timeout: float = 60) -> list[dict[str, Any]]:  # noqa: ASYNC109 - as recv
        """Send a frame and collect every frame up to `response_complete` (or a lone error)."""
        await self.send(frame)
        frames = []
        while True:
            current = await self.recv(timeout)
            frames.append(current)
            if current["type"] == "response_complete":
                return frames
            if current["type"] == "error" and not any(f["type"] == "text_end" for f in frames):
                return frames

    async def say(self, text: str) -> list[dict[str, Any]]:
        """One shopper message and its whole answer."""
        return await self.turn({"type": "message", "text": text})

    async def close(self) -> None:
        """Close the socket."""
        await self.ws.close()


def types(frames: list[dict[str, Any]]) -> list[str]:
    """Frame types in order, consecutive duplicates folded."""
    out: list[str] = []
    for frame in frames:
        if not out or out[-1] != frame["type"]:
            out.append(frame["type"])
    return out


def text_of(frames: list[dict[str, Any]]) -> str:
    """The streamed text of a turn."""
    return "".join(f["delta"] for f in frames if f["type"] == "text_delta")
