"""A large tenant gets a vector index of its own, and its searches use it; no tenant can index another."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest

from vizochok.adapters.db import Database
from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.adapters.search.postgres import PostgresProductSearch
from vizochok.core.catalog.service import CatalogService
from vizochok.core.models import SearchHit
from vizochok.core.search.request import SearchRequest, fuse


async def _hits(engine: Any, tenant: str, request: SearchRequest) -> list[SearchHit]:
    """The engine's legs fused as the service fuses them."""
    return fuse(request, await engine.legs(tenant, request))


pytestmark = pytest.mark.asyncio

WORDS = ["молоко", "кефір", "сир", "масло", "хліб", "рис", "гречка", "чай", "кава", "яблука"]


async def _load(database: Database, tenant: str, n: int) -> None:
    service = CatalogService(PostgresCatalogRepository(database), HashingEmbedder())
    products = [
        {"sku": f"p{i}", "name": f"{WORDS[i % 10]} {i}", "category_path": "Все > Усе"} for i in range(n)
    ]
    job, _ = await service.upsert(tenant, products)
    await service.wait(job.job_id)


async def test_large_tenant_gets_and_uses_its_own_vector_index(database: Database, make_tenant: Any) -> None:
    tenant, other = (await make_tenant())["tenant_id"], (await make_tenant())["tenant_id"]
    await _load(database, tenant, 60)
    await _load(database, other, 60)
    # Thresholds scaled down: 60 products count as "large" here (5,000 in production).
    engine = PostgresProductSearch(database, exact_below=10, own_index_above=50)
    vector = HashingEmbedder().vector("кефір")
    before = [h.sku for h in await _hits(engine, tenant, SearchRequest(text="кефір", vector=vector))]
    await asyncio.gather(*engine._indexing.values())
    async with database.tenant(tenant) as conn:
        cur = await conn.execute("SELECT vizochok_tenant_vector_index(%s, false) AS own", (tenant,))
        row: Any = await cur.fetchone()
        assert row["own"] is True
        # Whatever the table's statistics (other tests' tenants): only an index can give the order.
        await conn.execute("SET LOCAL enable_seqscan = off")
        await conn.execute("SET LOCAL enable_sort = off")
        cur = await conn.execute(
            f"EXPLAIN SELECT sku FROM products WHERE tenant_id = '{tenant}' ORDER BY embedding <=> %s::vector LIMIT 5",
            (str(vector),),
        )
        rows: list[Any] = await cur.fetchall()
        plan = " ".join(r["QUERY PLAN"] for r in rows)
    assert "products_hnsw_t" in plan, plan
    after = [h.sku for h in await _hits(engine, tenant, SearchRequest(text="кефір", vector=vector))]
    # The six «кефір» products first either way (their order among equals may differ: approximate search).
    kefir = {f"p{i}" for i in range(1, 60, 10)}
    assert set(before[:6]) == set(after[:6]) == kefir
    # The other tenant has no index of its own, and cannot be given one from this tenant's transaction.
    async with database.tenant(other) as conn:
        cur = await conn.execute("SELECT vizochok_tenant_vector_index(%s, false) AS own", (other,))
        row = await cur.fetchone()
        assert row["own"] is False
    with pytest.raises(psycopg.errors.RaiseException):
        async with database.tenant(tenant) as conn:
            await conn.execute("SELECT vizochok_tenant_vector_index(%s, true)", (other,))
