"""Limits a tenant sets through the admin API are checked and bounded by its plan; only operators go beyond."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from tests.helpers import ChatClient, ThreadedServer
from vizochok.adapters.admin.passwords import Argon2Passwords
from vizochok.adapters.db import Database
from vizochok.adapters.db.admin import PostgresAdminStore

PASSWORD = "correct horse battery"


async def test_keys_and_editors_cannot_exceed_the_plan_and_bad_values_are_refused(
    demo_server: ThreadedServer, database: Database, make_tenant: Any
) -> None:
    tenant = await make_tenant()
    async with httpx.AsyncClient(
        base_url=demo_server.base_url, headers={"Authorization": f"Bearer {tenant['sk']}"}
    ) as api:
        huge = await api.patch("/api/v1/admin/settings", json={"limits": {"tenant_tokens_per_month": 10**15}})
        assert (huge.status_code, huge.json()["code"], huge.json()["field"]) == (
            403,
            "forbidden",
            "limits.tenant_tokens_per_month",
        )
        junk = await api.patch("/api/v1/admin/settings", json={"limits": {"max_frame_bytes": "abc"}})
        assert (junk.status_code, junk.json()["code"], junk.json()["field"]) == (
            422,
            "validation_error",
            "limits.max_frame_bytes",
        )
        within = await api.patch(
            "/api/v1/admin/settings",
            json={"limits": {"tenant_tokens_per_month": 5_000_000, "max_frame_bytes": 32768}},
        )
        assert within.status_code == 200
        assert within.json()["limits"] == {"tenant_tokens_per_month": 5_000_000, "max_frame_bytes": 32768}

    # The tenant's sockets still work (a stored "abc" used to close every one of them 4500).
    client, hello = await ChatClient.connect(demo_server.ws_url, tenant["pk"], user_id="limits-shopper")
    assert hello[0] == {"type": "auth_ok"}
    await client.close()

    # An operator may go beyond the plan.
    email = f"op-{secrets.token_hex(3)}@vizochok.dev"
    await PostgresAdminStore(database).create_user(
        None, email, await Argon2Passwords().hash(PASSWORD), "operator"
    )
    async with httpx.AsyncClient(base_url=demo_server.base_url) as operator:
        login = await operator.post("/api/v1/admin/login", json={"email": email, "password": PASSWORD})
        operator.headers.update(
            {"X-CSRF-Token": login.json()["csrf_token"], "X-Vizochok-Tenant": tenant["tenant_id"]}
        )
        raised = await operator.patch(
            "/api/v1/admin/settings", json={"limits": {"tenant_tokens_per_month": 10**12}}
        )
        assert raised.status_code == 200
        assert raised.json()["limits"] == {"tenant_tokens_per_month": 10**12}
