"""Catalog upserts, change detection, soft deletes, job records and resuming, on real PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest

from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.core.catalog.service import MAX_BATCH, CatalogService
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.query import ANALYZER_VERSION

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vizochok.adapters.db import Database

pytestmark = pytest.mark.asyncio


class CountingEmbedder(HashingEmbedder):
    """Counts embedded texts, so tests can tell real re-embedding from skipped work."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded: list[str] = []

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.embedded += list(texts)
        return await super().embed_passages(texts)


def product(sku: str, **fields: Any) -> dict[str, Any]:
    return {"sku": sku, "name": f"Товар {sku}", "category_path": "Бакалія > Крупи", **fields}


@pytest.fixture
def repo(database: Database) -> PostgresCatalogRepository:
    return PostgresCatalogRepository(database)


async def upload(service: CatalogService, tenant_id: str, products: list[Any]) -> tuple[Any, int]:
    job, to_embed = await service.upsert(tenant_id, products)
    await service.wait(job.job_id)
    return job, to_embed


async def test_only_content_changes_are_re_embedded(
    repo: PostgresCatalogRepository, make_tenant: Any
) -> None:
    tenant = (await make_tenant())["tenant_id"]
    embedder = CountingEmbedder()
    service = CatalogService(repo, embedder)
    job, to_embed = await upload(service, tenant, [product("a"), product("b"), product("c")])
    assert (to_embed, job.created, job.unchanged) == (3, 3, 0)

    job, to_embed = await upload(service, tenant, [product("a"), product("b"), product("c")])
    assert (to_embed, job.unchanged, job.updated) == (0, 3, 0)

    # Metadata only: stored, counted as updated, not embedded again.
    embedder.embedded.clear()
    job, to_embed = await upload(
        service, tenant, [product("a", image_url="https://x/a.jpg", volume=900), product("b"), product("c")]
    )
    assert (to_embed, job.updated, job.unchanged) == (0, 1, 2)
    assert embedder.embedded == []
    assert (await repo.get_products(tenant, ["a"]))["a"].volume == 900

    # Each embedded field triggers re-embedding.
    for field, value in [("name", "Нова назва"), ("description", "опис"), ("ingredients", "склад"),
                         ("brand", "Бренд"), ("category_path", "Інше"), ("country", "Україна")]:  # fmt: skip
        job, to_embed = await upload(service, tenant, [product("a", **{field: value})])
        assert to_embed == 1, field
    assert (await repo.get_job(tenant, job.job_id)).status == "complete"  # type: ignore[union-attr]


async def test_soft_delete_and_reactivation(repo: PostgresCatalogRepository, make_tenant: Any) -> None:
    tenant = (await make_tenant())["tenant_id"]
    service = CatalogService(repo, HashingEmbedder())
    await upload(service, tenant, [product("a"), product("b")])
    assert await repo.count_active(tenant) == 2
    job, to_embed = await upload(service, tenant, [product("a", is_active=False)])
    assert (to_embed, job.updated) == (0, 1)
    assert await repo.count_active(tenant) == 1
    _, to_embed = await upload(
        service, tenant, [product("a", is_active=None)]
    )  # null means the default: active
    assert to_embed == 0  # its vector is still current
    assert await repo.count_active(tenant) == 2


async def test_invalid_products_are_listed_and_the_rest_lands(
    repo: PostgresCatalogRepository, make_tenant: Any
) -> None:
    tenant = (await make_tenant())["tenant_id"]
    service = CatalogService(repo, HashingEmbedder())
    job, to_embed = await upload(
        service,
        tenant,
        [
            product("ok"),
            {"sku": "no-name"},
            product("bad-weight", weight=-1),
            "not an object",
            product("x", colour="red"),
        ],
    )
    assert to_embed == 1
    assert job.total == 5
    assert len(job.errors) == 4
    assert "products[1] (sku 'no-name')" in job.errors[0] and "name" in job.errors[0]
    assert "weight" in job.errors[1]
    assert "colour" in job.errors[3]
    stored = await repo.get_job(tenant, job.job_id)
    assert stored is not None and stored.errors == job.errors


