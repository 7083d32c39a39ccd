"""Elasticsearch for many tenants: shared routed indexes, filtered aliases, moving a tenant to an index of its own.

No Elasticsearch server runs here. The layout tests use the recording client of
`test_search_mirror.py` (it applies bulk writes, aliases and alias filters as Elasticsearch does);
the replay tests feed the adapter Elasticsearch 8 and 9 answers transcribed from Elastic's API
reference (tests/data/elasticsearch/README.md) and check what it makes of them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.test_search_mirror import RecordingElasticsearch, milk
from vizochok.adapters.db.memory import InMemoryCatalogRepository
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.adapters.search.elasticsearch import (
    SHARED,
    ElasticsearchProductSearch,
    alias,
    index_body,
    leg_bodies,
    shared_index,
)
from vizochok.core.catalog.service import CatalogService
from vizochok.core.models import SearchHit, Tenant
from vizochok.core.search.request import SearchFilters, SearchRequest, fuse
from vizochok.core.search.service import SearchService


async def _hits(engine: Any, tenant: str, request: SearchRequest) -> list[SearchHit]:
    """The engine's legs fused as the service fuses them."""
    return fuse(request, await engine.legs(tenant, request))


DATA = Path(__file__).resolve().parents[1] / "data" / "elasticsearch"
A, B = "tnt_small_a", "tnt_small_b"


