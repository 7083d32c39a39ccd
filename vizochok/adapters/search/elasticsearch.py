"""Elasticsearch search for many tenants: shared routed indexes and dedicated ones; BM25, kNN and the other legs.

Every tenant is searched and written through its alias, `vizochok-products-{tenant}`:
- a **small tenant** (the default for new ones) lives in one of a few *shared* indexes,
  `vizochok-products-shared-{n}`; its alias there is filtered (`tenant_id = T`) and routed
  (`routing = T`), so its documents sit on one shard and a search reads that shard only. Document
  ids carry the tenant (`T:sku`), and every query body filters on the tenant as well, inside
  `knn.filter` too: the alias filter is one guard, the body the second;
- a **large tenant** owns an index behind the same (unfiltered) alias. A rebuild moves a tenant
  there: copy into a fresh index, then one atomic `_aliases` call takes the alias off the shared
  index and puts it on the fresh one; the tenant's documents are then deleted from the shared index.

Shard counts grow with the number of *large* tenants only, not with every tenant (docs/search.md).

The same query understanding as PostgreSQL (core/query) produces the terms, so both engines
rank from identical readings; each leg is one body of a single `_msearch`, and the engine
returns the legs' rankings: `SearchService` fuses them with the tenant's weights and `k`, as
for every engine (Elasticsearch's own RRF retriever has no per-leg weights). The `elasticsearch`
package is an optional extra, imported only when this engine is built.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from vizochok.core.catalog.indexing import fulltext_fields, search_name
from vizochok.core.models import SearchHit
from vizochok.core.search.request import NEED_LEG, LegRankings, SearchRequest

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vizochok.core.models import ProductInput

PREFIX = "vizochok-products"
SHARED = f"{PREFIX}-shared"
_SOURCE = [
    "sku",
    "name",
    "brand",
    "category_path",
    "unit",
    "quantity_step",
    "min_quantity",
    "image_url",
    "attributes",
]
_FIELDS = ("terms_a", "terms_b", "terms_c", "terms_d")
_BOOSTS = (4.0, 2.0, 1.0, 0.5)  # name, brand, category, description: PostgreSQL's A–D proportions
_HEAD_BONUS = 4.0
"""Score added when the name starts with a query word: one name-field match, like PostgreSQL's `head_bonus`."""
_FACTS_PAGE = 5_000


def alias(tenant_id: str) -> str:
    """The alias searches go through; re-indexing swaps the index behind it without downtime."""
    return f"{PREFIX}-{tenant_id.lower()}"


def shared_index(tenant_id: str, count: int) -> str:
    """The shared index a small tenant lives in: a stable hash of its id picks one of `count`."""
    return f"{SHARED}-{zlib.crc32(tenant_id.encode()) % count}"


def doc_id(tenant_id: str, sku: str) -> str:
    """A document's id: SKUs are unique per tenant only, and tenants share indexes (and shards)."""
    return f"{tenant_id}:{sku}"


def tenant_filter(tenant_id: str) -> dict[str, Any]:
    """The tenant predicate every query body carries (besides the alias's own filter)."""
    return {"term": {"tenant_id": tenant_id}}