async def test_batch_limit(repo: PostgresCatalogRepository, make_tenant: Any) -> None:
    tenant = (await make_tenant())["tenant_id"]
    with pytest.raises(VizochokError) as raised:
        await CatalogService(repo, HashingEmbedder()).upsert(
            tenant, [product(str(i)) for i in range(MAX_BATCH + 1)]
        )
    assert raised.value.code == ErrorCode.PAYLOAD_TOO_LARGE


async def test_jobs_list_and_detail(repo: PostgresCatalogRepository, make_tenant: Any) -> None:
    tenant = (await make_tenant())["tenant_id"]
    other = (await make_tenant())["tenant_id"]
    service = CatalogService(repo, HashingEmbedder())
    first, _ = await upload(service, tenant, [product("a")])
    second, _ = await upload(service, tenant, [product("a"), product("b")])
    await upload(service, other, [product("z")])
    jobs = await repo.list_jobs(tenant)
    assert [j.job_id for j in jobs] == [second.job_id, first.job_id]
    detail = jobs[0].model_dump(mode="json")
    assert set(detail) == {"job_id", "tenant_id", "status", "total", "embedded", "created", "updated", "unchanged",
                           "errors", "started_at", "completed_at"}  # fmt: skip
    assert detail["status"] == "complete" and detail["embedded"] == 1 and detail["unchanged"] == 1
    assert detail["started_at"] is not None and detail["completed_at"] is not None
    assert await repo.get_job(other, first.job_id) is None  # another tenant's job is invisible


class StallingEmbedder(HashingEmbedder):
    """Never finishes, like a process killed mid-job."""

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        await asyncio.sleep(3600)
        return []


async def test_jobs_resume_after_a_restart(repo: PostgresCatalogRepository, make_tenant: Any) -> None:
    tenant = (await make_tenant())["tenant_id"]
    crashed = CatalogService(repo, StallingEmbedder())
    job, _ = await crashed.upsert(tenant, [product("a"), product("b")])
    await asyncio.sleep(0.1)
    await crashed.close()  # shutdown mid-embedding: the job stays unfinished
    assert (await repo.get_job(tenant, job.job_id)).status in ("pending", "embedding")  # type: ignore[union-attr]

    restarted = CatalogService(repo, HashingEmbedder())
    assert await restarted.resume() >= 1
    await restarted.wait(job.job_id)
    done = await repo.get_job(tenant, job.job_id)
    assert done is not None and done.status == "complete" and done.embedded == 2
    assert await repo.count_active(tenant) == 2


async def test_products_of_an_older_analyzer_are_reindexed(
    repo: PostgresCatalogRepository, database: Database, make_tenant: Any
) -> None:
    tenant = (await make_tenant())["tenant_id"]
    await upload(CatalogService(repo, HashingEmbedder()), tenant, [product("a", name="Гречка ядриця")])
    async with database.tenant(tenant) as conn:
        await conn.execute("UPDATE products SET fts = NULL, search_version = 0")
    assert tenant in await repo.stale_search_tenants()
    assert await repo.reindex(tenant) == 1
    assert tenant not in await repo.stale_search_tenants()
    async with database.tenant(tenant) as conn:
        row = await (await conn.execute("SELECT fts::text AS fts, search_version FROM products")).fetchone()
    assert row is not None and "'гречк':" in row["fts"] and row["search_version"] == ANALYZER_VERSION


async def test_embedded_batches_are_mirrored(repo: PostgresCatalogRepository, make_tenant: Any) -> None:
    """A second engine (Elasticsearch) receives every embedded batch with its vectors."""
    tenant = (await make_tenant())["tenant_id"]
    shipped: list[tuple[str, str, int]] = []
    updated: list[str] = []

    class Mirror:
        async def update_products(self, tenant_id: str, products: Sequence[Any]) -> None:
            updated.extend(p.sku for p in products)

        async def index_products(self, tenant_id: str, items: Sequence[tuple[Any, list[float]]]) -> None:
            shipped.extend((tenant_id, p.sku, len(v)) for p, v in items)

    service = CatalogService(repo, HashingEmbedder(), batch_size=2, mirror=Mirror())  # type: ignore[arg-type]
    await upload(service, tenant, [product("a"), product("b"), product("c")])
    assert sorted(shipped) == [(tenant, "a", 384), (tenant, "b", 384), (tenant, "c", 384)]
    assert sorted(updated) == ["a", "b", "c"]
