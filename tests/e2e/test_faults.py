"""Faults with nothing lost, during live conversations, on a server that is not restarted.

Valkey crashes and restarts, PostgreSQL goes away and comes back, the retailer hangs or answers 500
or garbage.

The server under test has a Valkey of its own (killed with SIGKILL and restarted from its last
snapshot) and reaches the shared PostgreSQL through a proxy the test cuts (every connection reset,
new ones refused) and restores: the application sees what it would see if the database died.
What the shopper and the operator see meanwhile is in docs/operations.md, "Faults".
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import websockets
from valkey.asyncio import Valkey

from tests.adapters.http.retailer_server import ScriptedRetailer, Server, drip, reply
from tests.faults import PrivateValkey, UnixProxy, proxied_database_url, unix_socket_of
from tests.helpers import ChatClient, ThreadedServer, free_port, text_of
from vizochok.app import create_app
from vizochok.demo.setup import load_catalog

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from vizochok.adapters.db import Database
    from vizochok.bootstrap import Prepared

BREAD = "bread-kyivkhlib-pshenychnyi-500"
SKUS = {BREAD, "milk-galychyna-25-900", "eggs-c1-10-svoya-liniya", "tvorog-galychyna-9-350", "banana-kg"}
SHOPPERS = 6


class Stack:
    """A server on a private Valkey and a cuttable PostgreSQL, with one tenant and its shoppers."""

    async def refused_handshake(self) -> None:
        """A shopper arriving during the fault: `internal_error`, then close 1013 (try again later)."""
        ws = await websockets.connect(self.server.ws_url)
        await ws.send(json.dumps({"type": "auth", "token": self.tenant["pk"], "user_id": "arriving"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), 60)) == {
            "type": "error",
            "code": "internal_error",
        }
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1013

    def __init__(
        self, server: ThreadedServer, valkey: PrivateValkey, proxy: UnixProxy, tenant: dict[str, str]
    ) -> None:
        self.server, self.valkey, self.proxy, self.tenant = server, valkey, proxy, tenant
        self.acked: dict[str, list[str]] = {}
        """Per conversation, the messages the server acknowledged with `response_complete`."""

    async def ready(self) -> int:
        async with httpx.AsyncClient(base_url=self.server.base_url, timeout=5) as http:
            try:
                return (await http.get("/readyz")).status_code
            except httpx.HTTPError:
                return 0

    async def wait_ready(self, wanted: int, seconds: float = 60) -> float:
        """Seconds until `/readyz` answers `wanted`."""
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            if await self.ready() == wanted:
                return time.monotonic() - started
            await asyncio.sleep(0.2)
        pytest.fail(f"/readyz did not answer {wanted} within {seconds} s")

    async def say(self, client: ChatClient, conversation: str, text: str) -> list[dict[str, Any]]:
        frames = await client.say(text)
        # A failed turn that had begun also ends with `response_complete`, after its error: only
        # a turn without an error acknowledged the message.
        if frames[-1]["type"] == "response_complete" and not errors_in(frames):
            self.acked.setdefault(conversation, []).append(text)
        return frames

    async def say_until_done(
        self, client: ChatClient, conversation: str, text: str, tries: int = 5
    ) -> list[dict[str, Any]]:
        """What a shopper does after an error: try again (a pooled connection may fail once after the fault)."""
        for _ in range(tries):
            frames = await self.say(client, conversation, text)
            if not errors_in(frames):
                return frames
            assert errors_in(frames) == ["internal_error"]  # documented; never a close
            await asyncio.sleep(0.5)
        pytest.fail(f"no answer to {text!r} after {tries} tries")


def errors_in(frames: list[dict[str, Any]]) -> list[str]:
    """The codes of a turn's `error` frames."""
    return [f["code"] for f in frames if f["type"] == "error"]


