"""Ranking metrics for labelled search queries (the format of `eval/uk-dev/queries.jsonl`)."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


class LabelledQuery(BaseModel):
    """One query and its graded SKUs (3 exact, 2 close, 1 related; unlisted = irrelevant)."""

    id: str
    query: str
    kind: str = "other"
    relevant: dict[str, int] = Field(default_factory=dict)


def ndcg(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with gain 2^grade − 1 and a log2 discount."""
    dcg = sum((2 ** relevant.get(sku, 0) - 1) / math.log2(i + 2) for i, sku in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: Sequence[str], relevant: Mapping[str, int], k: int, min_grade: int = 2) -> float:
    """Share of the SKUs graded `min_grade` or more that appear in the top k."""
    wanted = {sku for sku, grade in relevant.items() if grade >= min_grade}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def mrr(ranked: Sequence[str], relevant: Mapping[str, int], min_grade: int = 1) -> float:
    """Reciprocal rank of the first relevant SKU."""
    return next((1.0 / (i + 1) for i, sku in enumerate(ranked) if relevant.get(sku, 0) >= min_grade), 0.0)


METRICS = ("ndcg@10", "recall@10", "recall@50", "mrr")


def score(ranked: Sequence[str], relevant: Mapping[str, int]) -> dict[str, float]:
    """Every metric of one ranking."""
    return {
        "ndcg@10": ndcg(ranked, relevant),
        "recall@10": recall(ranked, relevant, 10),
        "recall@50": recall(ranked, relevant, 50),
        "mrr": mrr(ranked, relevant),
    }


def summarize(
    queries: Sequence[LabelledQuery], rankings: Mapping[str, Sequence[str]]
) -> dict[str, dict[str, float]]:
    """Mean metrics overall (key `all`) and per query kind; `rankings` maps query id to SKUs."""
    groups: dict[str, list[dict[str, float]]] = defaultdict(list)
    for query in queries:
        metrics = score(rankings.get(query.id, []), query.relevant)
        groups["all"].append(metrics)
        groups[query.kind].append(metrics)
    return {
        kind: {m: sum(r[m] for r in rows) / len(rows) for m in METRICS} | {"queries": float(len(rows))}
        for kind, rows in sorted(groups.items(), key=lambda kv: (kv[0] != "all", kv[0]))
    }
