"""Offline enrichment after import: generated in batch by a (scripted) LLM, cached by content, searchable."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.adapters.search.postgres import PostgresProductSearch
from vizochok.core.catalog.enrichment import LlmEnricher
from vizochok.core.catalog.service import CatalogService
from vizochok.core.models import Tenant
from vizochok.core.search.service import SearchService
from vizochok.testing import Reply, ScriptedLLM

if TYPE_CHECKING:
    from vizochok.adapters.db import Database
    from vizochok.core.llm.messages import LLMRequest
    from vizochok.testing import CallInfo

NOTES = {"Галети": "смакують з бринзою і медом", "Сіль": "для засолювання огірків"}


TEXT_ONLY = {"fulltext": 1.0, "vector": 0.0, "trigram": 0.0, "category": 0.0, "needs": 0.0, "code": 0.0}


def _writer(request: LLMRequest, _info: CallInfo) -> Reply:
    """Answers `N: note` for every numbered product it is shown, the way the prompt asks."""
    lines = re.findall(r"^(\d+): (\S+)", request.messages[-1].content, re.MULTILINE)
    return Reply(text="\n".join(f"{n}: {NOTES.get(name, '')}" for n, name in lines))


async def test_products_are_enriched_once_and_found_through_their_enrichment(
    database: Database, make_tenant: Any
) -> None:
    created = await make_tenant()
    tenant = Tenant(id=created["tenant_id"], name="t", store_id=created["store_id"])
    repo = PostgresCatalogRepository(database)
    llm = ScriptedLLM(_writer)
    catalog = CatalogService(repo, HashingEmbedder(), enricher=LlmEnricher(llm, "small"))
    products = [
        {"sku": "g", "name": "Галети Марія 180 г", "category_path": "Солодощі > Печиво"},
        {"sku": "s", "name": "Сіль кухонна 1 кг", "category_path": "Бакалія > Сіль"},
    ]
    job, _ = await catalog.upsert(tenant.id, products)
    await catalog.wait(job.job_id)
    assert len(llm.requests) == 1  # one batch, one call
    assert "Галети Марія 180 г" in llm.requests[0].messages[-1].content

    search = SearchService(PostgresProductSearch(database), HashingEmbedder(), needs=repo)
    only_text = tenant.model_copy(update={"search": {"weights": TEXT_ONLY}})
    # «бринзою» is in no field of the product, only in what the model wrote about it.
    assert [h.sku for h in await search.search(only_text, "бринзою")] == ["g"]

    # The same content again (another price, the content changed and changed back): no model call.
    job, _ = await catalog.upsert(tenant.id, [{**products[0], "name": "Галети Марія 200 г"}])
    await catalog.wait(job.job_id)
    calls = len(llm.requests)
    job, to_embed = await catalog.upsert(tenant.id, [{**products[0], "attributes": {"promo": True}}])
    assert to_embed == 1  # re-embedded, since the content went back to what it was
    await catalog.wait(job.job_id)
    assert len(llm.requests) == calls
    search.forget(tenant.id)
    assert [h.sku for h in await search.search(only_text, "бринзою")] == ["g"]


async def test_without_an_enricher_nothing_is_written(database: Database, make_tenant: Any) -> None:
    created = await make_tenant()
    repo = PostgresCatalogRepository(database)
    catalog = CatalogService(repo, HashingEmbedder())
    job, _ = await catalog.upsert(created["tenant_id"], [{"sku": "g", "name": "Галети Марія 180 г"}])
    await catalog.wait(job.job_id)
    search = SearchService(PostgresProductSearch(database), HashingEmbedder(), needs=repo)
    tenant = Tenant(id=created["tenant_id"], name="t", store_id=created["store_id"])
    only_text = tenant.model_copy(update={"search": {"weights": TEXT_ONLY}})
    assert await search.search(only_text, "бринзою") == []
