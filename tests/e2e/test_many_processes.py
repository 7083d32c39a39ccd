"""Two real server processes sharing PostgreSQL and Valkey, as `vizochok serve --workers 2` runs them.

A shopper moves between processes and carries on; limits hold across both; a killed process loses
nothing that was acknowledged, and its sockets stop counting once their heartbeat goes stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import websockets

from tests.helpers import ChatClient, ThreadedServer, free_port
from vizochok.adapters.db.conversations import PostgresConversationLog
from vizochok.adapters.db.tenants import PostgresKeyRepository
from vizochok.adapters.db.usage import PostgresUsageRecorder
from vizochok.bootstrap import environment

if TYPE_CHECKING:
    from collections.abc import Iterator

    from vizochok.adapters.db import Database
    from vizochok.bootstrap import Prepared

pytestmark = pytest.mark.asyncio

ROOT = Path(__file__).resolve().parents[2]


class ServerProcess:
    """`uvicorn vizochok.app:app_from_environment --factory` in a child process."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.ws_url = f"ws://127.0.0.1:{self.port}/api/v1/ws/chat"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "vizochok.app:app_from_environment", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port), "--ws", "websockets-sansio",
             "--ws-per-message-deflate", "false", "--log-level", "warning"],
            env=env, cwd=ROOT,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                msg = f"server process exited with {self.proc.returncode}"
                raise RuntimeError(msg)
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        msg = "server process did not become ready"
        raise RuntimeError(msg)

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no goodbyes — a crash."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="module", params=["single", "cluster"])
def processes(
    request: pytest.FixtureRequest,
    prepared: Prepared,
    demo_server: ThreadedServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[list[ServerProcess]]:
    """Two processes with the parent's resolved URLs and key, exactly what `serve --workers` hands over.

    Once on the embedded Valkey, once on a 3-primary Valkey cluster (`valkey+cluster://` seeds).
    """
    valkey = (
        {"VIZOCHOK_VALKEY_URL": request.getfixturevalue("valkey_cluster").url}
        if request.param == "cluster"
        else {}
    )
    with two_processes(prepared, tmp_path_factory.mktemp("workers"), **valkey) as servers:
        yield servers


@contextmanager
def two_processes(prepared: Prepared, data_dir: Path, **env: str) -> Iterator[list[ServerProcess]]:
    """Two `serve` processes with the parent's resolved URLs and key (and `env` on top), stopped after."""
    full = {
        **os.environ,
        **environment(prepared.settings),
        "VIZOCHOK_DATA_DIR": str(data_dir),
        "VIZOCHOK_WEBHOOKS__ALLOW_PRIVATE_HOSTS": "true",  # the demo retailer is on loopback
        "PYTHONPATH": str(ROOT),
        **env,
    }
    servers = [ServerProcess(full), ServerProcess(full)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


async def connect(server: ServerProcess, key: str, **auth: Any) -> tuple[ChatClient, list[dict[str, Any]]]:
    return await ChatClient.connect(server.ws_url, key, **auth)


async def refused_with(url: str, token: str) -> int | None:
    """Authenticate; the close code when the server refuses, None when it says `auth_ok`."""
    client = ChatClient(await websockets.connect(url))
    await client.send({"type": "auth", "token": token})
    try:
        first = await client.recv(5)
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else None
    assert first == {"type": "auth_ok"}
    await client.close()
    return None


async def answer_pings(client: ChatClient) -> None:
    """A live widget: answers every server ping."""
    with contextlib.suppress(websockets.ConnectionClosed):
        while True:
            if (await client.recv(60))["type"] == "ping":
                await client.send({"type": "pong"})


async def test_a_shopper_moves_to_the_other_process_and_carries_on(
    processes: list[ServerProcess], demo: dict[str, Any]
) -> None:
    a, b = processes
    auth = {"store_id": demo["storeId"], "user_id": f"mp-mover-{a.port}"}
    client, hello = await connect(a, demo["apiKey"], **auth)
    conversation = hello[1]["conversation_id"]
    frames = await client.say("додай два молока Галичина 2,5%")
    sku = next(f for f in frames if f["type"] == "cart_changed")["sku"]
    await client.close()

    again, hello = await connect(b, demo["apiKey"], conversation_id=conversation, **auth)
    assert hello[1]["type"] == "session_restored"
    assert hello[1]["conversation_id"] == conversation
    assert [(i["sku"], i["quantity"]) for i in hello[1]["selected_items"]] == [(sku, 2)]
    frames = await again.turn({"type": "action", "action": "add_to_cart", "sku": sku, "quantity": 1})
    assert [f["quantity"] for f in frames if f["type"] == "cart_changed"] == [3]
    assert frames[-1] == {"type": "response_complete", "conversation_id": conversation}
    await again.close()
    assert demo["retailer"].carts[(demo["storeId"], auth["user_id"])] == {sku: 3}


async def test_the_socket_cap_counts_both_processes(processes: list[ServerProcess], make_tenant: Any) -> None:
    a, b = processes
    tenant = await make_tenant(limits={"sockets_per_key": 2})
    on_a, _ = await connect(a, tenant["pk"])
    on_b, _ = await connect(b, tenant["pk"])
    assert await refused_with(a.ws_url, tenant["pk"]) == 4029
    assert await refused_with(b.ws_url, tenant["pk"]) == 4029
    await on_a.close()
    await asyncio.sleep(0.3)
    assert await refused_with(b.ws_url, tenant["pk"]) is None
    await on_b.close()


async def test_the_daily_message_counter_counts_both_processes(
    processes: list[ServerProcess], make_tenant: Any
) -> None:
    a, b = processes
    tenant = await make_tenant(limits={"user_messages_per_day": 2})
    on_a, _ = await connect(a, tenant["pk"], user_id="counted")
    on_b, _ = await connect(b, tenant["pk"], user_id="counted")
    # This tenant has no catalog: each turn ends in `no_catalog_data`, but was accepted and counted.
    assert (await on_a.say("раз"))[-2]["code"] == "no_catalog_data"
    assert (await on_b.say("два"))[-2]["code"] == "no_catalog_data"
    assert await on_a.say("три") == [{"type": "error", "code": "user_message_limit", "limit": 2}]
    assert await on_b.say("чотири") == [{"type": "error", "code": "user_message_limit", "limit": 2}]
    await on_a.close()
    await on_b.close()


async def test_killing_a_process_loses_nothing_acknowledged(
    processes: list[ServerProcess], demo: dict[str, Any], database: Database, make_tenant: Any
) -> None:
    a, b = processes
    # A key that allows one socket, whose sockets go stale 3 s after their last heartbeat.
    capped = await make_tenant(
        limits={"sockets_per_key": 1, "socket_stale_seconds": 3.0, "ping_interval_seconds": 0.5}
    )
    held, _ = await connect(a, capped["pk"])
    answering = asyncio.create_task(answer_pings(held))

    auth = {"store_id": demo["storeId"], "user_id": f"mp-crash-{a.port}"}
    client, hello = await connect(a, demo["apiKey"], **auth)
    conversation = hello[1]["conversation_id"]
    first = await client.say("додай хліб Київхліб Український")
    second = await client.say("покажи молоко")
    assert first[-1]["type"] == second[-1]["type"] == "response_complete"
    a.kill()
    answering.cancel()
    # The dead process's socket still holds the key's only place, until its heartbeat goes stale.
    assert await refused_with(b.ws_url, capped["pk"]) == 4029

    # The log in PostgreSQL has every acknowledged message and every frame sent for them.
    principal = await PostgresKeyRepository(database).authenticate(demo["apiKey"])
    assert principal is not None
    entries = await PostgresConversationLog(database).entries(principal.tenant_id, conversation)
    assert [e.payload["text"] for e in entries if e.kind == "user_message"] == [
        "додай хліб Київхліб Український",
        "покажи молоко",
    ]
    logged = [e.payload for e in entries if e.kind == "frame"]
    assert logged == first + second  # exactly the frames the shopper received, in order
    assert any(e.kind == "tool_call" for e in entries) and any(e.kind == "tool_result" for e in entries)
    # The ledger rows of those turns were committed with their log: one per model call.
    calls = await PostgresUsageRecorder(database, {}).calls(principal.tenant_id, conversation)
    assert len(calls) == sum(e.kind == "assistant_message" for e in entries) > 0

    # The shopper reconnects to the surviving process: the session and the cart are intact.
    again, hello = await connect(b, demo["apiKey"], conversation_id=conversation, **auth)
    assert hello[1]["type"] == "session_restored"
    assert len(hello[1]["selected_items"]) == 1
    frames = await again.say("що в кошику?")
    assert frames[-1] == {"type": "response_complete", "conversation_id": conversation}
    await again.close()

    await asyncio.sleep(3.2)
    assert await refused_with(b.ws_url, capped["pk"]) is None
