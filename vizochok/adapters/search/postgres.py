"""PostgreSQL search: pgvector HNSW, weighted full text, pg_trgm, codes, categories and needs in one round trip."""

from __future__ import annotations

import asyncio
import logging
import time
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from psycopg.types.json import Jsonb

from vizochok.adapters.db.tables import EMBEDDING_DIM
from vizochok.core.models import SearchHit
from vizochok.core.query import QueryAnalysis
from vizochok.core.search.request import LEGS, LegRankings, SearchRequest

if TYPE_CHECKING:
    from vizochok.adapters.db.database import Connection, Database

_log = logging.getLogger(__name__)
# A product is searchable once stored: its full-text and fuzzy legs answer while its vector is
# still being computed (a new catalog, or a job retrying after a failure); only the vector leg
# needs the vector.
_ALWAYS = " AND p.is_active"
_FILTERS = {
    "category": " AND p.category_path ILIKE %(category)s || '%%'",
    "brand": " AND lower(p.brand) = lower(%(brand)s)",
    "attributes": " AND p.attributes @> %(attributes)s::jsonb",
}

# Every leg repeats the tenant predicate although row-level security already applies it: the
# planner can then use the tenant prefix of the primary key, and a policy mistake cannot leak.
# The trigram leg is the costliest (it re-checks similarity row by row), and the words it
# rescues are the ones the full-text leg missed: it runs only when full text found few hits.
# A Ukrainian product name starts with what the product is ("Молоко Галичина…", not "Шоколад
# молочний"), so a query word at the start of the name ranks first (`head_bonus`).
# The needs leg answers "для плову": each need's candidates (rice, carrot, onion…) come back as a
# leg of their own (`need:0`, `need:1`…), and `fuse` decides which are the need and interleaves
# them (`core/search/needs.py`). Each need looks its products up through the full-text index
# (a lateral join): a join on the unnested needs could not use the index and scanned every row
# (97 ms at 50k products).
# The legs' products are then read one primary-key lookup each (`OFFSET 0` keeps the lateral
# subquery from becoming a join): a generic plan guessed hundreds of rows from the legs and,
# where one tenant holds the whole table, hashed all of its rows (3.7 ms of 4.8 at 10k products).
# Each leg keeps its top N before numbering them: a window over every match sorted them all
# ("organic" matches 5,000 of the 50k Instacart products).
# The trigram leg scans each reading on its own: with `a %> r0 OR a %> r1` every candidate that
# failed r0 was re-checked against r1 too (a word_similarity each), although a Latin typo's
# Cyrillic reading has no candidates of its own ("oganic": 5,000 candidates checked twice).
_TEMPLATE = """
WITH vector_leg AS (
    SELECT p.sku, row_number() OVER () AS rank FROM (
        SELECT p.sku FROM products p
        WHERE %(use_vector)s AND p.tenant_id = %(tenant)s AND p.embedding IS NOT NULL {filters}
        ORDER BY {vector_order} LIMIT {n}) p
), fulltext_leg AS (
    SELECT t.sku, row_number() OVER (ORDER BY t.score DESC, t.sku) AS rank FROM (
        SELECT p.sku, (SELECT sum(u.w * (ts_rank(p.fts, u.q::tsquery) + ts_rank(p.fts, u.e::tsquery)))
                       FROM unnest(%(group_q)s::text[], %(group_e)s::text[], %(group_w)s::float8[]) AS u(q, e, w))
                      + %(head_bonus)s * (p.search_name LIKE ANY(%(heads)s::text[])
                                          OR lower(p.name) LIKE ANY(%(tails)s::text[]))::int AS score
        FROM products p
        WHERE %(use_fulltext)s AND {lexical_tenant} AND p.fts @@ %(tsquery)s::tsquery {filters}
        ORDER BY score DESC, p.sku LIMIT {n}) t
), needs_leg AS (
    SELECT n.idx - 1 AS idx, m.sku, m.pos
    FROM unnest(%(needs)s::text[], %(needs_exact)s::text[], %(need_heads)s::text[])
         WITH ORDINALITY AS n(q, e, h, idx)
    CROSS JOIN LATERAL (
        SELECT t.sku, row_number() OVER (ORDER BY t.head DESC, t.score DESC, t.sku) AS pos FROM (
            SELECT p.sku, (p.search_name LIKE n.h)::int AS head,
                   ts_rank(p.fts, n.q::tsquery) + ts_rank(p.fts, n.e::tsquery) AS score
            FROM products p
            WHERE %(use_needs)s AND {lexical_tenant} AND p.fts @@ n.q::tsquery {filters}
            ORDER BY head DESC, score DESC, p.sku LIMIT {n}) t
    ) m
), trigram_leg AS (
    SELECT t.sku, row_number() OVER (ORDER BY t.score DESC, t.sku) AS rank FROM (
        SELECT p.sku, s.score
        FROM (SELECT DISTINCT c.sku FROM (
                SELECT p.sku FROM products p WHERE {lexical_tenant} AND p.search_name %%> %(r0)s {filters}
                UNION ALL
                SELECT p.sku FROM products p WHERE {lexical_tenant} AND p.search_name %%> %(r1)s {filters}
                UNION ALL
                SELECT p.sku FROM products p WHERE {lexical_tenant} AND p.search_name %%> %(r2)s {filters}
             ) c) m
        JOIN products p ON p.tenant_id = %(tenant)s AND p.sku = m.sku
        CROSS JOIN LATERAL (
            SELECT max(word_similarity(r, p.search_name)) AS score FROM unnest(%(readings)s::text[]) r) s
        WHERE %(use_trigram)s AND (SELECT count(*) FROM fulltext_leg) < %(trigram_below)s
        ORDER BY s.score DESC, p.sku LIMIT {n}) t
), code_leg AS (
    SELECT p.sku, row_number() OVER (ORDER BY p.sku) AS rank FROM products p
    WHERE %(use_code)s AND p.tenant_id = %(tenant)s
      AND (p.sku = ANY(%(codes)s::text[]) OR p.barcode = ANY(%(codes)s::text[])) {filters}
), category_leg AS (
    SELECT c.sku, row_number() OVER () AS rank FROM (
        SELECT p.sku FROM products p
        WHERE %(use_category)s AND p.tenant_id = %(tenant)s AND p.category_path = ANY(%(categories)s::text[]) {filters}
        ORDER BY (p.embedding <=> %(vector)s::vector) + 0 LIMIT {n}) c
), legs AS (
    SELECT 'vector' AS leg, sku, rank FROM vector_leg
    UNION ALL SELECT 'category', sku, rank FROM category_leg
    UNION ALL SELECT 'fulltext', sku, rank FROM fulltext_leg
    UNION ALL SELECT 'trigram', sku, rank FROM trigram_leg
    UNION ALL SELECT 'code', sku, rank FROM code_leg
    UNION ALL SELECT 'need:' || idx, sku, pos FROM needs_leg
)
SELECT legs.leg, legs.rank, p.sku, p.name, p.brand, p.category_path, p.unit, p.quantity_step,
       p.min_quantity, p.image_url, p.attributes
FROM legs CROSS JOIN LATERAL (
    SELECT * FROM products p WHERE p.tenant_id = %(tenant)s AND p.sku = legs.sku OFFSET 0) p
"""


