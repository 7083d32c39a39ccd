"""`vizochok demo` on a fresh data folder says "open http://…" only when the page and the chat answer.

The demo catalog is searchable at once: full text and fuzzy matching answer while its vectors are
still being computed in the background.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.helpers import ChatClient, free_port

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow


def test_demo_announces_its_url_when_it_answers_and_chats_at_once(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIZOCHOK_")}
    env.update(VIZOCHOK_DATA_DIR=str(tmp_path), VIZOCHOK_LOG_LEVEL="WARNING")
    started = time.monotonic()
    demo = subprocess.Popen(
        [sys.executable, "-m", "vizochok.cli", "demo", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert demo.stderr is not None
        lines = []
        for line in demo.stderr:
            lines.append(line)
            if "open http://" in line:
                break
        else:
            pytest.fail("the demo exited without announcing its URL:\n" + "".join(lines))
        announced = time.monotonic() - started
        # Said only once true: the page answers at that very moment.
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200
        assert f"open http://127.0.0.1:{port}/" in line

        demo_tenant = json.loads((tmp_path / "demo-tenant.json").read_text())

        async def chat() -> list[dict[str, object]]:
            client, _ = await ChatClient.connect(
                f"ws://127.0.0.1:{port}/api/v1/ws/chat", demo_tenant["public_key"], user_id="first-visitor"
            )
            frames = await client.say("покажи молоко")
            await client.close()
            return frames

        frames = asyncio.run(chat())
        answered = time.monotonic() - started
        cards = [f for f in frames if f["type"] == "product_cards"]
        assert cards, frames
        items = cards[0]["items"]
        assert isinstance(items, list)
        assert any("олоко" in str(item["name"]) for item in items)
        print(f"demo: open after {announced:.1f} s, first chat answered after {answered:.1f} s")
    finally:
        demo.send_signal(signal.SIGTERM)
        try:
            demo.wait(60)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait()
