"""The search port's contract, run against PostgreSQL and the in-memory engine alike."""

from __future__ import annotations

import os
import secrets
from typing import TYPE_CHECKING, Any

import pytest

from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.db.memory import InMemoryCatalogRepository
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.adapters.search.memory import InMemoryProductSearch
from vizochok.adapters.search.postgres import PostgresProductSearch
from vizochok.core.catalog.service import CatalogService
from vizochok.core.models import ProductInput, Tenant
from vizochok.core.search.request import LEGS, SearchFilters
from vizochok.core.search.service import SearchService

if TYPE_CHECKING:
    from vizochok.adapters.db import Database
    from vizochok.adapters.db.replicas import ReadDatabase

pytestmark = pytest.mark.asyncio

PRODUCTS: list[dict[str, Any]] = [
    {"sku": "milk-25", "name": "Молоко Галичина 2,5% 900 мл", "brand": "Галичина",
     "category_path": "Молочні продукти > Молоко", "barcode": "4820000000011", "attributes": {"fat": "2.5%"}},
    {"sku": "milk-15", "name": "Молоко Яготинське 1,5% 1 л", "brand": "Яготинське",
     "category_path": "Молочні продукти > Молоко", "attributes": {"fat": "1.5%"}},
    {"sku": "kefir-1", "name": "Кефір Галичина 1% 900 г", "brand": "Галичина",
     "category_path": "Молочні продукти > Кефір"},
    {"sku": "sausage", "name": "Сосиски Бащинський молочні 400 г", "brand": "Бащинський",
     "category_path": "Ковбаси та делікатеси > Сосиски"},
    {"sku": "choc", "name": "Шоколад Milka з фундуком 90 г", "brand": "Milka", "category_path": "Солодощі > Шоколад"},
    {"sku": "rice", "name": "Рис довгозерний 800 г", "category_path": "Крупи та бобові > Рис"},
    {"sku": "carrot", "name": "Морква мита 1 кг", "category_path": "Овочі та зелень > Овочі"},
    {"sku": "butter", "name": "Масло вершкове 73% 180 г", "category_path": "Молочні продукти > Масло вершкове"},
]  # fmt: skip


class Engines:
    """A tenant loaded into one engine, searched through the real service."""

    def __init__(self, kind: str, database: Database, reads: ReadDatabase | None = None) -> None:
        self.kind = kind
        self.reads = reads
        # Any: each kind has its own repository and engine classes; the tests use what they share.
        self.repo: Any
        self.engine: Any
        if kind == "replica":  # writes on the primary, every search on a streaming standby
            assert reads is not None
            self.repo = PostgresCatalogRepository(database, reads)
            # A ReadDatabase offers the `tenant()` the engine reads through, as in providers/search.py.
            self.engine = PostgresProductSearch(reads)  # type: ignore[arg-type]
        elif kind == "postgres":
            self.repo = PostgresCatalogRepository(database)
            self.engine = PostgresProductSearch(database)
        elif kind == "elasticsearch":
            from vizochok.adapters.search.elasticsearch import build

            self.repo = InMemoryCatalogRepository()
            self.engine = build(ES_URL or "", replicas=0)
        else:
            memory = InMemoryCatalogRepository()
            self.repo = memory
            self.engine = InMemoryProductSearch(memory)
        self.catalog = CatalogService(self.repo, HashingEmbedder())
        self.service = SearchService(self.engine, HashingEmbedder())

    async def load(self, tenant_id: str, products: list[dict[str, Any]]) -> None:
        job, _ = await self.catalog.upsert(tenant_id, products)
        await self.catalog.wait(job.job_id)
        if self.reads is not None:  # as a search index refreshes: the standby replays the upload
            await self.reads.wait_replayed()
        if self.kind == "elasticsearch":  # ship what the catalog job embedded, as production jobs do
            items = [ProductInput.model_validate(p) for p in products]
            vectors = [self.repo.vectors.get((tenant_id, p.sku)) for p in items]
            await self.engine.index_products(tenant_id, list(zip(items, vectors, strict=True)), refresh=True)
        # Searches never wait for the tenant's profile (vocabulary, IDF, categories); these tests compare
        # answers in the steady state, after the build an upload starts.
        self.service.forget(tenant_id)
        await self.service.profile(tenant_id)

    async def skus(self, tenant: Tenant, text: str, **kwargs: Any) -> list[str]:
        before = self.reads.served["replica"] if self.reads is not None else 0
        found = [h.sku for h in await self.service.search(tenant, text, **kwargs)]
        if self.reads is not None:
            assert self.reads.served["replica"] > before, "the search did not run on the standby"
        return found


