"""Search requests and the engine-independent parts of query handling."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, Field

from vizochok.core.models import SearchHit
from vizochok.core.query import QueryAnalysis, analyze, fold, index_terms, word_terms
from vizochok.core.search.needs import needs_ranking


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
    "name": 1.0, "name_power": 1.5, "need_step": 1.0,
}  # fmt: skip
"""Fusion weights tuned on uk-dev and en-dev (docs/search.md); a tenant overrides any of them. `name` is the
leg of full-text hits whose name holds every query word (0 turns it off); `name_power` how sharply a
full-text hit counts by the share of the query its name holds (0: not at all). Both apply only where
the full-text leg is decisive (see `fuse`). `need_step` is how far each later need of a dish starts
down the needs leg (`core/search/needs.py`; 0: round-robin)."""
NEED_LEG = "need:"
"""An engine's per-need rankings are legs `need:0`, `need:1`… (`LegRankings.of` gathers them)."""


@dataclass(frozen=True)
class LegRankings:
    """What an engine found for one request: each leg's SKUs best first, and the products they name.

    Engines stop here; `fuse` (the one place fusion happens) turns it into hits. `products` holds
    every SKU any leg ranked, as a hit with score 0 (the fused score replaces it).
    """

    legs: dict[str, list[str]] = field(default_factory=dict)
    products: dict[str, SearchHit] = field(default_factory=dict)
    needs: list[list[str]] = field(default_factory=list)
    """Per need of the query (`analysis.needs`, in order), the products whose texts hold it, best
    first. Which of them *are* the need, and how needs interleave, `fuse` decides (`core/search/needs.py`)."""

    @classmethod
    def of(cls, ranked: dict[str, list[str]], products: dict[str, SearchHit]) -> LegRankings:
        """Rankings from an engine's legs, its per-need legs (`need:0`, `need:1`…) gathered into `needs`."""
        per_need = {
            int(leg[len(NEED_LEG) :]): skus for leg, skus in ranked.items() if leg.startswith(NEED_LEG)
        }
        needs = [per_need.get(i, []) for i in range(max(per_need, default=-1) + 1)]
        legs = {leg: skus for leg, skus in ranked.items() if not leg.startswith(NEED_LEG)}
        return cls(legs, products, needs)

    def ranking(self, leg: str) -> list[str]:
        """One leg's SKUs best first (empty when the leg did not run)."""
        return self.legs.get(leg, [])


def fuse(request: SearchRequest, found: LegRankings) -> list[SearchHit]:
    """The request's hits, best first: weighted RRF of every leg, sharpened where the words decide.

    The full-text leg is *decisive* for a query when its best hit's name (or brand) holds every
    query word, an exact name or brand query, and the query does not name a category ("овочі":
    there the category decides). Then plain RRF would let the leg's long tail (names that share
    one common word, "Lemon Thins" for "lemon pound cake") lift whatever the vector leg also
    likes above a full match. So, for such a query only:
    - each full-text hit counts by the share of query words its name, brand or category holds,
      to the power `name_power` (1.5);
    - the hits whose names hold every word form a leg of their own (`name`, weight 1): first the
      names whose head noun is the query's ("Whole Cashews" before "Cashew Milk" for "cashew";
      the last word of an English name and query, the first of a Ukrainian one), then the
      tightest names ("Earl Grey Tea" before "Earl Grey Decaffeinated Black Tea").
    Both read only the hits' names, so every engine gets them. Measured in docs/search.md ("Fusion").
    The needs leg is made here too, from the engine's per-need rankings (`core/search/needs.py`).
    """
    weights = {leg: request.weight(leg) for leg in LEGS}
    match = NameMatch(request)
    legs = dict(found.legs)
    if found.needs:
        legs["needs"] = needs_ranking(
            found.needs, found.products, request.understood().needs, language=request.language,
            step=request.weight("need_step"), limit=max(request.limit, request.candidates),
        )  # fmt: skip
    scale: dict[str, float] = {}
    fulltext = legs.get("fulltext", [])
    decisive = (
        bool(match) and bool(fulltext) and weights["fulltext"] > 0
        and match.covers(found.products[fulltext[0]]) and not match.names_category(request.categories)
    )  # fmt: skip
    if decisive:
        power = request.weights.get("name_power", DEFAULT_WEIGHTS["name_power"])
        scale = {sku: match.share(found.products[sku]) ** power for sku in fulltext}
        whole = [sku for sku in fulltext if match.covers(found.products[sku])]
        legs["name"] = sorted(whole, key=lambda sku: match.order(found.products[sku]))  # stable
        weights["name"] = request.weight("name")
    fused = rrf_fuse(legs, weights, request.rrf_k, scale)[: request.limit]
    return [found.products[sku].model_copy(update={"score": round(score, 6)}) for sku, score in fused]


