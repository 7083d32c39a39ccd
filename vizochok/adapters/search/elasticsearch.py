"""Elasticsearch search: an index per tenant behind an alias, BM25 with fuzziness, kNN, fused by RRF.

The same query understanding as PostgreSQL (core/query) produces the terms, so both engines
rank from identical readings; each leg is one body of a single `_msearch`, and fusion runs
here, with the tenant's weights and `k` (Elasticsearch's own RRF retriever has no per-leg
weights). The `elasticsearch` package is an optional extra, imported only when this engine is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vizochok.core.catalog import fulltext_fields, search_name
from vizochok.core.models import SearchHit
from vizochok.core.search import LEGS, SearchRequest, rrf_fuse

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vizochok.core.models import ProductInput

PREFIX = "vizochok-products"
_SOURCE = ["sku", "name", "brand", "category_path", "unit", "quantity_step", "min_quantity", "image_url", "attributes"]
_FIELDS = ("terms_a", "terms_b", "terms_c", "terms_d")
_BOOSTS = (4.0, 2.0, 1.0, 0.5)  # name, brand, category, description: PostgreSQL's A–D proportions


def alias(tenant_id: str) -> str:
    """The alias searches go through; re-indexing swaps the index behind it without downtime."""
    return f"{PREFIX}-{tenant_id.lower()}"


def index_body(dims: int = 384, shards: int = 1, replicas: int = 1) -> dict[str, Any]:
    """Settings and mappings of one tenant's index (see docs/search.md for sizing)."""
    terms = {"type": "text", "analyzer": "whitespace", "similarity": "BM25", "norms": True}
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            "refresh_interval": "5s",  # catalog uploads are batched; search need not see a product within 1 s
            "analysis": {
                "normalizer": {"folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]}},
                "analyzer": {"trigram": {"tokenizer": "trigram", "filter": ["lowercase"]}},
                "tokenizer": {"trigram": {"type": "ngram", "min_gram": 3, "max_gram": 3, "token_chars": ["letter", "digit"]}},
            },
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
                "sku": {"type": "keyword"},
                "barcode": {"type": "keyword"},
                "name": {"type": "text", "index": False},
                "brand": {"type": "keyword", "normalizer": "folded"},
                "category_path": {"type": "keyword"},
                "unit": {"type": "keyword", "index": False},
                "quantity_step": {"type": "float", "index": False},
                "min_quantity": {"type": "float", "index": False},
                "image_url": {"type": "keyword", "index": False},
                "attributes": {"type": "flattened"},
                "is_active": {"type": "boolean"},
                **dict.fromkeys(_FIELDS, terms),
                "search_name": {"type": "text", "analyzer": "trigram", "fields": {"words": {"type": "text"}}},
                "embedding": {"type": "dense_vector", "dims": dims, "index": True, "similarity": "cosine",
                              "index_options": {"type": "int8_hnsw", "m": 16, "ef_construction": 100}},
            },
        },
    }  # fmt: skip


def document(product: ProductInput, vector: Sequence[float] | None) -> dict[str, Any]:
    """One product as indexed: display fields, analyzer terms per weight, name for fuzzy matching, vector."""
    fields = fulltext_fields(product)
    doc: dict[str, Any] = {
        "sku": product.sku, "barcode": product.barcode, "name": product.name, "brand": product.brand,
        "category_path": product.category_path, "unit": product.unit, "quantity_step": product.quantity_step,
        "min_quantity": product.min_quantity, "image_url": product.image_url, "attributes": product.attributes,
        "is_active": product.is_active and vector is not None, "search_name": search_name(product),
        **{name: " ".join(terms) for name, terms in zip(_FIELDS, fields, strict=True)},
    }  # fmt: skip
    if vector is not None:
        doc["embedding"] = list(vector)
    return doc


def _filters(request: SearchRequest) -> list[dict[str, Any]]:
    f = request.filters
    out: list[dict[str, Any]] = [{"term": {"is_active": True}}]
    if f.category_prefix:
        out.append({"prefix": {"category_path": f.category_prefix}})
    if f.brand:
        out.append({"term": {"brand": f.brand}})
    out += [{"term": {f"attributes.{k}": v}} for k, v in (f.attributes or {}).items()]
    return out


