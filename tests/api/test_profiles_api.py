"""Profiles over HTTP feed the agent over the socket; each tenant sees only its own."""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import ChatClient, ThreadedServer


async def test_put_get_and_isolation(demo_server: ThreadedServer, make_tenant: Any) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    async with httpx.AsyncClient(base_url=demo_server.base_url) as http:
        auth = {"Authorization": f"Bearer {tenant['sk']}"}
        saved = await http.put(
            "/api/v1/profiles/u-7",
            json={"dietary": ["vegetarian"], "favorite_brands": ["Ферма"]},
            headers=auth,
        )
        assert saved.status_code == 200
        assert (await http.get("/api/v1/profiles/u-7", headers=auth)).json() == {
            "user_id": "u-7", "language": None, "dietary": ["vegetarian"], "favorite_brands": ["Ферма"],
        }  # fmt: skip
        bad = await http.put("/api/v1/profiles/u-7", json={"dietary": ["carnivore"]}, headers=auth)
        assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")
        foreign = await http.get("/api/v1/profiles/u-7", headers={"Authorization": f"Bearer {other['sk']}"})
        assert (foreign.status_code, foreign.json()["code"]) == (404, "not_found")


async def test_statement_over_the_socket_updates_the_profile(
    demo_server: ThreadedServer, demo: dict[str, Any], prepared: Any
) -> None:
    import json

    sk = json.loads((prepared.settings.data_dir / "demo-tenant.json").read_text())["secret_key"]
    retailer_names = demo["retailer"].names

    def sausages(frames: list[dict[str, Any]]) -> list[str]:
        shown = [c for f in frames if f["type"] == "product_cards" for c in f["items"]]
        return [c["sku"] for c in shown if "ковбас" in retailer_names[c["sku"]].lower()]

    client, _ = await ChatClient.connect(demo_server.ws_url, demo["apiKey"], user_id="veggie-1")
    assert sausages(await client.say("покажи ковбасу"))  # before the statement, sausages are offered
    await client.say("я вегетаріанка")
    assert sausages(await client.say("покажи ковбасу")) == []
    await client.close()
    async with httpx.AsyncClient(base_url=demo_server.base_url) as http:
        profile = (
            await http.get("/api/v1/profiles/veggie-1", headers={"Authorization": f"Bearer {sk}"})
        ).json()
    assert profile["dietary"] == ["vegetarian"]
