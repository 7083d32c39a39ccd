"""PostgreSQL search: pgvector HNSW, weighted full text and pg_trgm, fused by RRF, one round trip."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from psycopg.types.json import Jsonb

from vizochok.adapters.db.tables import EMBEDDING_DIM
from vizochok.core.models import SearchHit
from vizochok.core.search import LEGS, SearchRequest, fulltext_query, normalize, rrf_fuse

if TYPE_CHECKING:
    from vizochok.adapters.db.database import Database

_FILTERS = """
    AND p.is_active AND p.embedding IS NOT NULL
    AND (%(category)s::text IS NULL OR p.category_path ILIKE %(category)s || '%%')
    AND (%(brand)s::text IS NULL OR lower(p.brand) = lower(%(brand)s))
    AND (%(attributes)s::jsonb IS NULL OR p.attributes @> %(attributes)s::jsonb)
"""

# Every leg repeats the tenant predicate although row-level security already applies it:
# the planner can then use the tenant prefix of the primary key.
_QUERY = f"""
WITH vector_leg AS (
    SELECT p.sku, row_number() OVER () AS rank FROM (
        SELECT p.sku FROM products p
        WHERE %(use_vector)s AND p.tenant_id = %(tenant)s {_FILTERS}
        ORDER BY p.embedding <=> %(vector)s::vector LIMIT %(n)s) p
), fulltext_leg AS (
    SELECT p.sku, row_number() OVER (ORDER BY ts_rank_cd(p.fts, q) DESC, p.sku) AS rank
    FROM products p, to_tsquery('simple', %(tsquery)s) q
    WHERE %(tsquery)s <> '' AND p.tenant_id = %(tenant)s AND p.fts @@ q {_FILTERS}
    ORDER BY rank LIMIT %(n)s
), trigram_leg AS (
    SELECT p.sku, row_number() OVER (ORDER BY word_similarity(%(text)s, p.search_name) DESC, p.sku) AS rank
    FROM products p
    WHERE p.tenant_id = %(tenant)s AND %(text)s <%% p.search_name {_FILTERS}
    ORDER BY rank LIMIT %(n)s
), legs AS (
    SELECT 'vector' AS leg, sku, rank FROM vector_leg
    UNION ALL SELECT 'fulltext', sku, rank FROM fulltext_leg
    UNION ALL SELECT 'trigram', sku, rank FROM trigram_leg
)
SELECT legs.leg, legs.rank, p.sku, p.name, p.brand, p.category_path, p.unit, p.quantity_step,
       p.min_quantity, p.image_url, p.attributes
FROM legs JOIN products p ON p.tenant_id = %(tenant)s AND p.sku = legs.sku
"""


_ZERO_VECTOR = "[" + ",".join(["0"] * EMBEDDING_DIM) + "]"


class PostgresProductSearch:
    """Hybrid retrieval over one tenant's products in PostgreSQL."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def search(self, tenant_id: str, request: SearchRequest) -> list[SearchHit]:
        """Fused hits, best first."""
        ranked, products = await self.legs(tenant_id, request)
        fused = rrf_fuse(ranked, request.weights, request.rrf_k)[: request.limit]
        return [SearchHit(score=round(score, 6), **products[sku]) for sku, score in fused]

    async def legs(
        self, tenant_id: str, request: SearchRequest
    ) -> tuple[dict[str, list[str]], dict[str, dict[str, Any]]]:
        """Each leg's ranking and the rows it found (used by fusion and by evaluation)."""
        f = request.filters
        params = {
            "tenant": tenant_id,
            "use_vector": request.vector is not None and request.weights.get("vector", 1.0) > 0,
            "vector": str(request.vector) if request.vector is not None else _ZERO_VECTOR,
            "tsquery": fulltext_query(request.text),
            "text": normalize(request.text),
            "n": max(request.limit, 50),
            "category": f.category_prefix,
            "brand": f.brand,
            "attributes": Jsonb(f.attributes) if f.attributes else None,
        }
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(_QUERY, params)
            rows = await cur.fetchall()
        ranked: dict[str, list[tuple[int, str]]] = {leg: [] for leg in LEGS}
        products: dict[str, dict[str, Any]] = {}
        for row in rows:
            ranked[row.pop("leg")].append((row.pop("rank"), row["sku"]))
            products[row["sku"]] = row
        return {leg: [sku for _, sku in sorted(hits)] for leg, hits in ranked.items()}, products
