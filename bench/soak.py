"""Soak: many live conversations for a bounded time on loopback; nothing acknowledged may be lost.

    python -m bench.soak [--conversations 200] [--seconds 120] [--think 0.5]

Starts `vizochok demo` in this process (embedded PostgreSQL and Valkey under a temporary directory,
the offline assistant, the demo retailer) and runs N shoppers at once, each looping over a search
("покажи …"), a card's Add button on the first card, and "що в кошику?", with `--think` seconds
between frames. At the end it checks, and reports:

- every message the server acknowledged with `response_complete` is in the conversation log;
- every cart the retailer holds equals the last `cart_changed` the shopper saw (no confirmed change lost);
- no turn lease is left in Valkey once the shoppers are done;
- error frames by code and socket closes by code (expected: none), and round-trip percentiles.

`tests/e2e/test_soak.py` runs the same `soak()` with 20 shoppers for a few seconds in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websockets

SEARCHES = ("покажи молоко", "покажи хліб", "покажи яйця", "покажи сир", "покажи банани", "покажи гречку")


@dataclass
class SoakReport:
    """What the shoppers saw and what the stores hold afterwards."""

    conversations: int
    seconds: float
    acked: dict[str, list[str]] = field(default_factory=dict)
    """Per conversation, the messages acknowledged with `response_complete`."""
    carts: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per user, the cart of the last `cart_changed` the shopper saw."""
    errors: Counter[str] = field(default_factory=Counter)
    closes: Counter[int] = field(default_factory=Counter)
    round_trips: list[float] = field(default_factory=list)
    turns: int = 0

    def percentile(self, p: float) -> float:
        """Round trip (send → `response_complete`) at percentile `p`, in ms."""
        if not self.round_trips:
            return 0.0
        ordered = sorted(self.round_trips)
        return 1000 * ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def _turn(ws: Any, frame: dict[str, Any], timeout: float) -> list[dict[str, Any]]:  # noqa: ASYNC109 - per frame
    await ws.send(json.dumps(frame, ensure_ascii=False))
    frames = []
    while True:
        current = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if current["type"] == "ping":
            await ws.send('{"type":"pong"}')
            continue
        frames.append(current)
        if current["type"] == "response_complete":
            return frames
        if current["type"] == "error" and not any(f["type"] == "text_end" for f in frames):
            return frames


async def shopper(  # noqa: C901 - one shopper's script, read top to bottom
    url: str, key: str, store: str, user: str, deadline: float, think: float, report: SoakReport
) -> None:
    """One widget: search, add the first card, ask for the cart; again until `deadline`."""
    rng = random.Random(user)
    try:
        async with websockets.connect(url, max_size=None) as ws:
            await ws.send(json.dumps({"type": "auth", "token": key, "store_id": store, "user_id": user}))
            hello = [json.loads(await ws.recv()), json.loads(await ws.recv())]
            conversation = hello[1]["conversation_id"]
            cards: list[dict[str, Any]] = []
            while time.monotonic() < deadline:
                search = rng.choice(SEARCHES)
                plan: tuple[dict[str, Any] | None, ...] = (
                    {"type": "message", "text": search},
                    None,  # add the first card of the search, when it showed any
                    {"type": "message", "text": "що в кошику?"},
                )
                for planned in plan:
                    if planned is None:
                        if not cards:
                            continue
                        frame: dict[str, Any] = {
                            "type": "action",
                            "action": "add_to_cart",
                            "sku": cards[0]["sku"],
                            "quantity": 1,
                        }
                    else:
                        frame = planned
                    started = time.monotonic()
                    frames = await _turn(ws, frame, 60)
                    report.turns += 1
                    last = frames[-1]
                    if last["type"] == "response_complete":
                        report.round_trips.append(time.monotonic() - started)
                        if frame["type"] == "message":
                            report.acked.setdefault(conversation, []).append(frame["text"])
                    else:
                        report.errors[last.get("code", "?")] += 1
                    for f in frames:
                        if f["type"] == "cart_changed":
                            report.carts[user] = {i["sku"]: i["quantity"] for i in f["items"]}
                    if frame.get("text") == search:
                        cards = [c for f in frames if f["type"] == "product_cards" for c in f["items"]]
                    await asyncio.sleep(think * rng.uniform(0.5, 1.5))
    except websockets.ConnectionClosed as closed:
        report.closes[closed.rcvd.code if closed.rcvd else 1006] += 1