def index_body(
    dims: int = 384, shards: int = 1, replicas: int = 1, *, shared: bool = False
) -> dict[str, Any]:
    """Settings and mappings of an index: a tenant's own, or a shared one (see docs/search.md for sizing).

    A shared index requires a routing value on every write: a document without its tenant's
    routing would land on a shard the tenant's searches never read.
    """
    terms = {"type": "text", "analyzer": "whitespace", "similarity": "BM25", "norms": True}
    return {
        "settings": {
            "number_of_shards": shards,
            "number_of_replicas": replicas,
            "refresh_interval": "5s",  # catalog uploads are batched; search need not see a product within 1 s
            "analysis": {
                "normalizer": {"folded": {"type": "custom", "filter": ["lowercase", "asciifolding"]}},
                "analyzer": {"trigram": {"tokenizer": "trigram", "filter": ["lowercase"]}},
                "tokenizer": {"trigram": {"type": "ngram", "min_gram": 3, "max_gram": 3,
                                          "token_chars": ["letter", "digit"]}},
            },
        },
        "mappings": {
            "dynamic": "strict",
            **({"_routing": {"required": True}} if shared else {}),
            "properties": {
                "tenant_id": {"type": "keyword"},
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


def document(product: ProductInput, vector: Sequence[float] | None, tenant_id: str) -> dict[str, Any]:
    """One product as indexed: tenant, display fields, analyzer terms per weight, name for fuzzy matching, vector."""
    fields = fulltext_fields(product)
    doc: dict[str, Any] = {
        "tenant_id": tenant_id, "sku": product.sku, "barcode": product.barcode, "name": product.name,
        "brand": product.brand,
        "category_path": product.category_path, "unit": product.unit, "quantity_step": product.quantity_step,
        "min_quantity": product.min_quantity, "image_url": product.image_url, "attributes": product.attributes,
        "is_active": product.is_active and vector is not None, "search_name": search_name(product),
        **{name: " ".join(terms) for name, terms in zip(_FIELDS, fields, strict=True)},
    }  # fmt: skip
    if vector is not None:
        doc["embedding"] = list(vector)
    return doc


_UPDATE_SCRIPT = """
boolean changed = false;
for (entry in params.doc.entrySet()) {
  if (ctx._source[entry.getKey()] != entry.getValue()) {
    ctx._source[entry.getKey()] = entry.getValue(); changed = true;
  }
}
boolean active = params.active && ctx._source.containsKey('embedding');
if (ctx._source.is_active != active) { ctx._source.is_active = active; changed = true; }
if (!changed) { ctx.op = 'noop'; }
"""
"""Fields of an upload without touching the stored vector: a product turns searchable only with one."""


def _meta(index: str, tenant_id: str, sku: str) -> dict[str, Any]:
    # No routing here: a shared tenant's alias adds its routing to every write (the shared index
    # refuses a write without one), and an index of the tenant's own spreads over all its shards.
    return {"_index": index, "_id": doc_id(tenant_id, sku)}


def update_operations(index: str, products: Sequence[ProductInput], tenant_id: str) -> list[dict[str, Any]]:
    """Bulk lines that update products' fields in place (created without a vector when new)."""
    operations: list[dict[str, Any]] = []
    for product in products:
        doc = document(product, None, tenant_id)
        fields = {k: v for k, v in doc.items() if k != "is_active"}
        script = {
            "source": _UPDATE_SCRIPT,
            "lang": "painless",
            "params": {"doc": fields, "active": product.is_active},
        }
        operations += [{"update": _meta(index, tenant_id, product.sku)}, {"script": script, "upsert": doc}]
    return operations


def index_operations(
    index: str, items: Sequence[tuple[ProductInput, Sequence[float] | None]], tenant_id: str
) -> list[dict[str, Any]]:
    """Bulk lines that replace products whole, vectors included."""
    operations: list[dict[str, Any]] = []
    for product, vector in items:
        operations += [{"index": _meta(index, tenant_id, product.sku)}, document(product, vector, tenant_id)]
    return operations


def _filters(request: SearchRequest, tenant_id: str) -> list[dict[str, Any]]:
    f = request.filters
    out: list[dict[str, Any]] = [tenant_filter(tenant_id), {"term": {"is_active": True}}]
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
        {"prefix": {"terms_a": {"value": t, "boost": 0.5}}}
        for t in terms
        if len(t) >= 4 and not t[:1].isdigit()  # noqa: PLR2004
    ]
    return {"bool": {"should": should, "minimum_should_match": 1}}


def _fulltext_query(request: SearchRequest) -> dict[str, Any] | None:
    """The full-text leg: each query word's readings weighted by its IDF, plus the head bonus.

    As in PostgreSQL, a word the catalog has everywhere ("organic") counts less than a rare one
    (`group_weights`), and a name that starts with a query word (a Ukrainian name starts with what
    the product is) ranks first. The bonus is a constant added to BM25, scaled like the name boost.
    """
    groups = [list(g) for g in request.understood().groups if g]
    if not groups:
        return None
    weights = request.group_weights if len(request.group_weights) == len(groups) else [1.0] * len(groups)
    should: list[dict[str, Any]] = [
        {"bool": {**_terms_query(g)["bool"], "boost": round(w, 4)}}
        for g, w in zip(groups, weights, strict=True)
    ]
    if request.language != "en" and request.head_bonus > 0:
        heads = [t for g in groups for t in g if not t[:1].isdigit()]
        first = [{"span_first": {"match": {"span_multi": {"match": {"prefix": {"search_name.words": t}}}}, "end": 1}}
                 for t in heads]  # fmt: skip
        should.append({"constant_score": {"filter": {"bool": {"should": first}}, "boost": _HEAD_BONUS}})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def leg_bodies(request: SearchRequest, tenant_id: str) -> dict[str, dict[str, Any]]:
    """One `_search` body per leg the request uses, each filtered on the tenant (in `knn.filter` too)."""
    analysis = request.understood()
    n = max(request.limit, request.candidates)
    filters = _filters(request, tenant_id)
    base = {"size": n, "_source": _SOURCE, "track_total_hits": False}
    bodies: dict[str, dict[str, Any]] = {}
    if request.vector is not None and request.weight("vector") > 0:
        bodies["vector"] = {**base, "knn": {"field": "embedding", "query_vector": list(request.vector), "k": n,
                                            "num_candidates": max(100, 2 * n), "filter": filters}}  # fmt: skip
    if request.vector is not None and request.categories and request.weight("category") > 0:
        # The products of the categories the query names, nearest first (Elasticsearch searches a
        # filter this selective exactly, like PostgreSQL's scan of those paths).
        in_categories = [*filters, {"terms": {"category_path": list(request.categories)}}]
        bodies["category"] = {**base, "knn": {"field": "embedding", "query_vector": list(request.vector), "k": n,
                                              "num_candidates": max(100, 2 * n), "filter": in_categories}}  # fmt: skip
    fulltext = _fulltext_query(request) if request.weight("fulltext") > 0 else None
    if fulltext is not None:
        bodies["fulltext"] = {**base, "query": {"bool": {"must": [fulltext], "filter": filters}}}
    if analysis.readings and request.weight("trigram") > 0:
        fuzzy = [
            {"match": {"search_name": {"query": r, "minimum_should_match": "60%"}}} for r in analysis.readings
        ]
        bodies["trigram"] = {
            **base,
            "query": {"bool": {"should": fuzzy, "minimum_should_match": 1, "filter": filters}},
        }
    if analysis.codes and request.weight("code") > 0:
        codes = sorted({c for code in analysis.codes for c in (code, code.upper())})
        code_query = {
            "bool": {
                "should": [{"terms": {"sku": codes}}, {"terms": {"barcode": codes}}],
                "minimum_should_match": 1,
            }
        }
        bodies["code"] = {**base, "query": {"bool": {"must": [code_query], "filter": filters}}}
    if request.weight("needs") > 0:
        # One body per need, like PostgreSQL's per-need legs: `fuse` picks and interleaves them.
        for index, need in enumerate(analysis.needs):
            bodies[f"{NEED_LEG}{index}"] = {
                **base,
                "query": {"bool": {"must": [_terms_query(list(need), operator="and")], "filter": filters}},
            }
    return bodies


class ElasticsearchProductSearch:
    """The `ProductSearch` port on Elasticsearch 8 and 9; `client` is an `AsyncElasticsearch`.

    `new_tenants`: where a tenant's first write puts it — `"shared"` (one of `shared_indexes`
    routed indexes) or `"dedicated"` (an index of its own). `rebuild` always makes a dedicated one.
    """

    def __init__(
        self, client: Any, dims: int = 384, shards: int = 1, replicas: int = 1, *,
        new_tenants: str = "shared", shared_indexes: int = 4, shared_shards: int = 3,
    ) -> None:  # fmt: skip
        if new_tenants not in ("shared", "dedicated"):
            msg = f"new_tenants must be 'shared' or 'dedicated', not {new_tenants!r}"
            raise ValueError(msg)
        self._client = client
        self._dims = dims
        self._shards = shards
        self._replicas = replicas
        self._new_tenants = new_tenants
        self._shared_indexes = shared_indexes
        self._shared_shards = shared_shards

    async def catalog_facts(self, tenant_id: str) -> tuple[list[tuple[str, int]], list[str]]:
        """`(category_path, searchable products)` per category and every searchable product's folded name and brand.

        What `SearchService` learns a tenant's language, vocabulary (typo corrections, IDF) and
        category index from, as from PostgreSQL: a terms aggregation, then the names in pages
        (`search_after` on the SKU). Read once per tenant and then every few minutes, off the query path.
        """
        index = alias(tenant_id)
        query = {"bool": {"filter": [tenant_filter(tenant_id), {"term": {"is_active": True}}]}}
        # A tenant with nothing uploaded yet has no alias: no facts, not an error.
        paths = _body(await self._client.search(
            index=index, size=0, query=query, aggs={"paths": {"terms": {"field": "category_path", "size": 65_000}}},
            ignore_unavailable=True,
        ))  # fmt: skip
        buckets = paths.get("aggregations", {}).get("paths", {}).get("buckets", [])
        names: list[str] = []
        after: list[Any] | None = None
        while True:
            page = _body(await self._client.search(
                index=index, size=_FACTS_PAGE, query=query, sort=[{"sku": "asc"}], source_includes=["search_name"],
                track_total_hits=False, ignore_unavailable=True, **({"search_after": after} if after else {}),
            )).get("hits", {}).get("hits", [])  # fmt: skip
            names += [h["_source"].get("search_name", "") for h in page]
            if len(page) < _FACTS_PAGE:
                return [(b["key"], int(b["doc_count"])) for b in buckets], names
            after = page[-1]["sort"]

    async def ensure_index(self, tenant_id: str) -> None:
        """Give a new tenant its alias: filtered and routed on a shared index, or on a fresh index of its own."""
        name = alias(tenant_id)
        if await self._client.indices.exists_alias(name=name):
            return
        if self._new_tenants == "dedicated":
            await self._client.indices.create(
                index=f"{name}-v1", **index_body(self._dims, self._shards, self._replicas)
            )
            await self._client.indices.put_alias(index=f"{name}-v1", name=name)
            return
        shared = shared_index(tenant_id, self._shared_indexes)
        if not await self._client.indices.exists(index=shared):
            try:
                await self._client.indices.create(
                    index=shared, **index_body(self._dims, self._shared_shards, self._replicas, shared=True)
                )
            except Exception as error:  # another process created it first
                if "resource_already_exists_exception" not in str(error):
                    raise
        await self._client.indices.put_alias(
            index=shared, name=name, filter=tenant_filter(tenant_id), routing=tenant_id
        )

    async def index_products(
        self,
        tenant_id: str,
        items: Sequence[tuple[ProductInput, Sequence[float] | None]],
        refresh: bool = False,
    ) -> None:
        """Bulk-index products with their vectors (see docs/search.md for how jobs ship them)."""
        await self.ensure_index(tenant_id)
        for target in await self._targets(tenant_id):
            await self._bulk(index_operations(target, items, tenant_id), refresh)

    async def update_products(self, tenant_id: str, products: Sequence[ProductInput]) -> None:
        """Ship an upload's fields and soft deletes at once; vectors stay until the job sends new ones."""
        await self.ensure_index(tenant_id)
        for target in await self._targets(tenant_id):
            await self._bulk(update_operations(target, products, tenant_id), refresh=False)

    async def rebuild(self, tenant_id: str) -> ElasticsearchRebuild:
        """A fresh index of the tenant's own behind a `-building` alias; uploads meanwhile are written to both.

        This is also how a tenant moves from a shared index to a dedicated one.
        """
        name = alias(tenant_id)
        fresh = f"{name}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
        body = index_body(self._dims, self._shards, self._replicas)
        # Bulk-load settings: no refreshes and no replicas until the copy is complete.
        body["settings"] |= {"refresh_interval": "-1", "number_of_replicas": 0}
        await self._client.indices.create(index=fresh, **body)
        await self._client.indices.put_alias(index=fresh, name=f"{name}-building")
        return ElasticsearchRebuild(self, tenant_id, fresh)

    async def _targets(self, tenant_id: str) -> list[str]:
        name = alias(tenant_id)
        building = f"{name}-building"
        return [name, building] if await self._client.indices.exists_alias(name=building) else [name]

    async def _bulk(self, operations: list[dict[str, Any]], refresh: bool) -> None:
        if not operations:
            return
        response = _body(await self._client.bulk(operations=operations, refresh=refresh))
        # `_bulk` answers 200 even when it refused documents; a silent gap in the index is worse than an error.
        if response.get("errors"):
            failed = [item for item in response["items"] for op in item.values() if op.get("error")]
            msg = f"{len(failed)} of {len(operations) // 2} products were refused: {failed[0]}"
            raise RuntimeError(msg)

    async def legs(self, tenant_id: str, request: SearchRequest) -> LegRankings:
        """Each leg's ranking from this tenant's documents only; `SearchService` fuses them."""
        bodies = leg_bodies(request, tenant_id)
        if not bodies:
            return LegRankings()
        searches: list[dict[str, Any]] = []
        for body in bodies.values():
            # The alias applies the tenant's routing and filter; the body filters again.
            searches += [{"index": alias(tenant_id), "ignore_unavailable": True}, body]
        response = _body(await self._client.msearch(searches=searches))
        ranked: dict[str, list[str]] = {}
        products: dict[str, SearchHit] = {}
        for leg, result in zip(bodies, response["responses"], strict=True):
            if "error" in result:  # one leg failing must not hide the others, nor pass silently
                msg = f"Elasticsearch refused the {leg} leg: {result['error'].get('type', result['error'])}"
                raise RuntimeError(msg)
            hits = [h["_source"] for h in result.get("hits", {}).get("hits", [])]
            ranked[leg] = [h["sku"] for h in hits]
            for h in hits:
                products.setdefault(h["sku"], _hit(h))
        return LegRankings.of(ranked, products)


def _hit(source: dict[str, Any]) -> SearchHit:
    return SearchHit(score=0.0, **{k: v for k in _SOURCE if (v := source.get(k)) is not None})


class ElasticsearchRebuild:
    """Fills a fresh index from PostgreSQL, then swaps the tenant's alias onto it in one atomic call."""

    def __init__(self, engine: ElasticsearchProductSearch, tenant_id: str, index: str) -> None:
        self._engine = engine
        self._client = engine._client  # noqa: SLF001 - the engine's own helper
        self._tenant = tenant_id
        self._alias = alias(tenant_id)
        self.index = index

    async def add(self, items: Sequence[tuple[ProductInput, Sequence[float] | None]]) -> None:
        """Copy products with their vectors into the fresh index."""
        await self._engine._bulk(index_operations(self.index, items, self._tenant), refresh=False)  # noqa: SLF001

    async def commit(self) -> None:
        """Restore live settings, refresh, point the alias at the fresh index, drop what it replaced.

        A tenant's old index of its own is deleted; from a shared index, only the tenant's own
        documents are (the other tenants there keep being served throughout).
        """
        live = index_body(self._engine._dims, self._engine._shards, self._engine._replicas)["settings"]  # noqa: SLF001
        await self._client.indices.put_settings(
            index=self.index,
            settings={
                "refresh_interval": live["refresh_interval"],
                "number_of_replicas": live["number_of_replicas"],
            },
        )
        await self._client.indices.refresh(index=self.index)
        old = []
        if await self._client.indices.exists_alias(name=self._alias):
            old = [
                i for i in _body(await self._client.indices.get_alias(name=self._alias)) if i != self.index
            ]
        actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": self._alias}} for i in old]
        actions += [
            {"add": {"index": self.index, "alias": self._alias}},
            {"remove": {"index": self.index, "alias": f"{self._alias}-building"}},
        ]
        await self._client.indices.update_aliases(actions=actions)
        for index in old:
            if index.startswith(SHARED):
                await self._client.delete_by_query(
                    index=index, routing=self._tenant, query=tenant_filter(self._tenant), conflicts="proceed",
                    wait_for_completion=False,  # a large tenant's documents go in the background
                )  # fmt: skip
            else:
                await self._client.indices.delete(index=index)

    async def abort(self) -> None:
        """Drop the fresh index; searches never saw it."""
        await self._client.indices.delete(index=self.index)


def _body(response: Any) -> dict[str, Any]:
    """The JSON of a client response (the client wraps it in an `ObjectApiResponse`)."""
    return dict(getattr(response, "body", response))


def build(url: str, **options: Any) -> ElasticsearchProductSearch:
    """An engine with its own client (the optional `elasticsearch` extra must be installed)."""
    from elasticsearch import AsyncElasticsearch  # noqa: PLC0415 - optional extra

    return ElasticsearchProductSearch(AsyncElasticsearch(url), **options)
