"""The needs leg: what a dish or an occasion asks for, one need at a time.

"для окрошки" needs kvass, cucumbers, eggs, boiled sausage, kefir… Engines return, per need,
the products whose texts hold it (`LegRankings.needs`); this module decides which of them *are*
the need and how the needs interleave, once for every engine.

- **A product is a need when it is that thing**: a need's word is one of the name's head words
  (the first two of a Ukrainian name, "Сир Моцарела"; the first two or last two of an English
  one, "… Whole Milk"), or a word of the product's own category ("Горіхи та насіння" for
  "горіхи"). A need found only elsewhere in a name or a description is dropped: "вершки" is
  not "Масло вершкове", "квас" is not "Квасоля", "цукор" is not the salt in "Цукор та сіль"
  (a need with a product named for it ignores category-only matches). A need nothing is
  named for contributes nothing rather than noise.
- **Earlier needs weigh more**: a dish lists its needs most essential first (rice before
  spices for "плов"), so the k-th product of the i-th need ranks at `k + step × i`: a staircase
  that covers the list before it deepens it, and deepens the first needs first. `step` 0 is
  plain round-robin.

Measured in docs/search.md ("Needs").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.core.query import word_terms

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from vizochok.core.models import SearchHit

HEAD_WORDS = 2
"""Name words that say what a product is: "Сир Моцарела", "Паста томатна"."""
NAMED, CATEGORY, ELSEWHERE = 0, 1, 2


def _heads(name: str, language: str) -> tuple[str, ...]:
    terms = word_terms(name)
    if language == "en":  # "Organic Whole Milk", "Milk Chocolate Bar": either end may say what it is
        return terms[:HEAD_WORDS] + terms[-HEAD_WORDS:]
    return terms[:HEAD_WORDS]


def kind(hit: SearchHit, need: Sequence[str], language: str = "uk") -> int:
    """`NAMED` when the product's name says it is the need, `CATEGORY` when its category does, else `ELSEWHERE`."""
    heads = _heads(hit.name, language)
    if any(t in heads for t in need):
        return NAMED
    leaf = (hit.category_path or "").split(">")[-1]
    return CATEGORY if need and need[0] in word_terms(leaf) else ELSEWHERE


def is_need(hits: Sequence[SearchHit], need: Sequence[str], language: str = "uk") -> list[SearchHit]:
    """The hits that are the need, best first: those named for it, or else those of its category."""
    kinds = [kind(h, need, language) for h in hits]
    for wanted in (NAMED, CATEGORY):
        chosen = [h for h, k in zip(hits, kinds, strict=True) if k == wanted]
        if chosen:
            return chosen
    return []


def needs_ranking(
    per_need: Sequence[Sequence[str]],
    products: Mapping[str, SearchHit],
    needs: Sequence[Sequence[str]],
    *,
    language: str = "uk",
    step: float = 1.0,
    limit: int = 50,
) -> list[str]:
    """One ranking from the per-need candidates: only products that are a need, in a staircase over needs."""
    best: dict[str, tuple[float, int, int]] = {}
    for index, (skus, need) in enumerate(zip(per_need, needs, strict=False)):
        chosen = is_need([products[s] for s in skus if s in products], need, language)
        for position, hit in enumerate(chosen):
            key = (position + step * index, position, index)
            if hit.sku not in best or key < best[hit.sku]:
                best[hit.sku] = key
    return [sku for sku, _ in sorted(best.items(), key=lambda item: (item[1], item[0]))][:limit]