@pytest.fixture
async def stack(
    prepared: Prepared, demo_server: ThreadedServer, demo: dict[str, Any], make_tenant: Any, tmp_path: Path
) -> AsyncIterator[Stack]:
    valkey = PrivateValkey(tmp_path / "valkey")
    valkey.start()
    url = prepared.settings.database_url or ""
    proxy = UnixProxy(unix_socket_of(url))
    proxy.start()
    settings = prepared.settings.model_copy(
        update={"valkey_url": valkey.url, "database_url": proxied_database_url(url, proxy)}
    )
    server = ThreadedServer(create_app(settings), free_port(), settings)
    server.start()
    base = f"{demo_server.base_url}/demo-retailer"
    tenant = await make_tenant(
        webhooks={"secret": demo["retailer"].secret, "products_url": f"{base}/products", "cart_url": f"{base}/cart",
                  "cart_get_url": f"{base}/cart/items", "timeout_seconds": 1.0},
        limits={"socket_messages_per_window": 1000, "sockets_per_key": 100, "ping_interval_seconds": 3600},
    )  # fmt: skip
    products = [p for p in load_catalog() if p["sku"] in SKUS]
    async with httpx.AsyncClient(
        base_url=server.base_url, headers={"Authorization": f"Bearer {tenant['sk']}"}, timeout=30
    ) as api:
        job = (await api.put("/api/v1/catalog/products", json={"products": products})).json()["job_id"]
        for _ in range(600):
            if (await api.get(f"/api/v1/catalog/jobs/{job}")).json()["status"] == "complete":
                break
            await asyncio.sleep(0.2)
    yield Stack(server, valkey, proxy, tenant)
    server.stop()
    proxy.close()
    valkey.kill()


async def shoppers(stack: Stack, demo: dict[str, Any], name: str) -> list[tuple[ChatClient, str, str]]:
    """Sockets of shoppers whose retailer cart holds one bread: (client, conversation, user)."""
    out = []
    for i in range(SHOPPERS):
        user = f"{name}-{i}"
        demo["retailer"].carts[(stack.tenant["store_id"], user)] = {BREAD: 1}
        client, hello = await ChatClient.connect(stack.server.ws_url, stack.tenant["pk"], user_id=user)
        assert hello[1]["type"] == "conversation_started"
        out.append((client, hello[1]["conversation_id"], user))
    return out


async def logged_messages(database: Database, tenant_id: str) -> dict[str, list[str]]:
    async with database.tenant(tenant_id) as conn:
        rows = await (
            await conn.execute(
                "SELECT conversation_id, payload->>'text' AS text FROM conversation_log"
                " WHERE kind = 'user_message' ORDER BY id"
            )
        ).fetchall()
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row["conversation_id"], []).append(row["text"])
    return out


def assert_nothing_acknowledged_was_lost(acked: dict[str, list[str]], logged: dict[str, list[str]]) -> None:
    for conversation, texts in acked.items():
        remaining = list(logged.get(conversation, []))
        for text in texts:
            assert text in remaining, f"acknowledged message {text!r} of {conversation} is not in the log"
            remaining.remove(text)


async def test_valkey_crash_and_restart_during_live_conversations(
    stack: Stack, demo: dict[str, Any], database: Database
) -> None:
    retailer, store = demo["retailer"], stack.tenant["store_id"]
    people = await shoppers(stack, demo, "vk")
    for client, conversation, _ in people:
        await stack.say(client, conversation, "привіт")
        added = await client.turn({"type": "action", "action": "add_to_cart", "sku": BREAD, "quantity": 1})
        assert added[-1]["type"] == "response_complete"
    admin = Valkey.from_url(stack.valkey.url)
    await admin.save()  # the last snapshot: 2 breads each
    await admin.aclose()
    for client, _, user in people:
        confirmed = await client.turn(
            {"type": "action", "action": "add_to_cart", "sku": BREAD, "quantity": 1}
        )
        assert [f["quantity"] for f in confirmed if f["type"] == "cart_changed"] == [3]
        assert retailer.carts[(store, user)] == {BREAD: 3}

    stack.valkey.kill()
    down = await stack.wait_ready(503, 30)
    for client, conversation, _ in people:
        frames = await stack.say(client, conversation, "що в кошику?")
        assert errors_in(frames) == ["internal_error"]  # the socket stays open
        await client.send({"type": "ping"})
        assert await client.recv(5) == {"type": "pong"}
    await stack.refused_handshake()

    stack.valkey.start()  # from the snapshot: sessions that say 2 breads, written by the previous run
    up = await stack.wait_ready(200, 60)
    for client, conversation, _ in people:
        frames = await stack.say_until_done(client, conversation, "що в кошику?")
        assert "× 3" in text_of(frames)  # the retailer's cart, not the snapshot's 2: no confirmed change lost
    assert_nothing_acknowledged_was_lost(
        stack.acked, await logged_messages(database, stack.tenant["tenant_id"])
    )
    for client, _, _ in people:
        await client.close()
    print(f"valkey: /readyz red after {down:.1f} s, green {up:.1f} s after the restart")