class SearchingElasticsearch(RecordingElasticsearch):
    """Adds `_msearch`: every document the alias (and its filter) and the body's tenant term let through."""

    def __init__(self) -> None:
        super().__init__()
        self.alias_filters: dict[tuple[str, str], dict[str, Any]] = {}
        self.searches: list[dict[str, Any]] = []
        real_put = self.indices.put_alias

        async def put_alias(index: str, name: str, **options: Any) -> None:
            await real_put(index, name, **options)
            if "filter" in options:
                self.alias_filters[(index, name)] = options["filter"]

        self.indices.put_alias = put_alias  # type: ignore[method-assign]

    def _visible(self, name: str, filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Active documents the alias (and its filter) and the body's tenant and category terms let through."""
        index = self.resolve(name)
        wanted = [f["term"]["tenant_id"] for f in filters if "tenant_id" in f.get("term", {})]
        paths = [set(f["terms"]["category_path"]) for f in filters if "category_path" in f.get("terms", {})]
        alias_filter = self.alias_filters.get((index, name))
        return [
            d for d in self.docs[index].values()
            if d["is_active"] and all(d["tenant_id"] == t for t in wanted)
            and all(d["category_path"] in p for p in paths)
            and (alias_filter is None or d["tenant_id"] == alias_filter["term"]["tenant_id"])
        ]  # fmt: skip

    async def msearch(self, searches: list[dict[str, Any]]) -> dict[str, Any]:
        responses = []
        for header, body in zip(searches[::2], searches[1::2], strict=True):
            self.searches += [header, body]
            docs = self._visible(header["index"], _filters(body))
            responses.append({"hits": {"hits": [{"_source": d} for d in docs]}, "status": 200})
        return {"responses": responses}

    async def search(self, index: str, query: dict[str, Any], size: int, **body: Any) -> dict[str, Any]:
        """A terms aggregation on `category_path`, or a page of documents sorted by SKU after `search_after`."""
        self.searches += [{"index": index}, {"query": query, "size": size, **body}]
        if body.get("ignore_unavailable") and not any(
            index in a or index == i for i, a in self.aliases.items()
        ):
            return {"hits": {"hits": []}}
        docs = self._visible(index, query["bool"]["filter"])
        if "aggs" in body:
            counts: dict[str, int] = {}
            for d in docs:
                if d["category_path"]:
                    counts[d["category_path"]] = counts.get(d["category_path"], 0) + 1
            buckets = [{"key": k, "doc_count": n} for k, n in counts.items()]
            return {"hits": {"hits": []}, "aggregations": {"paths": {"buckets": buckets}}}
        after = (body.get("search_after") or [""])[0]
        page = sorted((d for d in docs if d["sku"] > after), key=lambda d: d["sku"])[:size]
        return {
            "hits": {
                "hits": [{"_source": {"search_name": d["search_name"]}, "sort": [d["sku"]]} for d in page]
            }
        }


def _filters(body: dict[str, Any]) -> list[dict[str, Any]]:
    if "knn" in body:
        return list(body["knn"]["filter"])
    return list(body["query"]["bool"]["filter"])


def service_on(
    es: RecordingElasticsearch, **options: Any
) -> tuple[CatalogService, ElasticsearchProductSearch]:
    engine = ElasticsearchProductSearch(es, **options)
    return CatalogService(InMemoryCatalogRepository(), HashingEmbedder(), mirror=engine), engine


async def upload(service: CatalogService, tenant: str, products: list[dict[str, Any]]) -> None:
    job, _ = await service.upsert(tenant, products)
    await service.wait(job.job_id)


def request(text: str = "молоко") -> SearchRequest:
    return SearchRequest(text=text, vector=[0.1] * 384)


async def test_small_tenants_share_a_routed_index_behind_filtered_aliases() -> None:
    es = SearchingElasticsearch()
    service, engine = service_on(es, shared_indexes=1)
    await upload(service, A, [milk("m1"), milk("m2")])
    await upload(service, B, [milk("m1"), milk("b-only")])  # the same SKU in another shop

    shared = shared_index(A, 1)
    assert set(es.aliases) == {shared}  # one index for both: no shards per small tenant
    created = next(body for name, index, body in es.calls if name == "create" and index == shared)
    assert created["mappings"]["_routing"] == {"required": True}  # a write without routing is refused
    assert created["settings"]["number_of_shards"] == 3
    assert created["mappings"]["properties"]["tenant_id"] == {"type": "keyword"}
    put = [body for name, _, body in es.calls if name == "put_alias"]
    assert put == [
        {"name": alias(A), "filter": {"term": {"tenant_id": A}}, "routing": A},
        {"name": alias(B), "filter": {"term": {"tenant_id": B}}, "routing": B},
    ]
    # Every write goes through the tenant's alias (which adds its routing), ids carry the tenant.
    writes = [(index, op) for name, index, op in es.calls if name == "bulk"]
    assert {index for index, _ in writes} == {alias(A), alias(B)}
    assert set(es.docs[shared]) == {f"{A}:m1", f"{A}:m2", f"{B}:m1", f"{B}:b-only"}
    assert set(es.searchable(alias(A), A)) == {"m1", "m2"}

    hits = await _hits(engine, A, request())
    assert {h.sku for h in hits} == {"m1", "m2"}
    assert {h.sku for h in await _hits(engine, B, request())} == {"m1", "b-only"}


async def test_every_leg_filters_on_the_tenant_even_without_the_alias_filter() -> None:
    """The body's tenant term is a second guard: a plain alias on a shared index still shows one tenant."""
    es = SearchingElasticsearch()
    service, engine = service_on(es, shared_indexes=1)
    await upload(service, A, [milk("m1")])
    await upload(service, B, [milk("m9")])
    es.alias_filters.clear()  # as if an operator had re-created the aliases without their filters
    assert {h.sku for h in await _hits(engine, A, request())} == {"m1"}
    headers, bodies = es.searches[::2], es.searches[1::2]
    assert {h["index"] for h in headers} == {alias(A)}
    assert all({"term": {"tenant_id": A}} in _filters(b) for b in bodies)
    assert any("knn" in b for b in bodies)  # the kNN leg carries it inside knn.filter


def test_request_bodies_name_the_tenant_in_every_leg() -> None:
    bodies = leg_bodies(
        SearchRequest(text="молоко галичина 4820000000011 для плову", vector=[0.1] * 384,
                      filters=SearchFilters(brand="Галичина")), A,
    )  # fmt: skip
    assert set(bodies) >= {"vector", "fulltext", "trigram", "code"}
    for leg, body in bodies.items():
        filters = _filters(body)
        assert filters[0] == {"term": {"tenant_id": A}}, leg
        assert {"term": {"is_active": True}} in filters and {"term": {"brand": "Галичина"}} in filters, leg
    assert bodies["vector"]["knn"]["filter"][0] == {"term": {"tenant_id": A}}
    assert (
        index_body(shared=False)["mappings"].get("_routing") is None
    )  # a tenant's own index spreads over its shards


def test_shared_indexes_are_picked_by_a_stable_hash() -> None:
    tenants = [f"tnt_{i:04d}" for i in range(400)]
    buckets = {shared_index(t, 4) for t in tenants}
    assert buckets == {f"{SHARED}-{n}" for n in range(4)}
    assert [shared_index(t, 4) for t in tenants] == [shared_index(t, 4) for t in tenants]


async def test_a_tenant_moves_from_shared_to_dedicated_with_rebuild_and_swap() -> None:
    es = SearchingElasticsearch()
    service, engine = service_on(es, shared_indexes=1)
    await upload(service, A, [milk(f"m{i}") for i in range(5)])
    await upload(service, B, [milk("m1")])
    shared = shared_index(A, 1)

    copied = await service.rebuild_mirror(A, page_size=2)
    assert copied == 5
    fresh = next(index for index in es.aliases if index != shared)
    assert es.aliases[fresh] == {alias(A)} and alias(A) not in es.aliases[shared]
    created = next(body for name, index, body in es.calls if name == "create" and index == fresh)
    assert "_routing" not in created["mappings"]  # its own index: no tenant routing
    swap = next(body["actions"] for name, _, body in es.calls if name == "update_aliases")
    assert {"remove": {"index": shared, "alias": alias(A)}} in swap and {
        "add": {"index": fresh, "alias": alias(A)}
    } in swap
    # The shared index stays (B lives there); only A's documents leave it, on A's shard.
    assert ("delete", shared, {}) not in es.calls
    cleanup = next(body for name, index, body in es.calls if name == "delete_by_query" and index == shared)
    assert cleanup["routing"] == A and cleanup["query"] == {"term": {"tenant_id": A}}
    assert {d["tenant_id"] for d in es.docs[shared].values()} == {B}
    assert {h.sku for h in await _hits(engine, A, request())} == {f"m{i}" for i in range(5)}
    assert {h.sku for h in await _hits(engine, B, request())} == {"m1"}
    # Later uploads of A go to its own index.
    await upload(service, A, [milk("m7")])
    assert f"{A}:m7" in es.docs[fresh]


async def test_dedicated_placement_for_new_tenants_is_a_choice() -> None:
    es = SearchingElasticsearch()
    service, _ = service_on(es, new_tenants="dedicated")
    await upload(service, A, [milk("m1")])
    assert set(es.aliases) == {f"{alias(A)}-v1"}
    with pytest.raises(ValueError, match="shared"):
        ElasticsearchProductSearch(es, new_tenants="elsewhere")


# Replays of Elasticsearch 8 and 9 answers.


class ReplayClient:
    """Answers each API call with a recorded body and keeps what was asked."""

    def __init__(self, version: int, answers: dict[str, str]) -> None:
        self.version = version
        self.answers = answers
        self.asked: list[tuple[str, dict[str, Any]]] = []
        self.indices = self

    def _answer(self, call: str, **request: Any) -> Any:
        self.asked.append((call, request))
        name = self.answers.get(call)
        return (
            json.loads((DATA / f"es{self.version}-{name}.json").read_text())
            if name
            else {"acknowledged": True}
        )

    async def msearch(self, **request: Any) -> Any:
        return self._answer("msearch", **request)

    async def bulk(self, **request: Any) -> Any:
        return self._answer("bulk", **request)

    async def exists_alias(self, name: str) -> bool:
        self.asked.append(("exists_alias", {"name": name}))
        return not name.endswith("-building")

    async def get_alias(self, **request: Any) -> Any:
        return self._answer("get_alias", **request)

    async def create(self, **request: Any) -> Any:
        return self._answer("create", **request)

    async def put_alias(self, **request: Any) -> Any:
        return self._answer("put_alias", **request)

    async def put_settings(self, **request: Any) -> Any:
        return self._answer("put_settings", **request)

    async def refresh(self, **request: Any) -> Any:
        return self._answer("refresh", **request)

    async def update_aliases(self, **request: Any) -> Any:
        return self._answer("update_aliases", **request)

    async def delete(self, **request: Any) -> Any:
        return self._answer("delete", **request)

    async def delete_by_query(self, **request: Any) -> Any:
        return self._answer("delete_by_query", **request)


RECORDED_TENANT = "tnt_a1b2c3"


@pytest.mark.parametrize("version", [8, 9])
async def test_recorded_msearch_answers_fuse_into_hits(version: int) -> None:
    client = ReplayClient(version, {"msearch": "msearch"})
    engine = ElasticsearchProductSearch(client)
    hits = await _hits(
        engine, RECORDED_TENANT, SearchRequest(text="молоко галичина", vector=[0.1] * 384, limit=3)
    )
    # vector: 25, 15, kefir; full text (weight 1): 25, kefir; trigram (weight 0.5): 15, 25.
    assert [h.sku for h in hits] == ["milk-25", "kefir-1", "milk-15"]
    assert hits[0].brand == "Галичина" and hits[0].unit == "pcs" and hits[0].score > hits[1].score
    ((_call, asked),) = client.asked
    assert [h["index"] for h in asked["searches"][::2]] == [alias(RECORDED_TENANT)] * 3


@pytest.mark.parametrize("version", [8, 9])
async def test_a_refused_leg_in_a_recorded_msearch_raises(version: int) -> None:
    engine = ElasticsearchProductSearch(ReplayClient(version, {"msearch": "msearch-error"}))
    with pytest.raises(RuntimeError, match="search_phase_execution_exception"):
        await _hits(
            engine, RECORDED_TENANT, SearchRequest(text="молоко", vector=[0.1] * 384, weights={"trigram": 0})
        )


@pytest.mark.parametrize("version", [8, 9])
async def test_recorded_bulk_answers(version: int) -> None:
    from vizochok.core.models import ProductInput

    ok = ElasticsearchProductSearch(ReplayClient(version, {"bulk": "bulk-ok"}))
    await ok.update_products(RECORDED_TENANT, [ProductInput(sku="milk-25", name="Молоко")])
    refused = ElasticsearchProductSearch(ReplayClient(version, {"bulk": "bulk-refused"}))
    with pytest.raises(RuntimeError, match=r"1 of 2 products were refused: .*document_parsing_exception"):
        await refused.update_products(
            RECORDED_TENANT,
            [ProductInput(sku="milk-25", name="Молоко"), ProductInput(sku="milk-15", name="Молоко")],
        )


@pytest.mark.parametrize("version", [8, 9])
async def test_a_recorded_shared_alias_is_moved_and_cleaned_up(version: int) -> None:
    client = ReplayClient(
        version,
        {"get_alias": "get-alias-shared", "create": "create-index", "update_aliases": "update-aliases",
         "delete_by_query": "delete-by-query-task"},
    )  # fmt: skip
    engine = ElasticsearchProductSearch(client)
    writer = await engine.rebuild(RECORDED_TENANT)
    await writer.commit()
    calls = dict(client.asked)
    actions = calls["update_aliases"]["actions"]
    assert {"remove": {"index": "vizochok-products-shared-1", "alias": alias(RECORDED_TENANT)}} in actions
    assert calls["delete_by_query"]["index"] == "vizochok-products-shared-1"
    assert calls["delete_by_query"]["routing"] == RECORDED_TENANT
    assert "delete" not in calls  # the shared index stays


async def test_the_service_gives_elasticsearch_every_leg_postgresql_has(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Catalog facts come from the index (paged), so typo correction, IDF and the category leg reach it too."""
    monkeypatch.setattr("vizochok.adapters.search.elasticsearch._FACTS_PAGE", 2)  # several pages
    es = SearchingElasticsearch()
    service, engine = service_on(es)
    await upload(service, A, [
        milk("m1"), milk("m2"), milk("m3", name="Молоко козяче"),
        {"sku": "c1", "name": "Сир твердий", "category_path": "Молочні > Сир"},
        {"sku": "b1", "name": "Хліб житній", "category_path": "Хліб"},
    ])  # fmt: skip
    await upload(service, B, [{"sku": "x", "name": "Молоко чуже", "category_path": "Інше"}])
    assert await engine.catalog_facts("tnt_nothing_yet") == ([], [])  # no alias yet: no facts, no error
    paths, names = await engine.catalog_facts(A)
    assert sorted(paths) == [("Молочні > Молоко", 3), ("Молочні > Сир", 1), ("Хліб", 1)]
    assert len(names) == 5 and "молоко козяче" in names  # every page, this tenant only

    search = SearchService(engine, HashingEmbedder())
    tenant = Tenant(id=A, name="a", store_id="s")
    await search.profile(A)  # built in the background; searches never wait for it
    request, found = await search.rankings(tenant, "молокко козяче")  # a typo the catalog's words correct
    assert "молок" in json.dumps(request.understood().groups, ensure_ascii=False)
    assert len(request.group_weights) == 2 and request.group_weights[1] > request.group_weights[0]  # IDF
    request, found = await search.rankings(tenant, "сир")
    assert request.categories == ["Молочні > Сир"] and found.ranking("category") == ["c1"]
    assert next(h.sku for h in await search.search(tenant, "сир")) == "c1"
