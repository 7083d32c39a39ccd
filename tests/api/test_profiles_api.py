"""Profiles over HTTP feed the agent over the socket; each tenant sees only its own."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.helpers import ChatClient, ThreadedServer



async def test_put_get_and_isolation(demo_server: ThreadedServer, make_tenant: Any) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    async with httpx.AsyncClient(base_url=demo_server.base_url) as http:
        auth = {"Authorization": f"Bearer {tenant['sk']}"}
        saved = await http.put("/api/v1/profiles/u-7", json={"dietary": ["vegetarian"], "favorite_brands": ["Ферма"]}, headers=auth)
        assert saved.status_code == 200
        assert (await http.get("/api/v1/profiles/u-7", headers=auth)).json() == {
            "user_id": "u-7", "language": None, "dietary": ["vegetarian"], "favorite_brands": ["Ферма"],
        }  # fmt: skip
        bad = await http.put("/api/v1/profiles/u-7", json={"dietary": ["carnivore"]}, headers=auth)
        assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")
        foreign = await http.get("/api/v1/profiles/u-7", headers={"Authorization": f"Bearer {other['sk']}"})
        assert (foreign.status_code, foreign.json()["code"]) == (404, "not_found")


async def test_statement_over_the_socket_updates_the_profile(demo_server: ThreadedServer, demo: dict[str, Any]) -> None:
    client, _ = await ChatClient.connect(demo_server.ws_url, demo["apiKey"], user_id="veggie-1")
    await client.say("я вегетаріанка")
    frames = await client.say("покажи ковбасу")
    await client.close()
    shown = [c for f in frames if f["type"] == "product_cards" for c in f["items"]]
    retailer_names = demo["retailer"].names
    assert all("ковбас" not in retailer_names[c["sku"]].lower() for c in shown)
