"""No key, secret, password or session token appears in any log line of a full flow, at DEBUG level.

The flow touches every place a secret passes: tenant creation, sign-in, CSRF, key creation and
rotation, webhook secret changes and signed webhook calls, catalog upload, search, chat with cart
changes, failed logins and bad keys.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from typing import Any

import httpx
import pytest

from tests.helpers import ChatClient, ThreadedServer
from vizochok.adapters.admin.passwords import Argon2Passwords
from vizochok.adapters.db import Database
from vizochok.adapters.db.admin import PostgresAdminStore

PASSWORD = "correct horse battery staple"


async def test_a_full_flow_logs_no_secret(
    demo_server: ThreadedServer, demo: dict[str, Any], database: Database, make_tenant: Any, prepared: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    demo_tenant = json.loads((prepared.settings.data_dir / "demo-tenant.json").read_text())
    tenant = await make_tenant()
    email = f"owner-{secrets.token_hex(3)}@shop.ua"
    await PostgresAdminStore(database).create_user(
        tenant["tenant_id"], email, await Argon2Passwords().hash(PASSWORD), "owner"
    )
    watched: list[str] = [
        tenant["sk"],
        demo_tenant["secret_key"],
        demo_tenant.get("webhook_secret", ""),
        PASSWORD,
    ]
    assert prepared.settings.secret_key is not None
    watched.append(prepared.settings.secret_key.get_secret_value())

    async with httpx.AsyncClient(base_url=demo_server.base_url, timeout=60) as http:
        await http.post(
            "/api/v1/admin/login", json={"email": email, "password": PASSWORD + "x"}
        )  # a failed login
        login = await http.post("/api/v1/admin/login", json={"email": email, "password": PASSWORD})
        csrf = login.json()["csrf_token"]
        watched += [csrf, login.cookies["vz_admin"]]
        http.headers["X-CSRF-Token"] = csrf
        created = (
            await http.post("/api/v1/admin/keys", json={"kind": "sk", "scopes": ["catalog"], "name": "ci"})
        ).json()
        rotated = (
            await http.post(f"/api/v1/admin/keys/{created['id']}/rotate", json={"overlap_seconds": 0})
        ).json()
        watched += [created["key"], rotated["key"]]
        new_secret = secrets.token_urlsafe(24)
        watched.append(new_secret)
        await http.patch("/api/v1/admin/webhooks", json={"secret": new_secret})
        await http.post("/api/v1/admin/webhooks/test")
        await http.get("/api/v1/admin/settings")

        sk = {"Authorization": f"Bearer {tenant['sk']}"}
        await http.put(
            "/api/v1/catalog/products", json={"products": [{"sku": "s1", "name": "Молоко"}]}, headers=sk
        )
        await http.get(
            "/api/v1/search",
            params={"q": "молоко"},
            headers={"Authorization": f"Bearer {demo_tenant['secret_key']}"},
        )
        await http.get(
            "/api/v1/search",
            params={"q": "молоко"},
            headers={"Authorization": "Bearer sk_live_wrong_" + "x" * 20},
        )

    client, _ = await ChatClient.connect(
        demo_server.ws_url, demo["apiKey"], store_id=demo["storeId"], user_id="log-check"
    )
    await client.say("додай два молока Галичина 2,5%")  # a signed cart webhook call
    await client.say("покажи хліб")  # a signed products webhook call
    await client.ws.send('{"type":"message","text":"\\u0000"}')
    await client.recv()
    await client.close()

    # The server's records: it runs in its own thread. This test's own HTTP client logs the answers it
    # receives (a session cookie in `Set-Cookie`, at DEBUG), which is the client's business, not ours.
    server = [r for r in caplog.records if r.threadName != threading.main_thread().name]
    assert server, "the server logged nothing: the check would prove nothing"
    handler = logging.Formatter("%(levelname)s %(name)s %(message)s")
    lines = [handler.format(r) for r in server] + [str(r.args) for r in server]
    for secret in filter(None, watched):
        leaked = [line for line in lines if secret in line]
        assert not leaked, f"a secret ({secret[:6]}…) appears in the log: {leaked[0][:300]}"