async def test_postgres_goes_away_and_comes_back_during_live_conversations(
    stack: Stack, demo: dict[str, Any], database: Database
) -> None:
    people = await shoppers(stack, demo, "pg")
    for client, conversation, _ in people:
        assert (await stack.say(client, conversation, "привіт"))[-1]["type"] == "response_complete"

    stack.proxy.cut()
    down = await stack.wait_ready(503, 30)
    # Every shopper at once: a turn waits for a database connection up to the pool's timeout (30 s).
    answers = await asyncio.gather(
        *(stack.say(client, conversation, "що в кошику?") for client, conversation, _ in people)
    )
    for frames in answers:
        assert errors_in(frames) == ["internal_error"]
    for client, _, _ in people:
        await client.send({"type": "ping"})
        assert await client.recv(5) == {"type": "pong"}
    await stack.refused_handshake()

    stack.proxy.restore()
    up = await stack.wait_ready(200, 60)
    for client, conversation, _ in people:
        frames = await stack.say_until_done(client, conversation, "що в кошику?")
        assert "× 1" in text_of(frames)
    # A shopper arriving now is served as usual.
    late, hello = await ChatClient.connect(stack.server.ws_url, stack.tenant["pk"], user_id="pg-late")
    assert hello[0] == {"type": "auth_ok"}
    assert (await stack.say(late, hello[1]["conversation_id"], "привіт"))[-1]["type"] == "response_complete"
    await late.close()
    assert_nothing_acknowledged_was_lost(
        stack.acked, await logged_messages(database, stack.tenant["tenant_id"])
    )
    for client, _, _ in people:
        await client.close()
    print(f"postgres: /readyz red after {down:.1f} s, green {up:.1f} s after the restore")


PRODUCT_FAULTS = {
    "hang": reply(200, {"products": []}, delay=3),
    "slow-drip": drip(40, 0.1),
    "500": reply(500),
    "garbage": reply(200, raw=b"\x00\xff not json {"),
    "wrong-shape": reply(200, {"products": "lots"}),
}


@pytest.mark.parametrize("fault", PRODUCT_FAULTS)
async def test_a_broken_products_webhook_gets_a_clear_answer_and_the_socket_lives_on(
    fault: str, stack: Stack, tenant_repo: Any
) -> None:
    scripted = ScriptedRetailer()
    with Server(scripted) as broken:
        await tenant_repo.update_webhooks(
            stack.tenant["tenant_id"], products_url=f"{broken.base_url}/products"
        )
        scripted.then(PRODUCT_FAULTS[fault], PRODUCT_FAULTS[fault])
        client, _ = await ChatClient.connect(
            stack.server.ws_url, stack.tenant["pk"], user_id=f"prices-{fault}"
        )
        started = time.monotonic()
        frames = await client.say("покажи молоко")
        elapsed = time.monotonic() - started
        assert frames[-1]["type"] == "response_complete"
        assert not [f for f in frames if f["type"] == "product_cards"]  # no card without a live price
        assert "ціни" in text_of(frames).lower()
        assert elapsed < 2 * 1.0 + 1.5  # two timeouts of 1 s and the pause before the retry, at most
        await client.send({"type": "ping"})
        assert await client.recv(5) == {"type": "pong"}
        await client.close()


async def test_a_short_soak_loses_nothing(stack: Stack, demo: dict[str, Any], database: Database) -> None:
    """`bench/soak.py` in small: 20 shoppers for a few seconds (the bench runs 200 for minutes)."""
    from bench.soak import leases_left, logged, lost_cart_changes, lost_messages, soak

    report = await soak(
        stack.server.ws_url,
        stack.tenant["pk"],
        stack.tenant["store_id"],
        conversations=20,
        seconds=6,
        think=0.1,
        prefix="ci",
    )
    assert report.turns >= 60
    assert sum(len(v) for v in report.acked.values()) >= 40
    assert report.closes == {}
    assert report.errors == {}
    assert lost_messages(report, await logged(database, stack.tenant["tenant_id"])) == 0
    assert lost_cart_changes(report, demo["retailer"], stack.tenant["store_id"]) == 0
    client = Valkey.from_url(stack.valkey.url)
    assert await leases_left(client) == 0
    await client.aclose()