ES_URL = os.environ.get("VIZOCHOK_ELASTICSEARCH_URL")
ENGINES = ["postgres", "replica", "memory", *(["elasticsearch"] if ES_URL else [])]
"""Elasticsearch joins the contract whenever a server is configured."""


@pytest.fixture(params=ENGINES)
def engines(request: pytest.FixtureRequest, database: Database) -> Engines:
    reads = request.getfixturevalue("read_database") if request.param == "replica" else None
    return Engines(request.param, database, reads)


@pytest.fixture
async def shop(engines: Engines, make_tenant: Any) -> Tenant:
    created = await make_tenant()
    await engines.load(created["tenant_id"], PRODUCTS)
    return Tenant(id=created["tenant_id"], name="t", store_id=created["store_id"])


async def test_finds_what_shoppers_type(engines: Engines, shop: Tenant) -> None:
    assert (await engines.skus(shop, "молоко галичина"))[0] == "milk-25"
    assert "kefir-1" in await engines.skus(shop, "кефіру")  # another case of the same word
    assert (await engines.skus(shop, "сосисок"))[0] == "sausage"
    assert (await engines.skus(shop, "cjcbcrb"))[0] == "sausage"  # typed on the English layout
    assert (await engines.skus(shop, "sosysky"))[0] == "sausage"  # transliterated
    assert (await engines.skus(shop, "мілка"))[0] == "choc"  # a Latin brand typed in Cyrillic
    assert (await engines.skus(shop, "butter"))[0] == "butter"  # English, through the dictionary
    assert (await engines.skus(shop, "4820000000011"))[0] == "milk-25"  # barcode
    assert set((await engines.skus(shop, "для плову"))[:2]) == {"rice", "carrot"}  # what the dish needs


async def test_filters(engines: Engines, shop: Tenant) -> None:
    dairy = await engines.skus(
        shop, "молоко", filters=SearchFilters(category_prefix="Молочні продукти > Молоко")
    )
    assert set(dairy) == {"milk-25", "milk-15"}
    assert set(await engines.skus(shop, "молоко", filters=SearchFilters(brand="галичина"))) <= {
        "milk-25",
        "kefir-1",
    }
    fat = await engines.skus(shop, "молоко", filters=SearchFilters(attributes={"fat": "1.5%"}))
    assert fat == ["milk-15"]


async def test_soft_deleted_products_disappear(engines: Engines, shop: Tenant) -> None:
    assert "choc" in await engines.skus(shop, "шоколад")
    await engines.load(shop.id, [{**PRODUCTS[4], "is_active": False}])
    assert "choc" not in await engines.skus(shop, "шоколад")


async def test_every_leg_sees_one_tenant_only(engines: Engines, shop: Tenant, make_tenant: Any) -> None:
    other = await make_tenant()
    # The other tenant's products have the same names and barcodes but their own SKUs.
    await engines.load(other["tenant_id"], [{**p, "sku": f"other-{p['sku']}"} for p in PRODUCTS])
    for leg in LEGS:
        alone = shop.model_copy(update={"search": {"weights": {x: float(x == leg) for x in LEGS}}})
        for query in ("молоко", "4820000000011", "cjcbcrb", "для плову", "молко"):
            found = await engines.skus(alone, query, limit=50)
            assert not [s for s in found if s.startswith("other-")], (leg, query)


