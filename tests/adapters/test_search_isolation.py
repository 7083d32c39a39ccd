"""Every search leg is scoped to the tenant: another tenant's identical product never shows up."""

from __future__ import annotations

from typing import Any

from vizochok.adapters.db import Database
from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.adapters.search.postgres import PostgresProductSearch
from vizochok.core.catalog.service import CatalogService
from vizochok.core.search.request import SearchFilters, SearchRequest


async def _catalog(database: Database, tenant: str, skus: list[tuple[str, str, str]]) -> None:
    service = CatalogService(PostgresCatalogRepository(database), HashingEmbedder())
    job, _ = await service.upsert(
        tenant, [{"sku": s, "name": n, "brand": b, "category_path": "Молочні > Молоко"} for s, n, b in skus]
    )
    await service.wait(job.job_id)


async def test_each_leg_sees_one_tenant(database: Database, make_tenant: Any) -> None:
    a, b = (await make_tenant())["tenant_id"], (await make_tenant())["tenant_id"]
    await _catalog(database, a, [("a-milk", "Молоко Галичина 2,5%", "Галичина")])
    await _catalog(
        database, b, [("b-milk", "Молоко Галичина 2,5%", "Галичина"), ("b-kefir", "Кефір", "Ферма")]
    )
    engine = PostgresProductSearch(database)
    vector = HashingEmbedder().vector("молоко галичина")
    for leg in ("vector", "fulltext", "trigram"):
        weights = {name: (1.0 if name == leg else 0.0) for name in ("vector", "fulltext", "trigram")}
        hits = await engine.search(a, SearchRequest(text="молоко галичина", vector=vector, weights=weights))
        assert [h.sku for h in hits] == ["a-milk"], leg


async def test_filters(database: Database, make_tenant: Any) -> None:
    tenant = (await make_tenant())["tenant_id"]
    await _catalog(
        database, tenant, [("g", "Молоко Галичина", "Галичина"), ("y", "Молоко Яготинське", "Яготинське")]
    )
    engine = PostgresProductSearch(database)
    vector = HashingEmbedder().vector("молоко")
    hits = await engine.search(
        tenant, SearchRequest(text="молоко", vector=vector, filters=SearchFilters(brand="яготинське"))
    )
    assert [h.sku for h in hits] == ["y"]
    hits = await engine.search(
        tenant, SearchRequest(text="молоко", vector=vector, filters=SearchFilters(category_prefix="Хліб"))
    )
    assert hits == []
