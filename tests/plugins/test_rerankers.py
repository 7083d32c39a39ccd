"""Rerankers: registered through the hook, resolved by name per tenant, applied by the search service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.adapters.search.postgres import PostgresProductSearch
from vizochok.core.catalog.service import CatalogService
from vizochok.core.models import SearchHit, Tenant
from vizochok.core.query import analyze
from vizochok.core.search.service import SearchService
from vizochok.plugins.builtin.rerankers import AttributeBoostReranker
from vizochok.plugins.hookspecs import hookimpl
from vizochok.plugins.manager import build_plugin_manager, build_registry
from vizochok.plugins.registry import UnknownComponentError

if TYPE_CHECKING:
    from vizochok.adapters.db import Database
    from vizochok.core.query import QueryAnalysis
    from vizochok.plugins.registry import Register


def hit(sku: str, name: str, score: float, **fields: Any) -> SearchHit:
    return SearchHit(sku=sku, name=name, score=score, **fields)


@pytest.mark.asyncio
async def test_attribute_boost_prefers_stated_amounts_and_brand() -> None:
    hits = [
        hit("k1", "Кефір Ферма 1% 900 г", 0.030),
        hit("k25", "Кефір Ферма 2,5% 900 г", 0.028),
        hit("k25b", "Кефір Галичина 2,5% 900 г", 0.027, brand="Галичина"),
    ]
    reranker = AttributeBoostReranker()
    by_fat = await reranker.rerank(analyze("кефір 2,5%"), hits, {})
    assert by_fat[-1].sku == "k1"  # the contradicting fat level drops
    by_brand = await reranker.rerank(analyze("кефір галичина 2,5%"), hits, {})
    assert by_brand[0].sku == "k25b"
    # A tenant can switch a kind of evidence off.
    flat = await reranker.rerank(analyze("кефір 2,5%"), hits, {"amount_match": 0, "amount_mismatch": 0})
    assert [h.sku for h in flat] == ["k1", "k25", "k25b"]


@pytest.mark.asyncio
async def test_brand_needs_every_brand_word() -> None:
    hits = [hit("a", "Сир Сулугуні", 0.030, brand="Клуб Сиру"), hit("b", "Сир кисломолочний", 0.029)]
    reranked = await AttributeBoostReranker().rerank(analyze("сир кисломолочний"), hits, {})
    assert [h.sku for h in reranked] == ["a", "b"]  # "сир" alone does not name the brand "Клуб Сиру"


@pytest.mark.asyncio
async def test_a_query_naming_a_department_prefers_its_products() -> None:
    hits = [
        hit("choc", "Шоколад молочний Milka", 0.030, category_path="Солодощі > Шоколад"),
        hit("milk", "Молоко Ферма 2,5%", 0.028, category_path="Молочні продукти > Молоко"),
        hit("frozen", "Вареники з сиром", 0.027, category_path="Заморожені продукти > Вареники"),
    ]
    reranker = AttributeBoostReranker()
    dairy = await reranker.rerank(analyze("молочні продукти"), hits, {})
    assert dairy[0].sku == "milk"
    assert (await reranker.rerank(analyze("заморожені продукти"), hits, {}))[0].sku == "frozen"
    # A product query that happens to share a word with a department is not a department query.
    assert [h.sku for h in await reranker.rerank(analyze("шоколад молочний"), hits, {})][0] == "choc"
    off = await reranker.rerank(analyze("молочні продукти"), hits, {"category_match": 0})
    assert off[0].sku == "choc"


def test_builtin_reranker_is_registered_and_misspellings_get_a_hint() -> None:
    registry = build_registry(build_plugin_manager(load_entrypoints=False))
    assert isinstance(registry.resolve("reranker", "attribute-boost"), AttributeBoostReranker)
    with pytest.raises(UnknownComponentError, match="did you mean 'attribute-boost'"):
        registry.resolve("reranker", "atribute-boost")


class Reverse:
    """A third-party reranker: turns the list around."""

    async def rerank(
        self, query: QueryAnalysis, hits: list[SearchHit], options: dict[str, Any]
    ) -> list[SearchHit]:
        return list(reversed(hits))


class ReversePlugin:
    @hookimpl
    def register_rerankers(self, register: Register) -> None:
        register(Reverse(), name="reverse")


@pytest.mark.asyncio
async def test_hook_register_rerankers_chosen_per_tenant(database: Database, make_tenant: Any) -> None:
    pm = build_plugin_manager(load_entrypoints=False)
    plugin = ReversePlugin()
    pm.register(plugin)
    try:
        registry = build_registry(pm)
    finally:
        pm.unregister(plugin)
    repo = PostgresCatalogRepository(database)
    created = await make_tenant()
    catalog = CatalogService(repo, HashingEmbedder())
    job, _ = await catalog.upsert(
        created["tenant_id"], [{"sku": f"m{i}", "name": f"Молоко {i}%"} for i in range(5)]
    )
    await catalog.wait(job.job_id)
    service = SearchService(
        PostgresProductSearch(database),
        HashingEmbedder(),
        rerankers=lambda n: registry.resolve("reranker", n),
    )
    plain = Tenant(id=created["tenant_id"], name="t", store_id=created["store_id"])
    reversed_ = plain.model_copy(update={"search": {"reranker": "reverse"}})
    first = [h.sku for h in await service.search(plain, "молоко", limit=5)]
    second = [h.sku for h in await service.search(reversed_, "молоко", limit=5)]
    assert len(first) == 5
    assert second == list(reversed(first))
    with pytest.raises(UnknownComponentError):
        await service.search(plain.model_copy(update={"search": {"reranker": "nope"}}), "молоко")