def _terms_query(terms: Sequence[str], operator: str = "or") -> dict[str, Any]:
    """BM25 over the weighted term fields; stems of 4+ letters also match as prefixes, with typo tolerance."""
    text = " ".join(terms)
    should: list[dict[str, Any]] = [
        {"multi_match": {"query": text, "fields": [f"{f}^{b}" for f, b in zip(_FIELDS, _BOOSTS, strict=True)],
                         "type": "most_fields", "operator": operator}},
        {"multi_match": {"query": text, "fields": ["terms_a^2", "terms_b"], "fuzziness": "AUTO",
                         "prefix_length": 1, "operator": operator}},
    ]  # fmt: skip
    should += [
        {"prefix": {"terms_a": {"value": t, "boost": 0.5}}} for t in terms if len(t) >= 4 and not t[:1].isdigit()  # noqa: PLR2004
    ]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def leg_bodies(request: SearchRequest) -> dict[str, dict[str, Any]]:
    """One `_search` body per leg the request uses (the tenant predicate is the index itself)."""
    analysis = request.understood()
    n = max(request.limit, request.candidates)
    filters = _filters(request)
    base = {"size": n, "_source": _SOURCE, "track_total_hits": False}
    bodies: dict[str, dict[str, Any]] = {}
    if request.vector is not None and request.weight("vector") > 0:
        bodies["vector"] = {**base, "knn": {"field": "embedding", "query_vector": list(request.vector), "k": n,
                                            "num_candidates": max(100, 2 * n), "filter": filters}}  # fmt: skip
    terms = [t for group in analysis.groups for t in group]
    if terms and request.weight("fulltext") > 0:
        bodies["fulltext"] = {**base, "query": {"bool": {"must": [_terms_query(terms)], "filter": filters}}}
    if analysis.readings and request.weight("trigram") > 0:
        fuzzy = [{"match": {"search_name": {"query": r, "minimum_should_match": "60%"}}} for r in analysis.readings]
        bodies["trigram"] = {**base, "query": {"bool": {"should": fuzzy, "minimum_should_match": 1, "filter": filters}}}
    if analysis.codes and request.weight("code") > 0:
        codes = sorted({c for code in analysis.codes for c in (code, code.upper())})
        code_query = {"bool": {"should": [{"terms": {"sku": codes}}, {"terms": {"barcode": codes}}], "minimum_should_match": 1}}
        bodies["code"] = {**base, "query": {"bool": {"must": [code_query], "filter": filters}}}
    if analysis.needs and request.weight("needs") > 0:
        # One sub-search per need would interleave best-per-need like PostgreSQL; a dis_max
        # over needs keeps it to one body, with each need's best matches scoring alike.
        needs = [_terms_query(list(need), operator="and") for need in analysis.needs]
        bodies["needs"] = {**base, "query": {"bool": {"must": [{"dis_max": {"queries": needs}}], "filter": filters}}}
    return bodies


class ElasticsearchProductSearch:
    """The `ProductSearch` port on Elasticsearch 8.x; `client` is an `AsyncElasticsearch`."""

    def __init__(self, client: Any, dims: int = 384, shards: int = 1, replicas: int = 1) -> None:
        self._client = client
        self._dims = dims
        self._shards = shards
        self._replicas = replicas

    async def ensure_index(self, tenant_id: str) -> None:
        """Create the tenant's first index and its alias when missing."""
        name = alias(tenant_id)
        if not await self._client.indices.exists_alias(name=name):
            await self._client.indices.create(index=f"{name}-v1", **index_body(self._dims, self._shards, self._replicas))
            await self._client.indices.put_alias(index=f"{name}-v1", name=name)

    async def index_products(
        self, tenant_id: str, items: Sequence[tuple[ProductInput, Sequence[float] | None]], refresh: bool = False
    ) -> None:
        """Bulk-index products with their vectors (see docs/search.md for how jobs ship them)."""
        await self.ensure_index(tenant_id)
        operations: list[dict[str, Any]] = []
        for product, vector in items:
            operations += [{"index": {"_index": alias(tenant_id), "_id": product.sku}}, document(product, vector)]
        if operations:
            await self._client.bulk(operations=operations, refresh=refresh)

    async def search(self, tenant_id: str, request: SearchRequest) -> list[SearchHit]:
        """Fused hits, best first, from this tenant's index only."""
        bodies = leg_bodies(request)
        if not bodies:
            return []
        searches: list[dict[str, Any]] = []
        for body in bodies.values():
            searches += [{"index": alias(tenant_id), "ignore_unavailable": True}, body]
        response = await self._client.msearch(searches=searches)
        ranked: dict[str, list[str]] = {}
        rows: dict[str, dict[str, Any]] = {}
        for leg, result in zip(bodies, response["responses"], strict=True):
            hits = result.get("hits", {}).get("hits", [])
            ranked[leg] = [h["_source"]["sku"] for h in hits]
            rows.update({h["_source"]["sku"]: h["_source"] for h in hits})
        fused = rrf_fuse(ranked, {leg: request.weight(leg) for leg in LEGS}, request.rrf_k)[: request.limit]
        return [
            SearchHit(score=round(score, 6), **{k: v for k in _SOURCE if (v := rows[sku].get(k)) is not None})
            for sku, score in fused
        ]


def build(url: str, **options: Any) -> ElasticsearchProductSearch:
    """An engine with its own client (the optional `elasticsearch` extra must be installed)."""
    from elasticsearch import AsyncElasticsearch  # noqa: PLC0415 - optional extra

    return ElasticsearchProductSearch(AsyncElasticsearch(url), **options)
