"""Elasticsearch query bodies, index mappings and index rebuilds, checked without a server."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from vizochok.adapters.search.elasticsearch import ElasticsearchProductSearch, alias, document, index_body, leg_bodies
from vizochok.core.models import ProductInput
from vizochok.core.search import SearchFilters, SearchRequest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


def _request(text: str, **kwargs: object) -> SearchRequest:
    return SearchRequest(text=text, vector=[0.1] * 384, **kwargs)  # type: ignore[arg-type]


def test_every_leg_has_a_body_and_filters_hide_inactive_products() -> None:
    bodies = leg_bodies(_request("молоко галичина 2,5%", limit=5))
    assert set(bodies) == {"vector", "fulltext", "trigram"}
    knn = bodies["vector"]["knn"]
    assert knn["field"] == "embedding" and knn["k"] == 50 and knn["num_candidates"] >= knn["k"]
    assert {"term": {"is_active": True}} in knn["filter"]
    text = json.dumps(bodies["fulltext"], ensure_ascii=False)
    assert "молок" in text and "галичин" in text and "2.5pct" in text
    assert '"fuzziness": "AUTO"' in text  # typo tolerance on names and brands
    assert {"term": {"is_active": True}} in bodies["fulltext"]["query"]["bool"]["filter"]


def test_codes_layouts_and_dishes_reach_their_legs() -> None:
    assert bodies_of("4820000000011") >= {"code"}
    code = leg_bodies(_request("4820000000011"))["code"]
    assert "4820000000011" in json.dumps(code)
    layout = json.dumps(leg_bodies(_request("vjkjrj"))["fulltext"], ensure_ascii=False)
    assert "молок" in layout
    needs = leg_bodies(_request("для плову"))
    assert "fulltext" not in needs and "needs" in needs
    assert "рис" in json.dumps(needs["needs"], ensure_ascii=False)


def bodies_of(text: str) -> set[str]:
    return set(leg_bodies(_request(text)))


def test_filters_and_zero_weights() -> None:
    request = _request("молоко", filters=SearchFilters(category_prefix="Молочні", brand="Галичина", attributes={"fat": "2.5%"}))
    filters = leg_bodies(request)["fulltext"]["query"]["bool"]["filter"]
    assert {"prefix": {"category_path": "Молочні"}} in filters
    assert {"term": {"brand": "Галичина"}} in filters
    assert {"term": {"attributes.fat": "2.5%"}} in filters
    off = leg_bodies(_request("молоко", weights={"vector": 0, "trigram": 0}))
    assert set(off) == {"fulltext"}


def test_index_per_tenant_and_documents() -> None:
    assert alias("tnt_ABC") == "vizochok-products-tnt_abc"
    body = index_body(dims=384, shards=2, replicas=1)
    assert body["settings"]["number_of_shards"] == 2
    assert body["mappings"]["properties"]["embedding"]["dims"] == 384
    product = ProductInput(sku="m1", name="Молоко Lactel 2,5% 900мл", brand="Lactel", category_path="Молочні продукти > Молоко")
    doc = document(product, [0.0] * 384)
    assert doc["is_active"] is True
    assert "молок" in doc["terms_a"].split() and "900ml" in doc["terms_a"].split()
    assert "лактел" in doc["terms_b"].split()  # the brand in the other script
    assert set(doc) <= set(body["mappings"]["properties"])  # strict mapping accepts it
    assert document(product, None)["is_active"] is False  # not searchable before its vector exists


class FakeIndices:
    """Records index API calls; `aliases` maps an alias to the indices behind it."""

    def __init__(self, calls: list[tuple[str, dict[str, Any]]], aliases: dict[str, list[str]]) -> None:
        self.calls = calls
        self.aliases = aliases

    async def exists_alias(self, name: str) -> bool:
        return name in self.aliases

    async def get_alias(self, name: str) -> dict[str, Any]:
        return {index: {"aliases": {name: {}}} for index in self.aliases[name]}

    def __getattr__(self, method: str) -> Any:
        async def record(**kwargs: Any) -> dict[str, Any]:
            self.calls.append((method, kwargs))
            return {"acknowledged": True}

        return record


class FakeClient:
    """The part of `AsyncElasticsearch` the engine calls, recording each request body."""

    def __init__(self, aliases: dict[str, list[str]] | None = None, reject: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.indices = FakeIndices(self.calls, aliases or {})
        self.reject = reject

    async def bulk(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("bulk", kwargs))
        if self.reject:
            return {"errors": True, "items": [{"index": {"_id": "m1", "error": {"type": "strict_dynamic_mapping_exception"}}}]}
        return {"errors": False, "items": []}


MILK = ProductInput(sku="m1", name="Молоко 2,5%", brand="Галичина")
BREAD = ProductInput(sku="b1", name="Хліб", is_active=False)


async def _pages(*pages: list[tuple[ProductInput, list[float] | None]]) -> AsyncIterator[list[tuple[ProductInput, list[float] | None]]]:
    for page in pages:
        yield page


@pytest.mark.asyncio
async def test_rebuild_loads_a_new_version_then_swaps_the_alias() -> None:
    name = alias("tnt_a")
    client = FakeClient({name: [f"{name}-v1"]})
    engine = ElasticsearchProductSearch(client, replicas=1)
    new = await engine.rebuild("tnt_a", _pages([(MILK, [0.1] * 384)], [(BREAD, [0.2] * 384)]))
    assert new == f"{name}-v2"
    methods = [method for method, _ in client.calls]
    assert methods == ["create", "bulk", "bulk", "put_settings", "refresh", "update_aliases", "delete"]
    create = client.calls[0][1]
    assert create["index"] == new
    assert create["settings"]["refresh_interval"] == "-1" and create["settings"]["number_of_replicas"] == 0
    assert create["mappings"] == index_body()["mappings"]
    first_bulk = client.calls[1][1]["operations"]
    assert first_bulk[0] == {"index": {"_index": new, "_id": "m1"}}  # the new index, not the alias searches use
    assert first_bulk[1]["embedding"] == [0.1] * 384 and first_bulk[1]["is_active"] is True
    assert client.calls[2][1]["operations"][1]["is_active"] is False  # soft-deleted products stay hidden
    assert client.calls[3][1] == {"index": new, "settings": {"refresh_interval": "5s", "number_of_replicas": 1}}
    # One atomic request: searches see either the old index or the complete new one.
    assert client.calls[5][1] == {"actions": [
        {"remove": {"index": f"{name}-v1", "alias": name}}, {"add": {"index": new, "alias": name}},
    ]}  # fmt: skip
    assert client.calls[6][1] == {"index": f"{name}-v1"}


@pytest.mark.asyncio
async def test_first_rebuild_creates_version_one_and_the_alias() -> None:
    client = FakeClient()
    new = await ElasticsearchProductSearch(client).rebuild("tnt_b", _pages())
    assert new == f"{alias('tnt_b')}-v1"
    assert [m for m, _ in client.calls] == ["create", "put_settings", "refresh", "update_aliases"]
    assert client.calls[-1][1] == {"actions": [{"add": {"index": new, "alias": alias("tnt_b")}}]}


@pytest.mark.asyncio
async def test_rejected_documents_fail_the_shipment() -> None:
    client = FakeClient({alias("tnt_c"): [f"{alias('tnt_c')}-v1"]}, reject=True)
    with pytest.raises(RuntimeError, match="rejected 1 of 1"):
        await ElasticsearchProductSearch(client).index_products("tnt_c", [(MILK, [0.1] * 384)])
