"""Many tenants: whether a tenant's search latency depends on the other tenants in the same table.

    python bench/tenants.py [--total 250000] [--tenants 200] [--queries 200] [--rounds 2]

200 tenants of mixed sizes (the measured one of 10k, one of 50k, two of 20k, six of 8k, twenty of
2.5k, the rest a few hundred each; 250k products in all), products drawn from the Instacart table
(`../shared/data/instacart/products.csv`, read in place), bulk-loaded by COPY with derived
bag-of-words vectors (`bench/bulk.py` says why they keep HNSW's behaviour realistic). The engine
alone is timed (query vector given, derived from the query's words the same way).

The anchor is measured in the same run, query by query: after the 10k tenant is loaded the
database is copied (`CREATE DATABASE … TEMPLATE`), so "alone" is a second database holding only
that tenant, served by the same PostgreSQL. Each query runs against both, alternately, so load
from other processes hits both sides alike. Phases, the 10k tenant next to the other 199:

2. everyone in the one shared HNSW graph (no tenant index of its own);
3. each tenant of 5k+ products with its own partial HNSW index (migration 0007, built through
   `vizochok_tenant_vector_index` as the engine does), small tenants scanned exactly.

Goal (issue 15): the 10k tenant's p50 in phase 3 within 1.5x of alone.
Results belong in bench/RESULTS.md ("Many tenants").
"""

from __future__ import annotations

import argparse
import asyncio
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
sys.path.insert(0, str(ROOT / "bench"))

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
from sqlalchemy.engine import make_url  # noqa: E402

from vizochok.adapters.db import Database  # noqa: E402
from vizochok.adapters.db.database import libpq_url  # noqa: E402
from vizochok.adapters.db.tenants import PostgresTenantRepository  # noqa: E402
from vizochok.adapters.search.postgres import OWN_INDEX_ABOVE, PostgresProductSearch  # noqa: E402
from vizochok.adapters.security.secrets import SecretBox  # noqa: E402
from vizochok.bootstrap import prepare  # noqa: E402
from vizochok.core.search.request import LEGS, SearchRequest  # noqa: E402
from vizochok.settings import get_settings  # noqa: E402

MEASURED = 10_000
ALONE_DB = "vizochok_alone"


def sizes(total: int, tenants: int) -> list[int]:
    """Tenant sizes, the measured 10k tenant first (all scaled down for a `--total` under 250k)."""
    scale = min(1.0, total / 250_000)
    big = [round(s * scale) for s in (MEASURED, 50_000, 20_000, 20_000, *[8_000] * 6, *[2_500] * 20)]
    small = tenants - len(big)
    rest = total - sum(big)
    return big + [rest // small + (1 if i < rest % small else 0) for i in range(small)]


def make_queries(products: list[dict[str, Any]], count: int, rng: random.Random) -> list[str]:
    """Shopper-like queries over these products: name prefixes, single words, typos, SKUs."""
    queries: list[str] = []
    while len(queries) < count:
        words = rng.choice(products)["name"].split()
        kind = rng.random()
        if kind < 0.4:
            queries.append(" ".join(words[:2]))
        elif kind < 0.7:
            queries.append(rng.choice(words))
        elif kind < 0.9:
            word = max(words, key=len)
            cut = rng.randrange(len(word))
            queries.append(word[:cut] + word[cut + 1 :])
        else:
            queries.append(rng.choice(products)["sku"])
    return queries


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def other_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def admin(url: str) -> psycopg.AsyncConnection[Any]:
    return await psycopg.AsyncConnection.connect(libpq_url(url), autocommit=True)


async def create_tenants(db: Database, secret: str, count: int) -> list[str]:
    repo = PostgresTenantRepository(db, SecretBox(secret))
    return [(await repo.create(f"bench {i}", f"tenants-{i}")).id for i in range(count)]


async def own_index(db: Database, tenant_id: str) -> None:
    """The tenant's partial HNSW index, through the same definer function the engine calls."""
    async with db.tenant(tenant_id) as conn:
        await conn.execute("SET LOCAL maintenance_work_mem = '512MB'")
        await conn.execute("SELECT vizochok_tenant_vector_index(%s, true)", (tenant_id,))


async def compare(
    sides: list[tuple[PostgresProductSearch, str]],
    queries: list[str],
    rounds: int,
    weights: dict[str, float] | None = None,
) -> list[list[float]]:
    """Milliseconds per query on each side, the sides alternating query by query (warmed first)."""
    vectors = {q: derived_vector(q, None, "query " + q) for q in queries}

    def request(q: str) -> SearchRequest:
        return SearchRequest(text=q, vector=vectors[q], weights=dict(weights or {}))

    for engine, tenant_id in sides:
        for q in queries[:30]:
            await engine_search(engine, tenant_id, request(q))
    times: list[list[float]] = [[] for _ in sides]
    for r in range(rounds):
        for i, q in enumerate(queries):
            order = list(enumerate(sides))
            if (i + r) % 2:
                order.reverse()  # neither side always goes first
            for k, (engine, tenant_id) in order:
                start = time.perf_counter()
                await engine_search(engine, tenant_id, request(q))
                times[k].append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, alone: list[float], other: list[float]) -> None:
    a50, o50 = statistics.median(alone), statistics.median(other)
    a99, o99 = percentile(alone, 99), percentile(other, 99)
    print(f"| {label} | {a50:.2f} / {a99:.2f} | {o50:.2f} / {o99:.2f} | **{o50 / a50:.2f}** | {o99 / a99:.2f} |"
          f" load {load_average()} |", flush=True)  # fmt: skip