@lru_cache(maxsize=65_536)
def _name_terms(text: str) -> frozenset[str]:
    return frozenset(index_terms(text))


class NameMatch:
    """How much of a query a product's own name and brand hold (any reading of each query word)."""

    def __init__(self, request: SearchRequest) -> None:
        self.groups = [group for group in request.understood().groups if group]
        self.english = request.language == "en"

    def __bool__(self) -> bool:
        return bool(self.groups)

    @staticmethod
    def terms(hit: SearchHit) -> frozenset[str]:
        """The index terms of a product's name and brand."""
        return _name_terms(f"{hit.name} {hit.brand or ''}")

    def _holds(self, group: tuple[str, ...], terms: frozenset[str]) -> bool:
        return any(_term_matches(t, terms) for t in group)

    def share(self, hit: SearchHit) -> float:
        """The share of query words the product's name, brand or category holds, 0 to 1.

        Words count alike: weighting them by IDF, as full text does, let a rare brand outweigh the
        product word ("Сметана Галичина" over "Молоко Яготинське" for "молоко галичина").
        """
        terms = self.terms(hit) | _name_terms(hit.category_path or "")
        return sum(1 for group in self.groups if self._holds(group, terms)) / len(self.groups)

    def covers(self, hit: SearchHit) -> bool:
        """Whether the name or brand holds every query word."""
        terms = self.terms(hit)
        return all(self._holds(group, terms) for group in self.groups)

    def names_category(self, paths: list[str]) -> bool:
        """Whether one level of one of these category paths holds every query word ("овочі", "dairy products")."""
        levels = (_name_terms(level) for path in paths for level in path.split(">"))
        return any(all(self._holds(group, terms) for group in self.groups) for terms in levels)

    def order(self, hit: SearchHit) -> tuple[int, int]:
        """Where a name that holds the whole query goes in the `name` leg: head noun first, then tightest."""
        return (0 if self.same_head(hit) else 1, self.unasked(hit))

    def same_head(self, hit: SearchHit) -> bool:
        """Whether the name's head noun is the query's: the last word in English, the first in Ukrainian.

        en-dev: "cashew" put "Cashew Milk" among the cashews; with the head first, morphology went
        0.884 → 0.907 and typo 0.848 → 0.857, no kind lower (docs/search.md, "Fusion").
        """
        words = word_terms(hit.name)
        if not words or not self.groups:
            return False
        head, wanted = (words[-1], self.groups[-1]) if self.english else (words[0], self.groups[0])
        return any(_term_matches(t, frozenset((head,))) for t in wanted)

    def unasked(self, hit: SearchHit) -> int:
        """Name and brand words the query does not ask for (0: the name is the query)."""
        wanted = [t for group in self.groups for t in group]
        return sum(
            1 for term in self.terms(hit) if not any(_term_matches(t, frozenset((term,))) for t in wanted)
        )


def _term_matches(want: str, terms: frozenset[str]) -> bool:
    """A query term matches a product term exactly, or as a prefix when four letters or longer (as full text does)."""
    return want in terms or (len(want) >= _PREFIX_FROM and any(t.startswith(want) for t in terms))


_PREFIX_FROM = 4


def rrf_fuse(
    ranked: dict[str, list[str]],
    weights: dict[str, float] | None = None,
    k: int = 60,
    scale: dict[str, float] | None = None,
) -> list[tuple[str, float]]:
    """Reciprocal-rank fusion: each leg adds `weight / (k + rank)` for every SKU it ranked (rank from 1).

    `scale` multiplies the full-text leg's contribution per SKU (how much of the query its name holds).
    """
    weights = weights or {}
    scores: dict[str, float] = {}
    for leg, skus in ranked.items():
        weight = weights.get(leg, DEFAULT_WEIGHTS.get(leg, 1.0))
        if weight <= 0:
            continue
        factors = scale if leg == "fulltext" and scale else None
        for rank, sku in enumerate(skus, start=1):
            share = factors.get(sku, 1.0) if factors else 1.0
            scores[sku] = scores.get(sku, 0.0) + weight * share / (k + rank)
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
