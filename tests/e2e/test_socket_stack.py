"""The socket stack `vizochok serve` runs: per-message compression is an operator's choice, off by default."""

from __future__ import annotations

import contextlib
from typing import Any

import websockets
from litestar import Litestar, WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect

from tests.helpers import ChatClient, ThreadedServer, free_port
from vizochok.settings import get_settings


async def test_chat_socket_does_not_negotiate_compression_by_default(
    demo_server: ThreadedServer, demo: dict[str, Any]
) -> None:
    # The client offers permessage-deflate, as browsers do; a compressor per socket would cost ~40 KB.
    async with websockets.connect(demo_server.ws_url, compression="deflate") as ws:
        assert ws.response is not None
        assert ws.response.headers.get("Sec-WebSocket-Extensions") is None
        client = ChatClient(ws)
        await client.send({"type": "auth", "token": demo["apiKey"], "user_id": "plain"})
        assert await client.recv(5) == {"type": "auth_ok"}


async def test_operators_can_turn_compression_on() -> None:
    @websocket("/echo")
    async def echo(socket: WebSocket[Any, Any, Any]) -> None:
        await socket.accept()
        with contextlib.suppress(WebSocketDisconnect):
            await socket.send_text(await socket.receive_text())

    server = ThreadedServer(Litestar([echo]), free_port(), get_settings(ws_compression=True))
    server.start()
    try:
        async with websockets.connect(
            f"{server.base_url.replace('http', 'ws')}/echo", compression="deflate"
        ) as ws:
            assert ws.response is not None
            assert "permessage-deflate" in ws.response.headers.get("Sec-WebSocket-Extensions", "")
            await ws.send("привіт " * 100)
            assert await ws.recv() == "привіт " * 100
    finally:
        server.stop()