Loaded = tuple[list[str], list[int], list[dict[str, Any]]]
"""Tenant ids, their sizes (the measured tenant first) and the measured tenant's products."""


async def load_all(args: argparse.Namespace, url: str, admin_url: str, secret: str) -> Loaded:
    """The measured tenant, copied to its own database; then the other 199 in the main one."""
    products = load_products()
    plan = sizes(args.total, args.tenants)
    rows = Rows()
    rng = random.Random(1)
    chosen = [rng.sample(products, min(size, len(products))) for size in plan]
    db = Database(url, pool_size=2)
    await db.open()
    ids = await create_tenants(db, secret, len(plan))
    await db.close()
    start = time.perf_counter()
    async with await admin(admin_url) as conn:
        definitions = await drop_search_indexes(conn)
        await copy_products(conn, ids[0], chosen[0], rows)
        await build_indexes(conn, definitions)
    main_db = make_url(admin_url).database
    async with await admin(other_database(admin_url, "postgres")) as conn:
        await conn.execute(f'CREATE DATABASE "{ALONE_DB}" TEMPLATE "{main_db}"')
    print(
        f"<!-- the 10k tenant loaded, indexed and copied in {time.perf_counter() - start:.0f} s -->",
        flush=True,
    )
    start = time.perf_counter()
    async with await admin(admin_url) as conn:
        definitions = await drop_search_indexes(conn)
        loaded = 0
        for tenant_id, chunk in zip(ids[1:], chosen[1:], strict=True):
            loaded += await copy_products(conn, tenant_id, chunk, rows)
        copied = time.perf_counter() - start
        await build_indexes(conn, definitions)
    built = time.perf_counter() - start - copied
    print(f"<!-- {loaded} more products: COPY {copied:.0f} s ({loaded / copied:.0f}/s), shared indexes and"
          f" VACUUM ANALYZE {built:.0f} s; load {load_average()} -->", flush=True)  # fmt: skip
    return ids, plan, chosen[0]


async def run(args: argparse.Namespace, url: str, secret: str, admin_url: str) -> None:
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores,"
          f" Python {platform.python_version()}; load {load_average()}", flush=True)  # fmt: skip
    ids, plan, own_products = await load_all(args, url, admin_url, secret)
    print(f"{len(plan)} tenants, {sum(plan)} products; measured tenant {plan[0]} products", flush=True)
    queries = make_queries(own_products, args.queries, random.Random(7))
    db, alone_db = Database(url, pool_size=2), Database(other_database(url, ALONE_DB), pool_size=2)
    await db.open()
    await alone_db.open()
    measured = ids[0]
    print("| phase | alone p50 / p99 ms | among 200 p50 / p99 ms | p50 ratio | p99 ratio | |")
    print("|---|---:|---:|---:|---:|---|")
    shared = [(PostgresProductSearch(alone_db, own_index_above=None), measured),
              (PostgresProductSearch(db, own_index_above=None), measured)]  # fmt: skip
    alone, among = await compare(shared, queries, args.rounds)
    report("2. one shared HNSW graph", alone, among)

    start = time.perf_counter()
    for tenant_id, size in zip(ids, plan, strict=True):
        if size >= OWN_INDEX_ABOVE:
            await own_index(db, tenant_id)
    await own_index(alone_db, measured)
    async with await admin(admin_url) as conn:
        await conn.execute("VACUUM ANALYZE products")
    print(f"<!-- {sum(s >= OWN_INDEX_ABOVE for s in plan)} partial indexes built in"
          f" {time.perf_counter() - start:.0f} s -->", flush=True)  # fmt: skip
    isolated = [(PostgresProductSearch(alone_db), measured), (PostgresProductSearch(db), measured)]
    alone, among = await compare(isolated, queries, args.rounds)
    report("3. own partial HNSW per 5k+ tenant", alone, among)
    # Which leg still depends on the other tenants: each alone, among 200 against alone.
    for leg in LEGS:
        alone, among = await compare(isolated, queries, 1, {other: float(other == leg) for other in LEGS})
        report(f"3, {leg} leg alone", alone, among)

    engine = PostgresProductSearch(db)
    for label, index in (("largest", plan.index(max(plan))), ("smallest", plan.index(min(plan)))):
        (times,) = await compare([(engine, ids[index])], queries, 1)
        print(f"<!-- {label} tenant ({plan[index]} products): p50 {statistics.median(times):.2f},"
              f" p99 {percentile(times, 99):.2f} ms -->", flush=True)  # fmt: skip
    await alone_db.close()
    await db.close()


def main() -> None:
    """Start an embedded PostgreSQL in a temporary folder and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=250_000)
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not DATA.exists():
        sys.exit(f"{DATA} is missing")
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
