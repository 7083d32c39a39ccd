"""Search requests and the engine-independent parts of query handling."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import BaseModel, Field

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'", "´": "'"})
_SPACE = re.compile(r"\s+")


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
    """Per-leg fusion weights (`vector`, `fulltext`, `trigram`); 1.0 when absent."""
    rrf_k: int = 60


def normalize(text: str) -> str:
    """Fold case, Unicode forms, apostrophes and white space the same way for queries and products."""
    folded = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    return _SPACE.sub(" ", folded).strip()


LEGS = ("vector", "fulltext", "trigram")


def rrf_fuse(
    ranked: dict[str, list[str]], weights: dict[str, float] | None = None, k: int = 60
) -> list[tuple[str, float]]:
    """Reciprocal-rank fusion: each leg adds `weight / (k + rank)` for every SKU it ranked (rank from 1)."""
    weights = weights or {}
    scores: dict[str, float] = {}
    for leg, skus in ranked.items():
        weight = weights.get(leg, 1.0)
        if weight <= 0:
            continue
        for rank, sku in enumerate(skus, start=1):
            scores[sku] = scores.get(sku, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def fulltext_query(text: str) -> str:
    """A `to_tsquery('simple', …)` string: each word as a prefix, any word may match.

    Words are cut to their first five letters before the prefix match, a crude stem that
    lets "молока" find "молоко" until real morphology replaces it.
    """
    words = re.findall(r"\w+", normalize(text))
    terms = [w[:5] if len(w) > 5 else w for w in words if len(w) > 1 or w.isdigit()]
    return " | ".join(f"{t}:*" for t in dict.fromkeys(terms))