async def test_fusion_weights_are_tenant_options(engines: Engines, shop: Tenant) -> None:
    no_code = shop.model_copy(
        update={"search": {"weights": {"code": 0, "vector": 0, "fulltext": 0, "trigram": 0}}}
    )
    assert await engines.skus(no_code, "4820000000011") == []
    assert await engines.skus(shop, "4820000000011") != []


async def test_hnsw_finds_a_small_tenant_among_many_products(database: Database, make_tenant: Any) -> None:
    """The iterative HNSW scan keeps looking until this tenant's rows fill the vector leg."""
    engines = Engines("postgres", database)
    engines.service = SearchService(
        PostgresProductSearch(database, exact_below=0), HashingEmbedder()
    )  # always HNSW
    crowd = await make_tenant()
    await engines.load(crowd["tenant_id"], [{"sku": f"c{i}", "name": f"Молоко {i}"} for i in range(600)])
    small = await make_tenant()
    await engines.load(small["tenant_id"], [{"sku": "only", "name": "Хліб житній"}])
    tenant = Tenant(
        id=small["tenant_id"],
        name="s",
        store_id=small["store_id"],
        search={"weights": {"vector": 1, "fulltext": 0, "trigram": 0}},
    )
    assert await engines.skus(tenant, "молоко " + secrets.token_hex(2)) == ["only"]


async def test_exact_and_hnsw_vector_scans_agree(database: Database, make_tenant: Any) -> None:
    """Small tenants get an exact scan, large ones HNSW; on the same rows both rank alike (PostgreSQL only)."""
    engines = Engines("postgres", database)
    created = await make_tenant()
    await engines.load(created["tenant_id"], PRODUCTS)
    shop = Tenant(id=created["tenant_id"], name="t", store_id=created["store_id"])
    alone = shop.model_copy(
        update={"search": {"weights": {"vector": 1, "fulltext": 0, "trigram": 0, "code": 0}}}
    )
    exact = SearchService(PostgresProductSearch(database, exact_below=10**9), HashingEmbedder())
    graph = SearchService(PostgresProductSearch(database, exact_below=0), HashingEmbedder())
    # Depth stops before ties: after rice and chocolate, every product is at similarity 0 to "рис",
    # and tied rows may come back in any order from either scan.
    for query, depth in (("молоко", 3), ("шоколад", 3), ("рис", 2)):
        ranked = [h.sku for h in await exact.search(alone, query)][:depth]
        assert len(ranked) == depth
        assert ranked == [h.sku for h in await graph.search(alone, query)][:depth]


async def test_prepared_generic_plans_answer_like_the_first_run(database: Database, make_tenant: Any) -> None:
    """A prepared statement's generic plan answers like the first run, filters included.

    After a few runs psycopg prepares the statement and the HNSW path forces a generic plan;
    the answers must not change (PostgreSQL only).
    """
    engines = Engines("postgres", database)
    engines.service = SearchService(PostgresProductSearch(database, exact_below=0), HashingEmbedder())
    created = await make_tenant()
    await engines.load(created["tenant_id"], PRODUCTS)
    shop = Tenant(id=created["tenant_id"], name="t", store_id=created["store_id"])
    asks: list[tuple[str, SearchFilters]] = [
        ("молоко", SearchFilters()),
        ("для плову", SearchFilters()),
        ("4820000000011", SearchFilters()),
        ("молоко", SearchFilters(brand="галичина")),
        ("молоко", SearchFilters(category_prefix="Молочні продукти > Молоко", attributes={"fat": "1.5%"})),
        ("малоко", SearchFilters()),
    ]
    first = [await engines.skus(shop, text, filters=f) for text, f in asks]
    assert first[1][:2] == ["rice", "carrot"]
    for _ in range(8):  # every connection of the pool passes the prepare threshold
        assert [await engines.skus(shop, text, filters=f) for text, f in asks] == first
