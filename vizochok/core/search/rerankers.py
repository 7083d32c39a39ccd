"""Built-in rerankers: boosts for what a shopper states exactly (amounts, fat, brand, department).

Core features, registered by name through the plugin hook (`plugins/builtin/rerankers.py`) like a third
party's; a tenant picks one with its search option `reranker`.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from vizochok.core.query import fold, index_terms, quantities
from vizochok.core.query.script import to_cyrillic, to_latin

if TYPE_CHECKING:
    from vizochok.core.models import SearchHit
    from vizochok.core.query import QueryAnalysis

DEFAULTS = {
    "amount_match": 0.6,
    "amount_mismatch": 0.0,
    "brand_match": 0.4,
    "number_match": 0.3,
    "category_match": 0.5,
}
"""Multipliers added to 1 for each kind of evidence; a tenant overrides them in `reranker_options`."""


# Folding and stemming cost ~0.2 ms per hit and the same products come back search after search,
# so what a product text states is derived once per text (bounded caches of small values).
@lru_cache(maxsize=8192)
def _text_facts(text: str) -> tuple[frozenset[tuple[str, float]], frozenset[str], frozenset[str]]:
    """Amounts, bare numbers and all index terms of one product text."""
    folded = fold(text)
    terms = frozenset(index_terms(folded))
    return (
        frozenset((q.unit, q.value) for q in quantities(folded)),
        frozenset(t for t in terms if t[:1].isdigit()),
        terms,
    )


@lru_cache(maxsize=4096)
def _brand_spellings(brand: str) -> tuple[frozenset[str], ...]:
    """The brand's terms in either script; a query names it only when it holds every word of one spelling."""
    folded = fold(brand)
    return tuple(frozenset(index_terms(b)) for b in {folded, to_cyrillic(folded), to_latin(folded)} if b)


@lru_cache(maxsize=4096)
def _category_levels(category_path: str) -> tuple[frozenset[str], ...]:
    """The terms of each level of a category path."""
    return tuple(
        terms for level in category_path.split(">") if (terms := frozenset(index_terms(fold(level))))
    )


def _hit_facts(hit: SearchHit) -> tuple[set[tuple[str, float]], set[str], tuple[frozenset[str], ...]]:
    """Amounts, bare numbers and brand spellings a hit states in its name and attributes."""
    facts = [_text_facts(hit.name), *(_text_facts(str(v)) for v in (hit.attributes or {}).values())]
    amounts = {a for f in facts for a in f[0]}
    numbers = {n for f in facts for n in f[1]}
    return amounts, numbers, _brand_spellings(hit.brand or "")


def _names_its_category(word_groups: list[tuple[str, ...]], category_path: str | None) -> bool:
    """Whether every word of the query is in one level of the hit's category path ("овочі" → "Овочі та зелень")."""
    return any(
        all(any(_matches(terms, t) for t in group) for group in word_groups)
        for terms in _category_levels(category_path or "")
    )


def _matches(terms: AbstractSet[str], want: str) -> bool:
    return want in terms or (len(want) >= 4 and any(t.startswith(want) for t in terms))  # noqa: PLR2004


class AttributeBoostReranker:
    """Promotes hits whose amounts, brand or department match the query exactly, demotes contradicting amounts.

    "кефір 2,5%" should put 2.5 % kefir first even when a 1 % one is closer in vector space;
    "молоко галичина" should prefer the brand over a description that mentions it.
    """

    name = "attribute-boost"

    async def rerank(
        self, query: QueryAnalysis, hits: list[SearchHit], options: dict[str, Any]
    ) -> list[SearchHit]:
        """Hits re-scored by `score × (1 + evidence)`, best first."""
        weights = {**DEFAULTS, **{k: float(v) for k, v in options.items() if k in DEFAULTS}}
        wanted = {(q.unit, q.value) for q in query.quantities}
        query_terms = {t for group in query.groups for t in group}
        word_groups = [g for g in query.groups if not any(t[:1].isdigit() for t in g)]
        rescored: list[tuple[float, int, SearchHit]] = []
        for position, hit in enumerate(hits):
            amounts, numbers, brand_terms = _hit_facts(hit)
            # "молочні продукти" asks for the department, not for milk chocolate.
            in_category = bool(word_groups) and _names_its_category(word_groups, hit.category_path)
            evidence = weights["category_match"] if in_category else 0.0
            # Amounts only tell products of the asked kind apart: "молоко 1,5%" must not lift
            # a 1.5 % kefir over a 2.5 % milk. The kind is every query word found in the name.
            name_terms = _text_facts(hit.name)[2] | {t for b in brand_terms for t in b}
            if not all(any(_matches(name_terms, t) for t in group) for group in word_groups):
                rescored.append((hit.score * (1.0 + evidence), -position, hit))
                continue
            for amount in wanted:
                if amount in amounts:
                    evidence += weights["amount_match"]
                elif any(unit == amount[0] for unit, _ in amounts):
                    evidence += weights["amount_mismatch"]
            evidence += weights["number_match"] * sum(n in numbers for n in query.numbers)
            if any(spelling <= query_terms for spelling in brand_terms):
                evidence += weights["brand_match"]
            rescored.append((hit.score * (1.0 + evidence), -position, hit))
        rescored.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [hit.model_copy(update={"score": round(score, 6)}) for score, _, hit in rescored]