@lru_cache(maxsize=512)
def _query(exact: bool, filters: tuple[str, ...], n: int, own_index: str | None = None) -> str:
    """The statement for one shape of request: vector strategy and the filters actually given.

    Absent filters leave the SQL instead of becoming `(param IS NULL OR ...)`, and the candidate
    count is a literal, not a parameter: otherwise the generic plan guesses one row left, or
    LIMIT at a tenth of the table, and scans the table instead of walking the HNSW index.
    A tenant's vectors share one HNSW graph with every other tenant's. For a small tenant an
    exact scan of its own rows (found through the primary key) is faster and exact; a large
    tenant walks the graph, filtering other tenants' rows out as it goes.
    """
    order = "(p.embedding <=> %(vector)s::vector) + 0" if exact else "p.embedding <=> %(vector)s::vector"
    # The lexical legs' GIN indexes lead with the tenant (migration 0010), so the tenant and the
    # words meet inside one index scan, whatever the tenant's size and whichever plan runs.
    tenant = "p.tenant_id = %(tenant)s"
    where = _ALWAYS + "".join(_FILTERS[name] for name in filters)
    sql = _TEMPLATE.replace("{vector_order}", order).replace("{lexical_tenant}", tenant)
    if own_index is not None:
        literal = "'" + own_index.replace("'", "''") + "'"
        sql = sql.replace(
            "WHERE %(use_vector)s AND p.tenant_id = %(tenant)s",
            f"WHERE %(use_vector)s AND p.tenant_id = {literal}",
        )
    return sql.replace("{filters}", where).replace("{n}", str(int(n)))


_SIZE_TTL = 60.0
OWN_INDEX_ABOVE = 5_000
"""Tenants with at least this many searchable products get an HNSW index of their own."""

_ZERO_VECTOR = "[" + ",".join(["0"] * EMBEDDING_DIM) + "]"
_NO_MATCH = ""  # an empty tsquery matches nothing
_MAX_LEXEME_BYTES = 2046


def _lexeme(term: str, prefix: bool) -> str:
    quoted = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:*" if prefix else quoted


