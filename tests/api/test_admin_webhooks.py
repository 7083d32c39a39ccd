"""`/api/v1/admin/webhooks` over real HTTP on the demo server, with a scripted retailer on loopback.

The demo allows private hosts (its retailer is on this machine); the SSRF rules with the guard on are
tested in tests/core/test_webhook_admin.py and tests/adapters/http/test_ssrf_guard.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.adapters.http.retailer_server import ScriptedRetailer, Server, reply
from vizochok.webhook_signature import verify_request

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from tests.helpers import ThreadedServer
    from vizochok.adapters.db.tenants import PostgresTenantRepository

pytestmark = pytest.mark.asyncio

PATH = "/api/v1/admin/webhooks"


@pytest.fixture(scope="module")
def retailer() -> Iterator[tuple[Server, ScriptedRetailer]]:
    app = ScriptedRetailer()
    with Server(app) as server:
        yield server, app


@pytest.fixture
async def api(demo_server: ThreadedServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=demo_server.base_url) as client:
        yield client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_needs_an_sk_key_with_admin_scope(
    api: httpx.AsyncClient, make_tenant: Any, tenant_repo: PostgresTenantRepository
) -> None:
    tenant = await make_tenant()
    _, catalog_only = await tenant_repo.create_key(tenant["tenant_id"], "sk", ["catalog"])
    cases = [({}, 401, "unauthorized"), (bearer("sk_live_unknown"), 401, "invalid_api_key"),
             (bearer(tenant["pk"]), 403, "forbidden"), (bearer(catalog_only), 403, "forbidden")]  # fmt: skip
    for headers, status, code in cases:
        for method, url in (
            ("GET", PATH),
            ("PATCH", PATH),
            ("POST", f"{PATH}/test"),
            ("GET", f"{PATH}/status"),
        ):
            answer = await api.request(method, url, headers=headers, json={} if method != "GET" else None)
            assert (answer.status_code, answer.json()["code"]) == (status, code), (method, url, headers)


async def test_secret_generated_once_then_never_returned(
    api: httpx.AsyncClient, make_tenant: Any, retailer: tuple[Server, ScriptedRetailer]
) -> None:
    server, app = retailer
    app.reset()
    tenant = await make_tenant(webhooks={})
    auth = bearer(tenant["sk"])
    assert (await api.get(PATH, headers=auth)).json() == {
        "products_url": "", "cart_url": "", "cart_get_url": "", "has_secret": False, "timeout_seconds": 5.0,
    }  # fmt: skip
    first = await api.patch(
        PATH, headers=auth, json={"products_url": f"{server.base_url}/products", "timeout_seconds": 2}
    )
    assert first.status_code == 200
    body = first.json()
    secret = body.pop("secret")
    assert body == {"ok": True, "has_secret": True}
    second = await api.patch(PATH, headers=auth, json={"cart_url": f"{server.base_url}/cart"})
    assert second.json() == {"ok": True, "has_secret": True}
    view = await api.get(PATH, headers=auth)
    assert view.json() == {"products_url": f"{server.base_url}/products", "cart_url": f"{server.base_url}/cart",
                           "cart_get_url": "", "has_secret": True, "timeout_seconds": 2.0}  # fmt: skip
    assert secret not in view.text and secret not in second.text

    # The secret shown once is the one requests are signed with.
    app.then(reply(200, {"products": [{"sku": "milk-1", "price": 45.9, "in_stock": True}]}))
    test = await api.post(f"{PATH}/test", headers=auth, json={"skus": ["milk-1"]})
    report = test.json()
    assert report["ok"] is True and report["status"] == 200 and report["problems"] == []
    assert 0 < report["latency_ms"] < 2000
    [request] = app.received
    assert verify_request(secret, request.body, request.headers)
    assert request.body == b'{"skus":["milk-1"],"store_id":"' + tenant["store_id"].encode() + b'"}'


async def test_test_reports_schema_problems_and_failures(
    api: httpx.AsyncClient, make_tenant: Any, retailer: tuple[Server, ScriptedRetailer]
) -> None:
    server, app = retailer
    app.reset()
    tenant = await make_tenant(
        webhooks={"secret": "x" * 24, "products_url": f"{server.base_url}/products", "timeout_seconds": 0.5}
    )
    auth = bearer(tenant["sk"])
    app.then(reply(200, {"items": []}), reply(500), reply(200, {"products": []}, delay=1))
    report = (await api.post(f"{PATH}/test", headers=auth)).json()
    assert report["ok"] is False and report["error"] == "webhook_error"
    assert report["problems"] == ["products: Field required"]
    assert (await api.post(f"{PATH}/test", headers=auth)).json()["status"] == 500
    slow = (await api.post(f"{PATH}/test", headers=auth)).json()
    assert (slow["ok"], slow["status"], slow["error"]) == (False, None, "webhook_timeout")
    assert app.received[0].body.startswith(b'{"skus":["vizochok-test-1"')
    bad = await api.post(f"{PATH}/test", headers=auth, json={"skus": ["a"] * 11})
    assert (bad.status_code, bad.json()["code"]) == (422, "validation_error")


@pytest.mark.parametrize(
    ("patch", "code"),
    [
        ({"products_url": "ftp://shop.example/p"}, "webhook_url_rejected"),
        ({"cart_url": "http://user:pw@127.0.0.1/cart"}, "webhook_url_rejected"),
        ({"timeout_seconds": 0}, "validation_error"),
        ({"timeout_seconds": 600}, "validation_error"),
        ({"secret": "too-short"}, "validation_error"),
        ({"products_url": "https://shop.example/p", "unknown": 1}, "validation_error"),
    ],
)
async def test_rejected_patch_changes_nothing(
    api: httpx.AsyncClient, make_tenant: Any, patch: dict[str, Any], code: str
) -> None:
    tenant = await make_tenant()
    auth = bearer(tenant["sk"])
    before = (await api.get(PATH, headers=auth)).json()
    answer = await api.patch(PATH, headers=auth, json=patch)
    assert answer.status_code == 422
    assert answer.json()["code"] == code
    assert "too-short" not in answer.text
    assert (await api.get(PATH, headers=auth)).json() == before


async def test_status_of_a_fresh_tenant(api: httpx.AsyncClient, make_tenant: Any) -> None:
    tenant = await make_tenant()
    status = (await api.get(f"{PATH}/status", headers=bearer(tenant["sk"]))).json()
    assert status["circuit"]["state"] == "closed"
    assert status["webhooks"] == {}
    assert status["scope"] == {"circuit": "process", "concurrency": "process", "webhooks": "valkey"}


async def test_endpoints_are_in_the_openapi_schema(api: httpx.AsyncClient) -> None:
    paths = (await api.get("/schema/openapi.json")).json()["paths"]
    assert {"get", "patch"} <= set(paths[PATH])
    assert "post" in paths[f"{PATH}/test"]
    assert "get" in paths[f"{PATH}/status"]
