"""The admin API: sign-in, CSRF, roles on every endpoint, tenant isolation, key rotation, billing, audit."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.helpers import ThreadedServer
from vizochok.adapters.admin.passwords import Argon2Passwords
from vizochok.adapters.db import Database
from vizochok.adapters.db.admin import PostgresAdminStore
from vizochok.adapters.db.usage import PostgresUsageRecorder
from vizochok.core.usage.pricing import ModelPrice, UsageRecord

PASSWORD = "correct horse battery"


@pytest.fixture
async def team(database: Database, make_tenant: Any) -> dict[str, Any]:
    """A tenant with an owner, an editor and a viewer."""
    tenant = await make_tenant()
    store, hasher = PostgresAdminStore(database), Argon2Passwords()
    people = {}
    for role in ("owner", "editor", "viewer"):
        email = f"{role}-{secrets.token_hex(3)}@shop.ua"
        await store.create_user(tenant["tenant_id"], email, await hasher.hash(PASSWORD), role)
        people[role] = email
    return {**tenant, "people": people}


async def signed_in(server: ThreadedServer, email: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=server.base_url)
    answer = await client.post("/api/v1/admin/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    client.headers["X-CSRF-Token"] = answer.json()["csrf_token"]
    return client


async def test_login_session_and_logout(demo_server: ThreadedServer, team: dict[str, Any]) -> None:
    client = await signed_in(demo_server, team["people"]["editor"])
    me = (await client.get("/api/v1/admin/me")).json()
    assert me["role"] == "editor" and me["tenant_id"] == team["tenant_id"]
    cookie = client.cookies.get("vz_admin")
    assert cookie
    await client.post("/api/v1/admin/logout")
    stale = httpx.AsyncClient(base_url=demo_server.base_url, cookies={"vz_admin": cookie})
    assert (await stale.get("/api/v1/admin/me")).status_code == 401
    await client.aclose()
    await stale.aclose()


async def test_failed_logins_are_throttled(demo_server: ThreadedServer, team: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=demo_server.base_url) as http:
        email = team["people"]["viewer"]
        for _ in range(5):
            wrong = await http.post("/api/v1/admin/login", json={"email": email, "password": "nope"})
            assert (wrong.status_code, wrong.json()["code"]) == (401, "unauthorized")
        blocked = await http.post("/api/v1/admin/login", json={"email": email, "password": PASSWORD})
        assert (blocked.status_code, blocked.json()["code"]) == (429, "rate_limit_exceeded")
        assert blocked.json()["retry_after"] >= 1


async def test_changes_need_the_csrf_token(demo_server: ThreadedServer, team: dict[str, Any]) -> None:
    client = await signed_in(demo_server, team["people"]["editor"])
    token = client.headers.pop("X-CSRF-Token")
    refused = await client.patch("/api/v1/admin/settings", json={"allowed_origins": ["https://shop.ua"]})
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    client.headers["X-CSRF-Token"] = "forged"
    assert (await client.patch("/api/v1/admin/settings", json={"allowed_origins": []})).status_code == 403
    client.headers["X-CSRF-Token"] = token
    accepted = await client.patch("/api/v1/admin/settings", json={"allowed_origins": ["https://shop.ua"]})
    assert accepted.status_code == 200 and accepted.json()["allowed_origins"] == ["https://shop.ua"]
    await client.aclose()


ENDPOINTS = [
    ("GET", "/api/v1/admin/settings", None, "viewer"),
    ("PATCH", "/api/v1/admin/settings", {"disabled_tools": ["show_meal_plan"]}, "editor"),
    ("PATCH", "/api/v1/admin/settings", {"plan": "enterprise"}, "operator"),
    ("GET", "/api/v1/admin/keys", None, "editor"),
    ("POST", "/api/v1/admin/keys", {"kind": "pk", "scopes": ["chat"]}, "owner"),
    ("GET", "/api/v1/admin/users", None, "owner"),
    (
        "POST",
        "/api/v1/admin/users",
        {"email": "new@shop.ua", "password": "0123456789ab", "role": "viewer"},
        "owner",
    ),
    ("GET", "/api/v1/admin/conversations", None, "viewer"),
    ("GET", "/api/v1/admin/billing/statement?month=2026-11", None, "viewer"),
    ("GET", "/api/v1/admin/audit", None, "viewer"),
    ("GET", "/api/v1/admin/tenants", None, "operator"),
    ("POST", "/api/v1/admin/tenants", {"name": "x", "store_id": "never-created"}, "operator"),
    ("GET", "/api/v1/admin/webhooks", None, "viewer"),
    ("GET", "/api/v1/admin/catalog/jobs", None, "viewer"),
    ("PATCH", "/api/v1/admin/webhooks", {"timeout_seconds": 4}, "editor"),
    ("POST", "/api/v1/admin/webhooks/test", {}, "editor"),
    ("GET", "/api/v1/admin/webhooks/status", None, "viewer"),
]
RANK = {"viewer": 0, "editor": 1, "owner": 2, "operator": 3}


@pytest.mark.parametrize("role", ["viewer", "editor", "owner"])
async def test_roles_on_every_endpoint(demo_server: ThreadedServer, team: dict[str, Any], role: str) -> None:
    client = await signed_in(demo_server, team["people"][role])
    for method, path, body, needed in ENDPOINTS:
        if path.endswith("/users") and method == "POST":
            body = {**body, "email": f"{role}-new-{secrets.token_hex(2)}@shop.ua"}  # type: ignore[dict-item]
        answer = await client.request(method, path, json=body)
        allowed = RANK[role] >= RANK[needed]
        # Allowed calls may still be refused for their content (422), never for the caller's role.
        assert (answer.status_code not in (401, 403)) == allowed, (
            role,
            method,
            path,
            answer.status_code,
            answer.text,
        )
        if not allowed:
            assert answer.json()["code"] == "forbidden"
    await client.aclose()


async def test_no_identity_means_401(demo_server: ThreadedServer) -> None:
    async with httpx.AsyncClient(base_url=demo_server.base_url) as http:
        for method, path, body, _ in ENDPOINTS:
            answer = await http.request(method, path, json=body)
            assert (answer.status_code, answer.json()["code"]) == (401, "unauthorized"), path


async def test_tenants_are_isolated(
    demo_server: ThreadedServer, team: dict[str, Any], make_tenant: Any
) -> None:
    other = await make_tenant()
    owner = await signed_in(demo_server, team["people"]["owner"])
    keys = (await owner.get("/api/v1/admin/keys")).json()
    assert keys and all(k["id"].startswith("key_") for k in keys)
    async with httpx.AsyncClient(
        base_url=demo_server.base_url, headers={"Authorization": f"Bearer {other['sk']}"}
    ) as foreign:
        other_keys = (await foreign.get("/api/v1/admin/keys")).json()
        assert not {k["id"] for k in keys} & {k["id"] for k in other_keys}
        # The other tenant can neither revoke nor rotate this tenant's key, nor read its settings.
        assert (await foreign.delete(f"/api/v1/admin/keys/{keys[0]['id']}")).status_code == 404
        assert (await foreign.post(f"/api/v1/admin/keys/{keys[0]['id']}/rotate", json={})).status_code == 404
        assert (await foreign.get("/api/v1/admin/settings")).json()["id"] == other["tenant_id"]
        # Reads of people, audit, catalog jobs and conversations show only the caller's tenant.
        await owner.post("/api/v1/admin/keys", json={"kind": "pk", "scopes": ["chat"], "name": "audited"})
        team_emails = set(team["people"].values())
        assert not team_emails & {u["email"] for u in (await foreign.get("/api/v1/admin/users")).json()}
        owner_actor = (await owner.get("/api/v1/admin/me")).json()["actor"]
        assert owner_actor in {e["actor"] for e in (await owner.get("/api/v1/admin/audit")).json()}
        assert owner_actor not in {e["actor"] for e in (await foreign.get("/api/v1/admin/audit")).json()}
        assert (await foreign.get("/api/v1/admin/catalog/jobs")).json() == []
        assert (await foreign.get("/api/v1/admin/conversations")).json() == []
        # Writes cannot reach the other tenant either: disabling its user is "not found".
        team_users = (await owner.get("/api/v1/admin/users")).json()
        assert (
            await foreign.post(f"/api/v1/admin/users/{team_users[0]['id']}/disable", json={})
        ).status_code == 404
    await owner.aclose()


async def test_key_created_once_and_rotated_without_downtime(
    demo_server: ThreadedServer, team: dict[str, Any]
) -> None:
    owner = await signed_in(demo_server, team["people"]["owner"])
    created = (
        await owner.post("/api/v1/admin/keys", json={"kind": "sk", "scopes": ["catalog"], "name": "erp"})
    ).json()
    raw = created["key"]
    assert raw.startswith("sk_live_")
    listed = (await owner.get("/api/v1/admin/keys")).json()
    assert all("key" not in k for k in listed) and raw not in str(listed)
    bad = await owner.post("/api/v1/admin/keys", json={"kind": "pk", "scopes": ["catalog"]})
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")

    async def works(key: str) -> bool:
        async with httpx.AsyncClient(base_url=demo_server.base_url) as http:
            return (
                await http.get("/api/v1/catalog/jobs", headers={"Authorization": f"Bearer {key}"})
            ).status_code == 200

    rotated = (
        await owner.post(f"/api/v1/admin/keys/{created['id']}/rotate", json={"overlap_seconds": 3600})
    ).json()
    assert rotated["replaces"] == created["id"] and rotated["scopes"] == ["catalog"]
    assert await works(raw) and await works(rotated["key"])  # both during the overlap
    again = (
        await owner.post(f"/api/v1/admin/keys/{rotated['id']}/rotate", json={"overlap_seconds": 0})
    ).json()
    assert not await works(rotated["key"])
    assert await works(again["key"])
    await owner.delete(f"/api/v1/admin/keys/{again['id']}")
    assert not await works(again["key"])
    await owner.aclose()


async def test_ledger_totals_match_the_recorded_usage(
    demo_server: ThreadedServer, database: Database, team: dict[str, Any]
) -> None:
    prices = {
        "gpt-x": ModelPrice(prompt=2.5, completion=10.0),
        "mini": ModelPrice(prompt=0.15, completion=0.6),
    }
    recorder = PostgresUsageRecorder(database, prices)
    calls = [
        ("gpt-x", 1234, 567),
        ("gpt-x", 999, 1),
        ("mini", 70_001, 333),
        ("mini", 5, 5),
        ("unpriced", 10, 10),
    ]
    for model, prompt, completion in calls:
        await recorder.record(
            UsageRecord(
                tenant_id=team["tenant_id"],
                conversation_id="conv_x",
                model=model,
                prompt_tokens=prompt,
                completion_tokens=completion,
            )
        )
    expected = sum(
        (Decimal(p) * Decimal(str(prices[m].prompt)) + Decimal(c) * Decimal(str(prices[m].completion))) / Decimal(1_000_000)
        for m, p, c in calls if m in prices
    )  # fmt: skip
    month = (await recorder.calls(team["tenant_id"]))[0].created_at.strftime("%Y-%m")
    viewer = await signed_in(demo_server, team["people"]["viewer"])
    statement = (await viewer.get("/api/v1/admin/billing/statement", params={"month": month})).json()
    assert statement["prompt_tokens"] == sum(p for _, p, _ in calls)
    assert statement["completion_tokens"] == sum(c for _, _, c in calls)
    assert Decimal(str(statement["cost"])) == expected.quantize(Decimal("0.00000001"))
    assert {line["model"] for line in statement["lines"]} == {"gpt-x", "mini", "unpriced"}
    csv_text = (
        await viewer.get("/api/v1/admin/billing/statement", params={"month": month, "format": "csv"})
    ).text
    total = csv_text.strip().splitlines()[-1].split(",")
    assert total[0] == "total" and Decimal(total[-1]) == expected.quantize(Decimal("0.00000001"))
    await viewer.aclose()


async def test_every_change_is_audited(demo_server: ThreadedServer, team: dict[str, Any]) -> None:
    owner = await signed_in(demo_server, team["people"]["owner"])
    await owner.patch(
        "/api/v1/admin/settings", json={"llm": {"complex_model": "gpt-x", "fast_model": "mini"}}
    )
    key = (await owner.post("/api/v1/admin/keys", json={"kind": "pk", "scopes": ["chat"]})).json()
    await owner.delete(f"/api/v1/admin/keys/{key['id']}")
    entries = (await owner.get("/api/v1/admin/audit")).json()
    await owner.patch("/api/v1/admin/webhooks", json={"secret": "retailer-chosen-secret-123"})
    entries = (await owner.get("/api/v1/admin/audit")).json()
    assert entries[0]["action"] == "webhooks.update"
    assert entries[0]["details"] == {"secret": "set"}  # never the secret itself
    entries = entries[1:]
    actions = [e["action"] for e in entries]
    assert actions[:3] == ["key.revoke", "key.create", "settings.update"], actions
    me = (await owner.get("/api/v1/admin/me")).json()
    assert {e["actor"] for e in entries[:3]} == {me["actor"]}
    assert entries[2]["details"] == {"llm": {"complex_model": "gpt-x", "fast_model": "mini"}}
    await owner.patch("/api/v1/admin/settings", json={"llm": {"system_prompt": "Ви — помічник Сільпо."}})
    settings = (await owner.get("/api/v1/admin/settings")).json()
    assert settings["llm"]["complex_model"] == "gpt-x"  # kept: LLM settings merge
    assert settings["llm"]["system_prompt"] == "Ви — помічник Сільпо."
    assert "secret" not in settings["webhooks"]
    await owner.aclose()


async def test_operator_sees_all_tenants_and_acts_on_one(
    demo_server: ThreadedServer, database: Database, team: dict[str, Any]
) -> None:
    email = f"op-{secrets.token_hex(3)}@vizochok.dev"
    await PostgresAdminStore(database).create_user(
        None, email, await Argon2Passwords().hash(PASSWORD), "operator"
    )
    operator = await signed_in(demo_server, email)
    tenants = (await operator.get("/api/v1/admin/tenants")).json()
    assert team["tenant_id"] in {t["id"] for t in tenants}
    changed = await operator.patch(
        "/api/v1/admin/settings",
        json={"plan": "enterprise"},
        headers={"X-Vizochok-Tenant": team["tenant_id"]},
    )
    assert changed.status_code == 200 and changed.json()["plan"] == "enterprise"
    store = f"new-{secrets.token_hex(3)}"
    created = (
        await operator.post(
            "/api/v1/admin/tenants", json={"name": "Новий", "store_id": store, "plan": "free"}
        )
    ).json()
    assert created["public_key"].startswith("pk_") and created["secret_key"].startswith("sk_")
    async with httpx.AsyncClient(
        base_url=demo_server.base_url, headers={"Authorization": f"Bearer {created['secret_key']}"}
    ) as new:
        settings = (await new.get("/api/v1/admin/settings")).json()
        assert (settings["store_id"], settings["plan"]) == (store, "free")
    again = await operator.post("/api/v1/admin/tenants", json={"name": "Двійник", "store_id": store})
    assert (again.status_code, again.json()["code"]) == (422, "validation_error")
    await operator.aclose()


async def test_usage_series_and_the_panel_page(demo_server: ThreadedServer, team: dict[str, Any]) -> None:
    viewer = await signed_in(demo_server, team["people"]["viewer"])
    usage = (await viewer.get("/api/v1/admin/usage", params={"days": 7})).json()
    assert set(usage) == {"lines", "activity"}
    page = await viewer.get("/admin")
    assert page.status_code == 200 and "vizochok" in page.text
    assert page.headers["x-frame-options"] == "DENY"
    await viewer.aclose()
