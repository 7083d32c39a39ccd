"""Limits and keepalive on a real socket: close 4029, server ping, tier order, refused frames counted."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import websockets

from tests.helpers import ChatClient, ThreadedServer

pytestmark = pytest.mark.asyncio


async def _read_frames(client: ChatClient, seconds_each: float) -> None:
    for _ in range(100):
        await asyncio.wait_for(client.ws.recv(), seconds_each)


async def closed_with(client: ChatClient, seconds_each: float = 5) -> int:
    """Read until the server closes (at most 100 frames, each read bounded); the close code."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await _read_frames(client, seconds_each)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


async def test_fourth_socket_on_a_key_is_closed_with_4029(
    demo_server: ThreadedServer, make_tenant: Any
) -> None:
    tenant = await make_tenant(limits={"sockets_per_key": 2})
    first, hello = await ChatClient.connect(demo_server.ws_url, tenant["pk"], user_id="a")
    second, _ = await ChatClient.connect(demo_server.ws_url, tenant["pk"], user_id="b")
    assert hello[0] == {"type": "auth_ok"}
    third = ChatClient(await websockets.connect(demo_server.ws_url))
    await third.send({"type": "auth", "token": tenant["pk"], "user_id": "c"})
    assert await closed_with(third) == 4029
    # A closed socket frees its place.
    await first.close()
    for _ in range(50):
        fourth = ChatClient(await websockets.connect(demo_server.ws_url))
        await fourth.send({"type": "auth", "token": tenant["pk"], "user_id": "d"})
        try:
            assert await fourth.recv(5) == {"type": "auth_ok"}
            break
        except websockets.ConnectionClosed:
            await asyncio.sleep(0.05)
    else:
        pytest.fail("the freed place was never given back")
    await fourth.close()
    await second.close()


async def test_server_pings_and_closes_a_silent_socket(demo_server: ThreadedServer, make_tenant: Any) -> None:
    tenant = await make_tenant(limits={"ping_interval_seconds": 0.6})
    client, _ = await ChatClient.connect(demo_server.ws_url, tenant["pk"], user_id="pinged")
    for _ in range(3):
        assert await client.recv(5) == {"type": "ping"}
        await client.send({"type": "pong"})
    # Now the client stops answering: closed "going away" one interval after the unanswered ping.
    assert await client.recv(5) == {"type": "ping"}
    assert await closed_with(client, 5) == 1001


async def test_tier_one_answers_before_tier_two_and_pings_do_not_count(
    demo_server: ThreadedServer, make_tenant: Any
) -> None:
    tenant = await make_tenant(limits={"socket_messages_per_window": 1, "user_messages_per_day": 0})
    client, _ = await ChatClient.connect(demo_server.ws_url, tenant["pk"], user_id="limited")
    for _ in range(3):
        await client.send({"type": "ping"})
        assert await client.recv() == {"type": "pong"}
    await client.send({"type": "message", "text": "молоко"})
    assert await client.recv() == {"type": "error", "code": "user_message_limit", "limit": 0}
    await client.send({"type": "message", "text": "молоко"})
    frame = await client.recv()
    assert frame["code"] == "rate_limit_exceeded"
    assert list(frame) == ["type", "code", "retry_after"] and 1 <= frame["retry_after"] <= 60
    await client.close()


async def test_tenant_token_budget_on_the_socket(
    demo_server: ThreadedServer, make_tenant: Any, valkey_client: Any
) -> None:
    from datetime import UTC, datetime

    from vizochok.adapters.usage.valkey import tokens_key

    tenant = await make_tenant(limits={"tenant_tokens_per_month": 1000})
    await valkey_client.set(tokens_key(tenant["tenant_id"], f"{datetime.now(UTC):%Y-%m}"), 1000)
    client, _ = await ChatClient.connect(demo_server.ws_url, tenant["pk"], user_id="budget")
    await client.send({"type": "message", "text": "молоко"})
    assert await client.recv() == {"type": "error", "code": "tenant_monthly_token_limit"}
    await client.close()
