"""`LinearConnectionPool`: httpcore's pool with a linear bookkeeping pass that keeps idle connections alive."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import httpx
import pytest

from vizochok.adapters.webhook.pool import LinearPoolTransport

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

pytestmark = pytest.mark.asyncio


class KeepAliveServer:
    """HTTP/1.1 with keep-alive; `/hold` answers once `release` is set, anything else at once."""

    def __init__(self) -> None:
        self.connections = 0
        self.held = 0
        self.release = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while request := await reader.readuntil(b"\r\n\r\n"):
                if request.split(b" ", 2)[1] == b"/hold":
                    self.held += 1
                    await self.release.wait()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def server() -> AsyncIterator[tuple[KeepAliveServer, str]]:
    state = KeepAliveServer()
    listener = await asyncio.start_server(state.handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    yield state, f"http://127.0.0.1:{port}"
    listener.close()


async def until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 - the condition is the server's state, no event to wait on
            await asyncio.sleep(0.01)


async def test_connections_are_reused_and_idle_ones_kept_up_to_the_limit(
    server: tuple[KeepAliveServer, str],
) -> None:
    state, base = server
    limits = httpx.Limits(max_connections=10, max_keepalive_connections=3)
    async with httpx.AsyncClient(transport=LinearPoolTransport(limits=limits)) as client:
        for _ in range(3):
            assert (await client.get(f"{base}/quick")).text == "ok"
        assert state.connections == 1  # one kept-alive connection serves requests one after another

        # Four at once need four connections; afterwards three stay idle, the fourth is closed.
        held = [asyncio.create_task(client.get(f"{base}/hold")) for _ in range(4)]
        await until(lambda: state.held == 4)
        state.release.set()
        await asyncio.gather(*held)
        assert state.connections == 4
        assert len(client._transport._pool.connections) == 3  # type: ignore[attr-defined]

        # Three busy and one idle: more than the keep-alive limit are open, yet the idle one stays
        # (httpcore's own pool closes it, then opens a new connection for the next request).
        state.release.clear()
        held = [asyncio.create_task(client.get(f"{base}/hold")) for _ in range(4)]
        await until(lambda: state.held == 8)
        assert state.connections == 5
        assert (await client.get(f"{base}/quick")).text == "ok"
        assert (await client.get(f"{base}/quick")).text == "ok"
        assert state.connections == 6  # the first quick one opened a connection, the second reused it
        state.release.set()
        assert [r.text for r in await asyncio.gather(*held)] == ["ok"] * 4
