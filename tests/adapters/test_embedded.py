"""The embedded PostgreSQL is sized to the machine by our code."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from vizochok.adapters.embedded import server_settings

if TYPE_CHECKING:
    from vizochok.adapters.db import Database

MB = 1 << 20


@pytest.mark.parametrize(
    ("memory", "shared"),
    [(256 * MB, "128MB"), (2048 * MB, "512MB"), (3000 * MB, "750MB"), (64 * 1024 * MB, "1024MB")],
)
def test_shared_buffers_are_a_quarter_of_memory_within_bounds(memory: int, shared: str) -> None:
    assert server_settings(memory)["shared_buffers"] == shared


@pytest.mark.asyncio
async def test_the_running_server_uses_them(database: Database) -> None:
    """Applied at the first start (a restart), so a new data folder searches from memory."""
    async with database.unscoped() as conn:
        cur = await conn.execute(
            "SELECT pg_size_bytes(current_setting('shared_buffers')) = pg_size_bytes(%s) AS applied",
            (server_settings()["shared_buffers"],),
        )
        row = await cur.fetchone()
    assert row is not None
    assert row["applied"]


def test_a_killed_user_does_not_keep_the_server_running(tmp_path: Path) -> None:
    """Pgserver stops a shared server with its last user; a user that was killed must not count."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    # Each run is its own process, as `vizochok` commands are (pgserver caches servers per process).
    _run_in_child(
        tmp_path,
        f"""
handles = data / "pg" / ".handle_pids.json"
handles.write_text(json.dumps([*json.loads(handles.read_text()), {gone.pid}]))  # as if it had been killed
""",
    )
    postmaster = int((tmp_path / "pg" / "postmaster.pid").read_text().split()[0])
    assert _running(postmaster)  # pgserver itself waits for the dead user

    _run_in_child(tmp_path, "")
    for _ in range(50):
        if not _running(postmaster):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the embedded PostgreSQL outlived its last live user")


def _run_in_child(data_dir: Path, between: str) -> None:
    """Start the embedded PostgreSQL in a new process, run `between`, stop it."""
    code = f"""
import json
from pathlib import Path
from vizochok.adapters.embedded import EmbeddedPostgres
data = Path({str(data_dir)!r})
server = EmbeddedPostgres(data)
server.start()
{between}
server.stop()
"""
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
