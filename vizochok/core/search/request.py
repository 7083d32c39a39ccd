"""Search requests and the engine-independent parts of query handling."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from vizochok.core.query import QueryAnalysis, analyze, fold


class SearchFilters(BaseModel):
    """Optional narrowing of a search."""

    category_prefix: str | None = None
    brand: str | None = None
    attributes: dict[str, Any] | None = None


class SearchRequest(BaseModel):
    """What a caller asks the search engine for."""

    text: str
    limit: int = Field(default=10, ge=1, le=50)
    filters: SearchFilters = Field(default_factory=SearchFilters)
    vector: list[float] | None = None
    """The query's embedding, computed once by the service."""
    weights: dict[str, float] = Field(default_factory=dict)
    """Per-leg fusion weights (`vector`, `fulltext`, `trigram`, `code`, `needs`); `DEFAULT_WEIGHTS` when absent."""
    rrf_k: int = 60
    candidates: int = Field(default=50, ge=1, le=500)
    """How many hits each leg contributes before fusion."""
    head_bonus: float = 0.3
    """Full-text rank added when a product's name starts with a query word (its head noun)."""
    trigram_below: int = Field(default=5, ge=0)
    """Fuzzy (trigram) matching runs only when full text found fewer hits than this (it rescues typos)."""
    analysis: QueryAnalysis | None = None
    """The query read every plausible way; computed from `text` when absent."""
    language: str = "uk"
    """The catalog's language: an English name ends with what the product is, a Ukrainian one starts with it."""
    group_weights: list[float] = Field(default_factory=list)
    """Per query word (`analysis.groups`), its full-text weight (BM25 IDF from the tenant's vocabulary, mean 1)."""
    categories: list[str] = Field(default_factory=list)
    """Category paths (or departments) the query names, best first: the category leg ranks their products."""

    def understood(self) -> QueryAnalysis:
        """The analysis of the query (computed on demand when the caller gave none)."""
        if self.analysis is None:
            self.analysis = analyze(self.text)
        return self.analysis

    def weight(self, leg: str) -> float:
        """The fusion weight of one leg.

        A query that only names a dish or an occasion ("для плову") uses `vector_dish` for the
        vector leg: the embedding of a grocery list is a weak signal (uk-dev semantic kind:
        0.51 nDCG@10 for the vector leg against 0.76 for the needs leg).
        """
        if leg == "vector" and self.analysis is not None and self.analysis.needs and not self.analysis.groups:
            return self.weights.get("vector_dish", DEFAULT_WEIGHTS["vector_dish"]) * self.weights.get(
                "vector", 1.0
            )
        return self.weights.get(leg, DEFAULT_WEIGHTS.get(leg, 1.0))


def normalize(text: str) -> str:
    """Fold case, Unicode forms, look-alike letters, apostrophes and white space (see `core.query.fold`)."""
    return fold(text)


LEGS = ("vector", "fulltext", "trigram", "code", "needs", "category")
DEFAULT_WEIGHTS = {
    "vector": 1.0, "fulltext": 1.0, "trigram": 0.5, "code": 3.0, "needs": 6.0, "category": 1.0, "vector_dish": 0.0,
}  # fmt: skip
"""Fusion weights tuned on uk-dev (docs/search.md); a tenant overrides any of them."""


def rrf_fuse(
    ranked: dict[str, list[str]], weights: dict[str, float] | None = None, k: int = 60
) -> list[tuple[str, float]]:
    """Reciprocal-rank fusion: each leg adds `weight / (k + rank)` for every SKU it ranked (rank from 1)."""
    weights = weights or {}
    scores: dict[str, float] = {}
    for leg, skus in ranked.items():
        weight = weights.get(leg, DEFAULT_WEIGHTS.get(leg, 1.0))
        if weight <= 0:
            continue
        for rank, sku in enumerate(skus, start=1):
            scores[sku] = scores.get(sku, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
