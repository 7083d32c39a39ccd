"""Elasticsearch query bodies and index mappings, checked without a server."""

from __future__ import annotations

import json
from typing import Any

from vizochok.adapters.search.elasticsearch import alias, document, index_body, leg_bodies
from vizochok.core.models import ProductInput
from vizochok.core.search.request import SearchFilters, SearchRequest

T = "tnt_a"


def bodies_for(request: SearchRequest) -> dict[str, dict[str, Any]]:
    return leg_bodies(request, T)


def _request(text: str, **kwargs: Any) -> SearchRequest:
    return SearchRequest(text=text, vector=[0.1] * 384, **kwargs)


def test_every_leg_has_a_body_and_filters_hide_inactive_products() -> None:
    bodies = bodies_for(_request("молоко галичина 2,5%", limit=5))
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
    code = bodies_for(_request("4820000000011"))["code"]
    assert "4820000000011" in json.dumps(code)
    layout = json.dumps(bodies_for(_request("vjkjrj"))["fulltext"], ensure_ascii=False)
    assert "молок" in layout
    needs = bodies_for(_request("для плову"))
    assert "fulltext" not in needs and "need:0" in needs and "need:1" in needs  # one body per need
    assert "рис" in json.dumps(needs["need:0"], ensure_ascii=False)
    assert "моркв" in json.dumps(needs["need:1"], ensure_ascii=False)


def bodies_of(text: str) -> set[str]:
    return set(bodies_for(_request(text)))


def test_filters_and_zero_weights() -> None:
    request = _request(
        "молоко",
        filters=SearchFilters(category_prefix="Молочні", brand="Галичина", attributes={"fat": "2.5%"}),
    )
    filters = bodies_for(request)["fulltext"]["query"]["bool"]["filter"]
    assert {"prefix": {"category_path": "Молочні"}} in filters
    assert {"term": {"brand": "Галичина"}} in filters
    assert {"term": {"attributes.fat": "2.5%"}} in filters
    off = bodies_for(_request("молоко", weights={"vector": 0, "trigram": 0}))
    assert set(off) == {"fulltext"}


def test_index_per_tenant_and_documents() -> None:
    assert alias("tnt_ABC") == "vizochok-products-tnt_abc"
    body = index_body(dims=384, shards=2, replicas=1)
    assert body["settings"]["number_of_shards"] == 2
    assert body["mappings"]["properties"]["embedding"]["dims"] == 384
    product = ProductInput(
        sku="m1", name="Молоко Lactel 2,5% 900мл", brand="Lactel", category_path="Молочні продукти > Молоко"
    )
    doc = document(product, [0.0] * 384, "tnt_a")
    assert doc["is_active"] is True
    assert "молок" in doc["terms_a"].split() and "900ml" in doc["terms_a"].split()
    assert "лактел" in doc["terms_b"].split()  # the brand in the other script
    assert set(doc) <= set(body["mappings"]["properties"])  # strict mapping accepts it
    assert document(product, None, "tnt_a")["is_active"] is False  # not searchable before its vector exists


def test_every_postgresql_leg_has_an_elasticsearch_body() -> None:
    """Category leg, IDF-weighted words and the head bonus: the legs PostgreSQL runs, as bodies."""
    request = _request("молочка галичина", categories=["Молочні продукти > Молоко"], group_weights=[0.5, 1.5])
    bodies = bodies_for(request)
    assert {"vector", "category", "fulltext", "trigram"} <= set(bodies)
    category = bodies["category"]["knn"]
    assert {"terms": {"category_path": ["Молочні продукти > Молоко"]}} in category["filter"]
    assert {"term": {"tenant_id": T}} in category["filter"]
    should = bodies["fulltext"]["query"]["bool"]["must"][0]["bool"]["should"]
    assert [clause["bool"]["boost"] for clause in should[:2]] == [0.5, 1.5]  # each word by its IDF
    assert "галичин" in json.dumps(should[1], ensure_ascii=False)
    head = json.dumps(should[2], ensure_ascii=False)
    assert "span_first" in head and "галичин" in head  # a name that starts with a query word
    assert "category" not in bodies_for(_request("молоко"))  # no category named, no leg
    english = bodies_for(_request("dill pickles", language="en"))["fulltext"]
    assert "span_first" not in json.dumps(english)
