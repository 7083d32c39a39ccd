"""Many tenants: does a tenant's search latency depend on the other tenants in the same table?

    python bench/tenants.py [--total 250000] [--tenants 200] [--queries 200]

200 tenants of mixed sizes (one of 50k, two of 20k, the measured one of 10k, six of 8k, twenty of
2.5k, the rest a few hundred each; 250k products in all), products drawn from the Instacart table
(`../shared/data/instacart/products.csv`, read in place), random unit vectors (the engine's work
per query does not depend on what the vectors mean). The engine alone is timed (query vector
given), for the 10k tenant:

1. alone in the table;
2. next to the other 199, everyone in the one shared HNSW graph (no tenant index of its own);
3. next to the other 199, each tenant of 5k+ products with its own partial HNSW index (what the
   engine builds by itself), small tenants scanned exactly.

The shared HNSW index is dropped while the other tenants load and built again afterwards (one
build is far cheaper than 240k inserts into a graph); the search is the same either way.
Results belong in bench/RESULTS.md ("Many tenants").
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
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
from vizochok.adapters.search.postgres import OWN_INDEX_ABOVE, PostgresProductSearch  # noqa: E402
from vizochok.adapters.security.secrets import SecretBox  # noqa: E402
from vizochok.bootstrap import prepare  # noqa: E402
from vizochok.core.models import ProductInput  # noqa: E402
from vizochok.core.search.request import SearchRequest  # noqa: E402
from vizochok.settings import get_settings  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_search", Path(__file__).with_name("search.py"))
assert _spec is not None and _spec.loader is not None
bench_search = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_search)

MEASURED = 10_000


def sizes(total: int, tenants: int) -> list[int]:
    """Tenant sizes, the measured 10k tenant first (all scaled down for a `--total` under 250k)."""
    scale = min(1.0, total / 250_000)
    big = [round(s * scale) for s in (MEASURED, 50_000, 20_000, 20_000, *[8_000] * 6, *[2_500] * 20)]
    small = tenants - len(big)
    rest = total - sum(big)
    return big + [rest // small + (1 if i < rest % small else 0) for i in range(small)]


def _unit(rng: random.Random) -> list[float]:
    vector = [rng.gauss(0, 1) for _ in range(384)]
    norm = sum(v * v for v in vector) ** 0.5
    return [v / norm for v in vector]


async def load(
    db: Database, tenants: PostgresTenantRepository, products: list[dict[str, Any]], size: int, seed: int
) -> str:
    """A tenant of `size` products drawn from the table, all with vectors."""
    rng = random.Random(seed)
    tenant = await tenants.create(f"bench {seed}", f"tenants-{seed}-{rng.randrange(10**6)}")
    chosen = rng.sample(products, min(size, len(products)))
    repo = PostgresCatalogRepository(db)
    for start in range(0, len(chosen), 5000):
        batch = [ProductInput.model_validate(p) for p in chosen[start : start + 5000]]
        job, _ = await repo.upsert(tenant.id, f"job-{seed}-{start}", batch)
        while pending := await repo.pending_embeddings(tenant.id, job.job_id, 2000):
            await repo.store_embeddings(tenant.id, [(p.sku, h, _unit(rng)) for p, h in pending])
    return tenant.id


async def admin(url: str, *statements: str) -> None:
    """Run maintenance statements as the administrator (index builds, VACUUM)."""
    import psycopg  # noqa: PLC0415

    from vizochok.adapters.db.database import libpq_url  # noqa: PLC0415

    async with await psycopg.AsyncConnection.connect(libpq_url(url), autocommit=True) as conn:
        for statement in statements:
            await conn.execute(statement)


async def measure(
    engine: PostgresProductSearch, tenant_id: str, queries: list[str], seed: int
) -> tuple[float, float]:
    """p50 and p99 in ms of the engine alone, the same queries and vectors every time."""
    rng = random.Random(seed)
    vectors = [_unit(rng) for _ in queries]
    for q, v in list(zip(queries, vectors, strict=True))[:30]:
        await engine.search(tenant_id, SearchRequest(text=q, vector=v))
    times: list[float] = []
    for q, v in zip(queries, vectors, strict=True):
        start = time.perf_counter()
        await engine.search(tenant_id, SearchRequest(text=q, vector=v))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), bench_search.percentile(times, 99)


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


async def run(args: argparse.Namespace, url: str, secret: str, admin_url: str) -> None:
    products = bench_search.load_products()
    plan = sizes(args.total, args.tenants)
    db = Database(url, pool_size=4)
    await db.open()
    tenants = PostgresTenantRepository(db, SecretBox(secret))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"{len(plan)} tenants, {sum(plan)} products; measured tenant: {plan[0]} products; load average {load_average()}"
    )
    measured = await load(db, tenants, products, plan[0], 0)
    own = [p for p in products if True]
    queries = bench_search.make_queries(own, args.queries, random.Random(7))
    queries = [q for q in queries if not q.isdigit()]
    await admin(admin_url, "VACUUM ANALYZE products")
    shared = PostgresProductSearch(db, own_index_above=None)
    alone = await measure(shared, measured, queries, 1)
    print(f"| 1. alone | {alone[0]:.1f} | {alone[1]:.1f} | 1.00 |  load {load_average()}", flush=True)

    start = time.perf_counter()
    await admin(admin_url, "DROP INDEX IF EXISTS products_embedding_hnsw")
    others: list[tuple[str, int]] = []
    for seed, size in enumerate(plan[1:], start=1):
        others.append((await load(db, tenants, products, size, seed), size))
    await admin(
        admin_url, "SET maintenance_work_mem = '1GB'",
        "CREATE INDEX products_embedding_hnsw ON products USING hnsw (embedding vector_cosine_ops)", "VACUUM ANALYZE products",
    )  # fmt: skip
    print(
        f"<!-- loaded {sum(plan) - plan[0]} more products and rebuilt the shared index in {time.perf_counter() - start:.0f} s -->"
    )
    together = await measure(shared, measured, queries, 1)
    print(f"| 2. 200 tenants, shared HNSW only | {together[0]:.1f} | {together[1]:.1f} | {together[0] / alone[0]:.2f} |"
          f"  load {load_average()}", flush=True)  # fmt: skip

    start = time.perf_counter()
    engine = PostgresProductSearch(db)
    for tenant_id, size in [(measured, plan[0]), *others]:
        if size >= OWN_INDEX_ABOVE:
            async with db.tenant(tenant_id) as conn:
                await conn.execute("SELECT vizochok_tenant_vector_index(%s, true)", (tenant_id,))
    await admin(admin_url, "VACUUM ANALYZE products")
    print(f"<!-- built the tenants' own indexes in {time.perf_counter() - start:.0f} s -->")
    isolated = await measure(engine, measured, queries, 1)
    print(f"| 3. 200 tenants, own HNSW per 5k+ tenant | {isolated[0]:.1f} | {isolated[1]:.1f} | {isolated[0] / alone[0]:.2f} |"
          f"  load {load_average()}", flush=True)  # fmt: skip
    big = max(others, key=lambda o: o[1])[0]
    small = others[-1]
    for label, tenant_id, size in (("largest tenant", big, max(plan)), ("small tenant", small[0], small[1])):
        p50, p99 = await measure(engine, tenant_id, queries, 2)
        print(f"| {label} ({size} products), own index / exact scan | {p50:.1f} | {p99:.1f} | |")
    await db.close()


def main() -> None:
    """Start an embedded PostgreSQL in a temporary folder and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=250_000)
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    if not bench_search.DATA.exists():
        sys.exit(f"{bench_search.DATA} is missing")
    with tempfile.TemporaryDirectory(prefix="vizochok-tenants-bench-") as folder:
        prepared = prepare(get_settings(data_dir=Path(folder)))
        try:
            settings = prepared.settings
            assert settings.secret_key is not None
            asyncio.run(
                run(args, settings.database_url or "", settings.secret_key.get_secret_value(),
                    settings.database_admin_url or settings.database_url or "")
            )  # fmt: skip
        finally:
            prepared.stop()


if __name__ == "__main__":
    main()
