"""`vizochok eval search DATASET`: load a labelled catalog into a throw-away tenant and score search.

Each leg is measured alone (the others weighted 0) and the fused, reranked result as shoppers
get it, so a change can be judged by what it does to every leg.
"""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any

from vizochok.app import build_container
from vizochok.container import get
from vizochok.core.search.evaluation import METRICS, LabelledQuery, summarize
from vizochok.core.search.request import LEGS

if TYPE_CHECKING:
    from pathlib import Path

    from vizochok.core.models import Tenant
    from vizochok.core.search.service import SearchService
    from vizochok.settings import Settings

SYSTEMS = ("fused", "fused-no-rerank", *LEGS)
ALONE = {"vector_dish": 1.0, "name": 0.0, "name_power": 0.0}
"""With one leg on: the vector leg for dish queries too, and no fusion-time name sharpening (the raw leg)."""
DEPTH = 50


def load_dataset(folder: Path) -> tuple[list[dict[str, Any]], list[LabelledQuery]]:
    """`catalog.json` (`{"products": [...]}`) and `queries.jsonl` of a dataset folder."""
    catalog = json.loads((folder / "catalog.json").read_text("utf-8"))
    products = catalog["products"] if isinstance(catalog, dict) else catalog
    lines = (folder / "queries.jsonl").read_text("utf-8").splitlines()
    return products, [LabelledQuery.model_validate_json(line) for line in lines if line.strip()]


async def _rank(service: SearchService, tenant: Tenant, system: str, text: str) -> list[str]:
    if system.startswith("fused"):
        hits = await service.search(tenant, text, limit=DEPTH, rerank=system == "fused")
    else:
        alone = {leg: (1.0 if leg == system else 0.0) for leg in LEGS} | ALONE
        solo = tenant.model_copy(update={"search": {**tenant.search, "weights": alone}})
        hits = await service.search(solo, text, limit=DEPTH, rerank=False)
    return [h.sku for h in hits]


async def evaluate(
    settings: Settings,
    folder: Path,
    tenant_search: dict[str, Any] | None = None,
    systems: tuple[str, ...] = SYSTEMS,
) -> dict[str, Any]:
    """Scores per system, overall and per kind, plus each query's fused top 10."""
    products, queries = load_dataset(folder)
    container = build_container(settings)
    started = container.init_resources()
    if started is not None:  # async resources: an awaitable
        await started
    tenants = await get(container.tenants)
    database = await get(container.database)
    tenant = await tenants.create(
        "search evaluation", f"eval-{secrets.token_hex(4)}", search=tenant_search or {}
    )
    try:
        catalog = await get(container.catalog_service)
        for start in range(0, len(products), 5000):
            job, _ = await catalog.upsert(tenant.id, products[start : start + 5000])
            await catalog.wait(job.job_id)
        service = await get(container.search_service)
        await service.profile(tenant.id)  # the steady state: searches never wait for the profile build
        rankings: dict[str, dict[str, list[str]]] = {s: {} for s in systems}
        for query in queries:
            for system in systems:
                rankings[system][query.id] = await _rank(service, tenant, system, query.query)
        return {
            "dataset": str(folder),
            "products": len(products),
            "queries": len(queries),
            "systems": {system: summarize(queries, rankings[system]) for system in systems},
            "top10": {q.id: rankings[systems[0]][q.id][:10] for q in queries},
        }
    finally:
        async with database.tenant(tenant.id) as conn:
            await conn.execute("DELETE FROM tenants WHERE id = %s", (tenant.id,))
        await (await get(container.catalog_service)).close()
        stopped = container.shutdown_resources()
        if stopped is not None:
            await stopped


def render(report: dict[str, Any]) -> str:
    """A plain-text table: nDCG@10 of every system per kind, then the fused result's other metrics."""
    systems = list(report["systems"])
    fused = report["systems"][systems[0]]
    kinds = list(fused)
    width = max(len(k) for k in kinds) + 2
    lines = [f"{report['queries']} queries over {report['products']} products ({report['dataset']})", ""]
    lines.append("nDCG@10".ljust(width) + "".join(s.rjust(17) for s in systems) + "   n")
    for kind in kinds:
        row = "".join(f"{report['systems'][s][kind]['ndcg@10']:17.3f}" for s in systems)
        lines.append(kind.ljust(width) + row + f"{int(fused[kind]['queries']):4d}")
    lines += ["", f"{systems[0]}".ljust(width) + "".join(m.rjust(12) for m in METRICS)]
    for kind in kinds:
        lines.append(kind.ljust(width) + "".join(f"{fused[kind][m]:12.3f}" for m in METRICS))
    return "\n".join(lines)
