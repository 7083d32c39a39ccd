"""Issue 13, findings 3 and 5 over HTTP: bad bodies and queries get documented 4xx answers, never 500.

Also the small holes: login takes JSON only, a duplicate e-mail gets one answer whichever tenant
holds it, a tenant created through the API gets its webhook secret once, and the security headers.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

import httpx
import pytest

from tests.helpers import ThreadedServer
from vizochok.adapters.admin.passwords import Argon2Passwords
from vizochok.adapters.db import Database
from vizochok.adapters.db.admin import PostgresAdminStore
from vizochok.webhook_signature import sign, verify_request

PASSWORD = "correct horse battery"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def put_products(http: httpx.AsyncClient, sk: str, body: str) -> httpx.Response:
    return await http.put("/api/v1/catalog/products", content=body.encode("utf-8", "surrogatepass"),
                          headers={**bearer(sk), "Content-Type": "application/json"})  # fmt: skip


async def test_bad_catalog_bodies_are_refused_with_the_field(
    demo_server: ThreadedServer, make_tenant: Any
) -> None:
    tenant = await make_tenant()
    async with httpx.AsyncClient(base_url=demo_server.base_url, timeout=60) as http:
        cases = {
            '{"products":[{"sku":"a","name":"Молоко\\u0000"}]}': (
                422,
                "validation_error",
                "products[0].name",
            ),
            '{"products":[{"sku":"a\\u0000","name":"Молоко"}]}': (422, "validation_error", "products[0].sku"),
            '{"products":[{"sku":"a","name":"Молоко\\ud800"}]}': (
                422,
                "validation_error",
                "products[0].name",
            ),
            '{"products":[{"sku":"a","name":"Молоко","price":1e309}]}': (
                422,
                "validation_error",
                "products[0].price",
            ),
            '{"products":' + "[" * 1000 + "]" * 1000 + "}": (422, "validation_error", None),
            '{"products":[{"sku":"a",': (400, "invalid_json", None),
        }
        for body, (status, code, field) in cases.items():
            answer = await put_products(http, tenant["sk"], body)
            assert (answer.status_code, answer.json()["code"]) == (status, code), (body[:60], answer.text)
            assert answer.json().get("field") == field
        # The same product, clean, is accepted: the refusals were about the bytes, not the product.
        ok = await put_products(http, tenant["sk"], '{"products":[{"sku":"a","name":"Молоко\\nсвіже"}]}')
        assert ok.status_code == 202, ok.text


@pytest.mark.parametrize(
    ("q", "status", "code"),
    [
        ("молоко\x00", 422, "validation_error"),
        ("\x00", 422, "validation_error"),
        ("\x01\x02\x03\x7f", 422, "validation_error"),
        (b"\xff\xfe".decode("latin-1"), 200, None),  # binary-looking, but valid text once decoded
        ("", 422, "validation_error"),
        ("   ", 422, "validation_error"),
        ("м" * 5000, 422, "validation_error"),
        ('\'&|!:*()<->\\ "" молоко:* & !', 200, None),
        ("!!!", 200, None),
        ("'", 200, None),
        ("\ufffd\ufffd", 200, None),
        ("1e309 NaN", 200, None),
    ],
)
async def test_search_queries_get_clear_answers(
    demo_server: ThreadedServer, make_tenant: Any, q: str, status: int, code: str | None
) -> None:
    tenant = await make_tenant()
    async with httpx.AsyncClient(
        base_url=demo_server.base_url, timeout=60
    ) as http:  # embedding a query on a busy machine
        answer = await http.get("/api/v1/search", params={"q": q}, headers=bearer(tenant["sk"]))
    assert answer.status_code == status, answer.text
    if code:
        assert answer.json()["code"] == code
    else:
        assert answer.json() == {"items": []}  # an empty catalog, and no SQL error whatever the text


async def test_admin_conversation_search_refuses_nul(demo_server: ThreadedServer, make_tenant: Any) -> None:
    tenant = await make_tenant()
    async with httpx.AsyncClient(
        base_url=demo_server.base_url, headers=bearer(tenant["sk"]), timeout=60
    ) as http:
        answer = await http.get("/api/v1/admin/conversations", params={"q": "a\x00"})
        assert (answer.status_code, answer.json()["code"], answer.json()["field"]) == (
            422,
            "validation_error",
            "q",
        )
        assert (await http.get("/api/v1/admin/conversations", params={"q": "молоко"})).status_code == 200


async def test_login_takes_json_only(
    demo_server: ThreadedServer, database: Database, make_tenant: Any
) -> None:
    tenant = await make_tenant()
    email = f"owner-{secrets.token_hex(3)}@shop.ua"
    await PostgresAdminStore(database).create_user(
        tenant["tenant_id"], email, await Argon2Passwords().hash(PASSWORD), "owner"
    )
    credentials = json.dumps({"email": email, "password": PASSWORD})
    async with httpx.AsyncClient(base_url=demo_server.base_url, timeout=60) as http:
        # What a cross-site form can send without a preflight: refused before the password is checked.
        for content_type in (
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ):
            answer = await http.post(
                "/api/v1/admin/login", content=credentials, headers={"Content-Type": content_type}
            )
            assert (answer.status_code, answer.json()["code"]) == (415, "unsupported_media_type")
            assert "vz_admin" not in answer.cookies
        ok = await http.post(
            "/api/v1/admin/login",
            content=credentials,
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        assert ok.status_code == 200 and ok.cookies.get("vz_admin")


async def test_a_taken_email_gets_the_same_conflict_whichever_tenant_holds_it(
    demo_server: ThreadedServer, make_tenant: Any
) -> None:
    first, second = await make_tenant(), await make_tenant()
    email = f"shared-{secrets.token_hex(3)}@shop.ua"
    user = {"email": email, "password": PASSWORD, "role": "viewer"}
    async with httpx.AsyncClient(base_url=demo_server.base_url, timeout=60) as http:
        created = await http.post("/api/v1/admin/users", json=user, headers=bearer(first["sk"]))
        assert created.status_code == 201, created.text
        same = await http.post("/api/v1/admin/users", json=user, headers=bearer(first["sk"]))
        other = await http.post(
            "/api/v1/admin/users", json={**user, "email": email.upper()}, headers=bearer(second["sk"])
        )
    assert same.status_code == other.status_code == 409
    assert (
        same.json() == other.json() == {"code": "email_taken", "detail": "this e-mail address cannot be used"}
    )


async def test_a_tenant_created_through_the_api_gets_its_webhook_secret_once(
    demo_server: ThreadedServer, database: Database, tenant_repo: Any
) -> None:
    email = f"op-{secrets.token_hex(3)}@vizochok.dev"
    await PostgresAdminStore(database).create_user(
        None, email, await Argon2Passwords().hash(PASSWORD), "operator"
    )
    async with httpx.AsyncClient(base_url=demo_server.base_url, timeout=60) as http:
        login = await http.post("/api/v1/admin/login", json={"email": email, "password": PASSWORD})
        http.headers["X-CSRF-Token"] = login.json()["csrf_token"]
        created = (
            await http.post(
                "/api/v1/admin/tenants", json={"name": "З секретом", "store_id": f"s-{secrets.token_hex(3)}"}
            )
        ).json()
        settings = await http.get("/api/v1/admin/webhooks", headers=bearer(created["secret_key"]))
    secret = created["webhook_secret"]
    assert len(secret) >= 32
    stored = await tenant_repo.get(created["tenant_id"])
    body = b'{"skus":["a"]}'
    assert verify_request(
        secret, body, sign(stored.webhooks.secret, body)
    )  # the secret that signs is the one shown
    assert (
        secret not in settings.text and settings.json()["has_secret"] is True
    )  # and it is never shown again


@pytest.mark.parametrize(
    "signature",
    [
        "sha256=" + "é" * 64,
        "sha256=" + "é" * 32,
        "sha256=\u0000",
        "sha256=" + "f" * 63 + "ї",
        "sha256=\ud800",
    ],
)
def test_verify_request_refuses_malformed_signatures_without_raising(signature: str) -> None:
    body = b'{"skus":["a"]}'
    headers = sign("s" * 32, body)
    assert verify_request("s" * 32, body, headers)
    assert verify_request("s" * 32, body, {**headers, "X-VIZOCHOK-Signature": signature}) is False
    assert verify_request("s" * 32, body, {**headers, "X-VIZOCHOK-Timestamp": "\u0663" * 10}) is False
    assert verify_request("s" * 32, body, {**headers, "X-VIZOCHOK-Timestamp": "²"}) is False


async def test_pages_carry_a_content_security_policy(demo_server: ThreadedServer, make_tenant: Any) -> None:
    tenant = await make_tenant()
    async with httpx.AsyncClient(base_url=demo_server.base_url, timeout=60) as http:
        for path in ("/admin", "/"):
            page = await http.get(path)
            policy = page.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
            assert (
                "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
            )  # scripts only by hash
            inline = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)
            assert inline and policy.count("'sha256-") == len(inline)
            assert page.headers["x-frame-options"] == "DENY"
            assert page.headers["x-content-type-options"] == "nosniff"
        for answer in (
            await http.get("/api/v1/search", params={"q": "x"}, headers=bearer(tenant["sk"])),
            await http.get("/api/v1/search", params={"q": "x"}),
            await http.get("/widget/v1/vizochok-widget.js"),
            await http.get("/readyz"),
        ):
            assert answer.headers["x-content-type-options"] == "nosniff"


async def test_nul_or_undecodable_bytes_in_a_path_or_query_get_422_on_every_route(
    demo_server: ThreadedServer, make_tenant: Any
) -> None:
    tenant = await make_tenant()
    async with httpx.AsyncClient(
        base_url=demo_server.base_url, headers=bearer(tenant["sk"]), timeout=60
    ) as http:
        for path, field in (
            ("/api/v1/profiles/u%00", "path"),
            ("/api/v1/catalog/jobs/job%00x", "path"),
            ("/api/v1/admin/conversations/conv%00", "path"),
            ("/api/v1/search?q=%ff%fe", "q"),
            ("/api/v1/search?q=%ED%A0%80", "q"),
            ("/api/v1/search?q=a&limit=%00", "limit"),
        ):
            answer = await http.get(path)
            assert (answer.status_code, answer.json()["code"], answer.json()["field"]) == (
                422,
                "validation_error",
                field,
            ), path
            assert answer.headers["x-content-type-options"] == "nosniff"
        assert (await http.get("/api/v1/profiles/u-1")).status_code in (200, 404)