def _like_prefix(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def tsqueries(analysis: QueryAnalysis, prefix: bool = True) -> tuple[str, list[str]]:
    """`tsquery` literals of the query's own terms (any may match) and of each need (all its terms).

    With `prefix`, stems of four letters or more match as prefixes (the stem of "сосисок" finds
    "сосиски"); numbers, amounts and short stems ("рис", not "рисовий") always match exactly.
    Ranking adds the exact query's rank, so whole-word matches come before prefix matches.
    """

    def term(t: str) -> str:
        return _lexeme(t, prefix=prefix and len(t) >= 4 and not any(c.isdigit() for c in t))  # noqa: PLR2004

    def fits(t: str) -> bool:  # PostgreSQL refuses longer lexemes ("word is too long"); no tsvector holds one
        return 0 < len(t.encode()) <= _MAX_LEXEME_BYTES

    own = " | ".join(term(t) for group in analysis.groups for t in group if fits(t))
    needs = [[t for t in need if fits(t)] for need in analysis.needs]
    return own or _NO_MATCH, [" & ".join(term(t) for t in need) for need in needs if need]


def _tails(analysis: QueryAnalysis) -> list[str]:
    """LIKE patterns for an English name that ends with a query word (its head noun: "… Dill Pickles")."""
    out: list[str] = []
    for group in analysis.groups:
        word = group[0] if group else ""
        if not word or word[:1].isdigit():
            continue
        stem = _like_prefix(word)[:-1]
        for suffix in ("", "_", "__", "___"):
            out += [f"% {stem}{suffix}", f"{stem}{suffix}"]
    return out


class PostgresProductSearch:
    """Hybrid retrieval over one tenant's products in PostgreSQL."""

    def __init__(
        self,
        db: Database,
        ef_search: int = 64,
        exact_below: int = 3_000,
        own_index_above: int | None = OWN_INDEX_ABOVE,
    ) -> None:
        self._db = db
        self._ef_search = ef_search
        self._exact_below = exact_below
        self._own_index_above = own_index_above
        self._sizes: dict[str, tuple[int, bool, float]] = {}
        self._indexing: dict[str, asyncio.Task[None]] = {}
        # With many tenants in one HNSW graph, the nearest neighbours may all belong to others;
        # an iterative scan keeps walking the graph until this tenant's rows fill LIMIT.
        # A generic plan skips planning (~2 ms for five legs, as much as executing a common
        # query): every leg is switched by a parameter (a one-time filter), so one plan fits
        # all, while PostgreSQL's default keeps re-planning because custom plans look cheaper.
        # Not for the exact scan: a generic plan cannot know the tenant is small and scans the
        # whole table. No parallel workers: starting them costs more than these scans, and one
        # search should not take both cores of a small machine.
        self._hnsw_settings = (
            f"SELECT set_config('hnsw.ef_search', '{int(ef_search)}', true),"
            " set_config('hnsw.iterative_scan', 'relaxed_order', true),"
            " set_config('plan_cache_mode', 'force_generic_plan', true),"
            " set_config('max_parallel_workers_per_gather', '0', true)"
        )

    async def _size(self, conn: Connection, tenant_id: str) -> tuple[int, bool]:
        """The tenant's searchable products and whether it has a vector index of its own, read at most once a minute."""
        cached = self._sizes.get(tenant_id)
        now = time.monotonic()
        if cached is None or cached[2] < now:
            cur = await conn.execute(
                "SELECT count(*) AS n, vizochok_tenant_vector_index(%s, false) AS own"
                " FROM products WHERE tenant_id = %s AND embedding IS NOT NULL",
                (tenant_id, tenant_id),
            )
            row: Any = await cur.fetchone()  # a dict: the pool's row factory
            cached = (int(row["n"]) if row else 0, bool(row and row["own"]), now + _SIZE_TTL)
            self._sizes[tenant_id] = cached
            limit = self._own_index_above
            if limit is not None and cached[0] >= limit and not cached[1] and tenant_id not in self._indexing:
                self._indexing[tenant_id] = asyncio.create_task(self._create_index(tenant_id))
        return cached[0], cached[1]

    async def _create_index(self, tenant_id: str) -> None:
        """Build the tenant's own HNSW index in the background; searches use the shared one meanwhile.

        Building holds a SHARE lock on `products` (uploads wait, searches do not) for about as
        long as inserting the tenant's vectors into a graph takes: seconds for 10k products.
        """
        try:
            async with self._db.tenant(tenant_id) as conn:
                await conn.execute("SELECT vizochok_tenant_vector_index(%s, true)", (tenant_id,))
            self._sizes.pop(tenant_id, None)
        except Exception:  # noqa: BLE001 - the shared index keeps serving; the next size check tries again
            _log.exception("vector index of %s not built", tenant_id)
        finally:
            self._indexing.pop(tenant_id, None)

    async def catalog_facts(self, tenant_id: str) -> tuple[list[tuple[str, int]], list[str]]:
        """`(category_path, active products)` per category, and the folded name and brand of every active product."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                "SELECT category_path AS path, count(*) AS n FROM products"
                " WHERE tenant_id = %s AND is_active AND category_path IS NOT NULL GROUP BY 1",
                (tenant_id,),
            )
            paths: list[Any] = await cur.fetchall()
            categories = [(r["path"], int(r["n"])) for r in paths]
            cur = await conn.execute(
                "SELECT search_name FROM products WHERE tenant_id = %s AND is_active", (tenant_id,)
            )
            rows: list[Any] = await cur.fetchall()
            names = [r["search_name"] for r in rows]
        return categories, names

    def params(self, tenant_id: str, request: SearchRequest) -> dict[str, Any]:
        """The query parameters of one request."""
        analysis = request.understood()
        own, needs = tsqueries(analysis)
        exact, needs_exact = tsqueries(analysis, prefix=False)
        readings = [*analysis.readings, "", "", ""][:3]
        f = request.filters
        english = request.language == "en"
        heads = [_like_prefix(t) for group in analysis.groups for t in group if not t[:1].isdigit()]
        group_q = [tsqueries(QueryAnalysis(text="", groups=(g,)))[0] for g in analysis.groups]
        group_e = [tsqueries(QueryAnalysis(text="", groups=(g,)), prefix=False)[0] for g in analysis.groups]
        weights = (
            list(request.group_weights)
            if len(request.group_weights) == len(group_q)
            else [1.0] * len(group_q)
        )
        return {
            "tenant": tenant_id,
            "use_vector": request.vector is not None and request.weight("vector") > 0,
            "use_fulltext": request.weight("fulltext") > 0 and own != _NO_MATCH,
            "use_needs": request.weight("needs") > 0 and bool(needs),
            "use_trigram": request.weight("trigram") > 0 and bool(analysis.readings),
            "use_code": request.weight("code") > 0 and bool(analysis.codes),
            "use_category": request.weight("category") > 0
            and bool(request.categories)
            and request.vector is not None,
            "categories": request.categories,
            "vector": str(request.vector) if request.vector is not None else _ZERO_VECTOR,
            "tsquery": own,
            "needs": needs,
            "exact": exact,
            "needs_exact": needs_exact,
            "heads": [] if english else heads,
            "tails": _tails(analysis) if english else [],
            "group_q": group_q,
            "group_e": group_e,
            "group_w": weights,
            "need_heads": [_like_prefix(need[0]) for need in analysis.needs if need],
            "head_bonus": request.head_bonus,
            "readings": [r for r in readings if r],
            "r0": readings[0],
            "r1": readings[1] or None,  # NULL matches nothing and costs no index scan
            "r2": readings[2] or None,
            # Codes were folded to lower case; SKUs are compared as the retailer wrote them.
            "codes": list(dict.fromkeys(c for code in analysis.codes for c in (code, code.upper()))),
            "n": max(request.limit, request.candidates),
            "trigram_below": request.trigram_below,
            "category": f.category_prefix,
            "brand": f.brand,
            "attributes": Jsonb(f.attributes) if f.attributes else None,
        }

    async def legs(self, tenant_id: str, request: SearchRequest) -> LegRankings:
        """Each leg's ranking and the products it found; `SearchService` fuses them."""
        params = self.params(tenant_id, request)
        # Pipelined: BEGIN, the tenant, the settings and the query leave together, one round trip
        # (plus COMMIT) instead of five.
        async with self._db.tenant(tenant_id, pipelined=True) as conn:
            size, own = await self._size(conn, tenant_id)
            exact = size < self._exact_below
            if not exact:
                await conn.execute(self._hnsw_settings)
            filters = tuple(name for name in _FILTERS if params[name] is not None)
            cur = await conn.execute(
                _query(exact, filters, params["n"], tenant_id if own and not exact else None), params
            )
            rows: list[Any] = await cur.fetchall()  # dicts: the pool's row factory
        ranked: dict[str, list[tuple[int, str]]] = {leg: [] for leg in LEGS}
        products: dict[str, SearchHit] = {}
        for row in rows:
            ranked.setdefault(row.pop("leg"), []).append((row.pop("rank"), row["sku"]))
            if row["sku"] not in products:
                products[row["sku"]] = SearchHit(score=0.0, **row)
        return LegRankings.of(
            {leg: [sku for _, sku in sorted(hits)] for leg, hits in ranked.items()}, products
        )
