"""Upsert by SKU with content hashes; jobs embed, record progress and resume."""

from __future__ import annotations

from typing import Any

from vizochok.adapters.db import Database
from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.core.catalog.service import CatalogService

MILK = {"sku": "m1", "name": "Молоко 2,5%", "brand": "Галичина", "volume": 900}
BREAD = {"sku": "b1", "name": "Хліб", "unit": "pcs"}


async def test_counts_created_updated_unchanged_and_to_embed(database: Database, make_tenant: Any) -> None:
    tenant = (await make_tenant())["tenant_id"]
    repo = PostgresCatalogRepository(database)
    service = CatalogService(repo, HashingEmbedder())

    job, to_embed = await service.upsert(tenant, [MILK, BREAD])
    assert (job.total, job.created, job.updated, job.unchanged, to_embed) == (2, 2, 0, 0, 2)
    await service.wait(job.job_id)
    done = await repo.get_job(tenant, job.job_id)
    assert done is not None and done.status == "complete" and done.embedded == 2
    assert done.started_at is not None and done.completed_at is not None

    # Same content again: nothing to do.
    job, to_embed = await service.upsert(tenant, [MILK, BREAD])
    assert (job.unchanged, to_embed, job.status) == (2, 0, "complete")

    # Volume is metadata: updated, not re-embedded. The name is content: re-embedded.
    job, to_embed = await service.upsert(tenant, [{**MILK, "volume": 1000}, {**BREAD, "name": "Хліб житній"}])
    assert (job.updated, job.unchanged, to_embed) == (2, 0, 1)
    await service.wait(job.job_id)
    assert await repo.count_active(tenant) == 2

    # Soft delete.
    job, _ = await service.upsert(tenant, [{**BREAD, "name": "Хліб житній", "is_active": False}])
    assert await repo.count_active(tenant) == 1


async def test_invalid_products_are_listed_and_the_rest_lands(database: Database, make_tenant: Any) -> None:
    tenant = (await make_tenant())["tenant_id"]
    service = CatalogService(PostgresCatalogRepository(database), HashingEmbedder())
    job, to_embed = await service.upsert(
        tenant, [MILK, {"sku": "bad"}, {"name": "no sku"}, {**BREAD, "unit": None, "brand": None}]
    )
    assert job.total == 4 and to_embed == 2
    assert len(job.errors) == 2
    assert job.errors[0].startswith("products[1] (sku 'bad'): name")


async def test_unfinished_jobs_resume(database: Database, make_tenant: Any) -> None:
    tenant = (await make_tenant())["tenant_id"]
    repo = PostgresCatalogRepository(database)
    job, _ = await repo.upsert(tenant, "job_resume_me", [])
    # A job left pending by a process that died before embedding.
    from vizochok.core.models import ProductInput

    job, to_embed = await repo.upsert(tenant, "job_crashed", [ProductInput(**MILK)])
    assert to_embed == 1 and job.status == "pending"
    assert (tenant, "job_crashed") in await repo.unfinished_jobs()
    service = CatalogService(repo, HashingEmbedder())
    assert await service.resume() >= 1
    await service.wait("job_crashed")
    resumed = await repo.get_job(tenant, "job_crashed")
    assert resumed is not None and resumed.status == "complete" and resumed.embedded == 1
    assert (tenant, "job_crashed") not in await repo.unfinished_jobs()
