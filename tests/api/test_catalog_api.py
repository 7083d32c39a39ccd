"""Catalog and search over HTTP: keys, scopes, jobs, limits and tenant isolation."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.helpers import ThreadedServer

PRODUCTS = [
    {
        "sku": "api-milk",
        "name": "Молоко Ферма 3,2% 900 мл",
        "brand": "Ферма",
        "category_path": "Молочні > Молоко",
    },
    {
        "sku": "api-tea",
        "name": "Чай чорний цейлонський 100 г",
        "brand": "Lovare",
        "category_path": "Чай > Чорний",
    },
]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def wait_job(http: httpx.AsyncClient, key: str, job_id: str) -> dict[str, Any]:
    for _ in range(200):
        job = (await http.get(f"/api/v1/catalog/jobs/{job_id}", headers=bearer(key))).json()
        if job["status"] in ("complete", "failed"):
            return job  # type: ignore[no-any-return]
        await asyncio.sleep(0.05)
    raise AssertionError("job did not finish")


async def test_upload_job_and_search(demo_server: ThreadedServer, make_tenant: Any) -> None:
    tenant = await make_tenant()
    async with httpx.AsyncClient(base_url=demo_server.base_url) as http:
        answer = await http.put(
            "/api/v1/catalog/products", json={"products": PRODUCTS}, headers=bearer(tenant["sk"])
        )
        assert answer.status_code == 202
        body = answer.json()
        assert body == {
            "job_id": body["job_id"],
            "total": 2,
            "to_embed": 2,
            "unchanged": 0,
            "status": "accepted",
        }
        job = await wait_job(http, tenant["sk"], body["job_id"])
        assert set(job) == {
            "job_id",
            "tenant_id",
            "status",
            "total",
            "embedded",
            "created",
            "updated",
            "unchanged",
            "errors",
            "started_at",
            "completed_at",
        }
        assert (job["status"], job["embedded"], job["created"]) == ("complete", 2, 2)

        jobs = (await http.get("/api/v1/catalog/jobs", headers=bearer(tenant["sk"]))).json()
        assert [j["job_id"] for j in jobs] == [body["job_id"]]

        found = (
            await http.get("/api/v1/search", params={"q": "молоко", "limit": 5}, headers=bearer(tenant["sk"]))
        ).json()
        assert found["items"][0]["sku"] == "api-milk"
        assert set(found["items"][0]) == {"sku", "name", "score"}

        again = (
            await http.put(
                "/api/v1/catalog/products", json={"products": PRODUCTS}, headers=bearer(tenant["sk"])
            )
        ).json()
        assert (again["to_embed"], again["unchanged"]) == (0, 2)

        # Another tenant sees neither the job nor the products.
        other = await make_tenant()
        assert (
            await http.get(f"/api/v1/catalog/jobs/{body['job_id']}", headers=bearer(other["sk"]))
        ).status_code == 404
        assert (
            await http.get("/api/v1/search", params={"q": "молоко"}, headers=bearer(other["sk"]))
        ).json() == {"items": []}


async def test_keys_and_scopes(demo_server: ThreadedServer, make_tenant: Any) -> None:
    tenant = await make_tenant()
    async with httpx.AsyncClient(base_url=demo_server.base_url) as http:
        missing = await http.get("/api/v1/catalog/jobs")
        assert (missing.status_code, missing.json()["code"]) == (401, "unauthorized")
        wrong = await http.get("/api/v1/catalog/jobs", headers=bearer("sk_live_unknown"))
        assert (wrong.status_code, wrong.json()["code"]) == (401, "invalid_api_key")
        public = await http.get("/api/v1/catalog/jobs", headers=bearer(tenant["pk"]))
        assert (public.status_code, public.json()["code"]) == (403, "forbidden")


async def test_bad_bodies(demo_server: ThreadedServer, make_tenant: Any) -> None:
    tenant = await make_tenant()
    async with httpx.AsyncClient(base_url=demo_server.base_url) as http:
        shape = await http.put("/api/v1/catalog/products", json={"items": []}, headers=bearer(tenant["sk"]))
        assert (shape.status_code, shape.json()["code"]) == (422, "validation_error")
        too_many = [{"sku": f"s{i}", "name": "x"} for i in range(5001)]
        large = await http.put(
            "/api/v1/catalog/products", json={"products": too_many}, headers=bearer(tenant["sk"])
        )
        assert (large.status_code, large.json()["code"]) == (413, "payload_too_large")
        limit = await http.get("/api/v1/search", params={"q": "x", "limit": 51}, headers=bearer(tenant["sk"]))
        assert limit.status_code in (400, 422)
        assert limit.json()["code"] == "validation_error"
