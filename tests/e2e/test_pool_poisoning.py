r"""Issue 13, finding 1 over the wire: one tenant's hostile frames leave every other tenant working.

Before: eight `{"type":"message","text":"молоко \u0000"}` frames left pooled connections broken
("prepared statement _pg3_N does not exist"); other tenants' chats closed with 4500, their searches
and admin calls answered 500, and `/readyz` said 200. The database side of the fix (a connection
from a failed pipeline is replaced, readiness counts broken connections) is tested in
tests/adapters/test_pool_poisoning.py.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from tests.fuzz import corpus
from tests.helpers import ChatClient, ThreadedServer

ATTACK = [
    '{"type":"message","text":"молоко \\u0000"}',
    '{"type":"message","text":"молоко \\ud800"}',
    '{"type":"action","action":"add_to_cart","sku":"milk-1","quantity":1e309}',
    '{"type":"action","action":"quick_reply","value":"так\\ud83d"}',
]


async def attack(server: ThreadedServer, key: str, store: str, sockets: int = 3) -> list[dict[str, Any]]:
    """Every frame of the issue, eight times each, over `sockets` sockets at once; returns every answer."""

    async def one(n: int) -> list[dict[str, Any]]:
        client, _ = await ChatClient.connect(server.ws_url, key, store_id=store, user_id=f"attacker-{n}")
        answers = []
        for raw in ATTACK * 8 + corpus.FRAMES:
            await client.ws.send(raw)
        # Turns run in the background: read until the socket has been quiet for a while.
        while True:
            try:
                answers.append(await client.recv(3))
            except TimeoutError:
                break
        await client.close()
        return answers

    return [a for answers in await asyncio.gather(*(one(n) for n in range(sockets))) for a in answers]


async def test_hostile_frames_leave_other_tenants_chat_search_and_admin_working(
    demo_server: ThreadedServer, demo: dict[str, Any], make_tenant: Any, prepared: Any
) -> None:
    attacker = await make_tenant(
        limits={"socket_messages_per_window": 10_000, "user_messages_per_day": 10_000}
    )
    answers = await attack(demo_server, attacker["pk"], attacker["store_id"])
    assert all(a.get("code") != "internal_error" for a in answers), [a for a in answers if a.get("code")][:5]

    demo_sk = json.loads((prepared.settings.data_dir / "demo-tenant.json").read_text())["secret_key"]
    bystander = await make_tenant()
    async with httpx.AsyncClient(base_url=demo_server.base_url, timeout=60) as http:
        assert (await http.get("/readyz")).status_code == 200
        for _ in range(12):  # more calls than the pool has connections: every connection is used
            found = await http.get(
                "/api/v1/search", params={"q": "молоко"}, headers={"Authorization": f"Bearer {demo_sk}"}
            )
            assert found.status_code == 200 and found.json()["items"], found.text
            for key in (demo_sk, bystander["sk"]):
                settings = await http.get(
                    "/api/v1/admin/settings", headers={"Authorization": f"Bearer {key}"}
                )
                assert settings.status_code == 200, settings.text
    for n in range(3):
        client, handshake = await ChatClient.connect(
            demo_server.ws_url, demo["apiKey"], store_id=demo["storeId"], user_id=f"bystander-{n}"
        )
        assert handshake[1]["type"] == "conversation_started"
        frames = await client.say("покажи молоко")
        assert frames[-1]["type"] == "response_complete"
        assert any(f["type"] == "product_cards" for f in frames)
        await client.close()