async def soak(
    url: str, key: str, store: str, *, conversations: int, seconds: float, think: float, prefix: str = "soak"
) -> SoakReport:
    """Run `conversations` shoppers for `seconds`; every one finishes its current turn."""
    report = SoakReport(conversations, seconds)
    deadline = time.monotonic() + seconds
    run = f"{prefix}-{os.getpid()}-{int(time.time())}"
    await asyncio.gather(
        *(shopper(url, key, store, f"{run}-{i}", deadline, think, report) for i in range(conversations))
    )
    return report


async def logged(database: Any, tenant_id: str) -> dict[str, list[str]]:
    """Per conversation, the shoppers' messages in the conversation log."""
    async with database.tenant(tenant_id) as conn:
        rows = await (
            await conn.execute(
                "SELECT conversation_id, payload->>'text' AS text FROM conversation_log WHERE kind = 'user_message'"
            )
        ).fetchall()
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row["conversation_id"], []).append(row["text"])
    return out


def lost_messages(report: SoakReport, log: dict[str, list[str]]) -> int:
    """Acknowledged messages missing from the log (must be 0)."""
    lost = 0
    for conversation, texts in report.acked.items():
        remaining = Counter(log.get(conversation, []))
        for text in texts:
            if remaining[text] > 0:
                remaining[text] -= 1
            else:
                lost += 1
    return lost


def lost_cart_changes(report: SoakReport, retailer: Any, store: str) -> int:
    """Users whose retailer cart differs from the last confirmed `cart_changed` they saw (must be 0)."""
    return sum(1 for user, cart in report.carts.items() if retailer.carts.get((store, user), {}) != cart)


async def leases_left(valkey: Any) -> int:
    """Turn leases still held (must be 0 once every shopper is done)."""
    return len([k async for k in valkey.scan_iter(match="lock:*")])


def _machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    return f"{cpu}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"


def main() -> int:
    """Start the demo on loopback, soak it, print the report; exit 1 when anything was lost."""
    import uvicorn  # noqa: PLC0415
    from valkey.asyncio import Valkey  # noqa: PLC0415

    from vizochok.adapters.db import Database  # noqa: PLC0415
    from vizochok.bootstrap import prepare  # noqa: PLC0415
    from vizochok.demo.app import create_demo_app  # noqa: PLC0415
    from vizochok.settings import Settings  # noqa: PLC0415

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--think", type=float, default=0.5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="vizochok-soak-") as tmp:
        base = {"data_dir": tmp, "webhooks": {"allow_private_hosts": True}}
        prepared = prepare(Settings.model_validate(base))
        settings = prepared.settings
        settings = settings.model_copy(
            update={
                "limits": settings.limits.model_copy(
                    update={
                        "sockets_per_key": 100_000,
                        "socket_messages_per_window": 100_000,
                        "user_messages_per_day": 100_000,
                    }
                )
            }
        )
        port = 18000 + os.getpid() % 1000
        app = create_demo_app(settings, f"http://127.0.0.1:{port}")
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws_max_size=1 << 20)
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.1)

        async def go() -> int:
            config = app.state.demo_config
            started = time.monotonic()
            report = await soak(f"ws://127.0.0.1:{port}/api/v1/ws/chat", config["apiKey"], config["storeId"],
                                conversations=args.conversations, seconds=args.seconds, think=args.think)  # fmt: skip
            elapsed = time.monotonic() - started
            db = Database(settings.database_url or "", 2)
            await db.open()
            tenant_id = json.loads((Path(tmp) / "demo-tenant.json").read_text())["tenant_id"]
            lost = lost_messages(report, await logged(db, tenant_id))
            await db.close()
            valkey = Valkey.from_url(settings.valkey_url or "")
            leases = await leases_left(valkey)
            await valkey.aclose()
            carts = lost_cart_changes(report, app.state.retailer, config["storeId"])
            acked = sum(len(v) for v in report.acked.values())
            print(f"machine: {_machine()}")
            print(
                f"{args.conversations} conversations, {elapsed:.0f} s, {report.turns} turns,"
                f" {acked} acknowledged messages"
            )
            print(
                f"lost acknowledged messages: {lost}; carts differing from the last confirmed change: {carts};"
                f" leases left: {leases}"
            )
            print(f"error frames: {dict(report.errors)}; socket closes: {dict(report.closes)}")
            print(f"round trip ms: p50 {report.percentile(50):.0f}, p99 {report.percentile(99):.0f}")
            return int(bool(lost or carts or leases or report.closes))

        try:
            return asyncio.run(go())
        finally:
            server.should_exit = True
            thread.join(30)
            prepared.stop()


if __name__ == "__main__":
    raise SystemExit(main())
