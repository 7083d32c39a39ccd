"""Needs learned from a tenant's own catalog: what its product texts say things are *for*.

A retailer's descriptions, names and category paths say what a product is for ("пластівці для
сніданку", "засіб для миття посуду", "Корм для тварин > Для котів", "напій без молока"). Read
once per catalog (at import, never per query), these phrases become a per-tenant index:

- **purposes**: the word after a word of purpose (для, до, під, for, with) → the products that
  say so. «на сніданок», «для кави», "for dishes" then ask for those products, in any catalog,
  with no table entry for the occasion.
- **without**: the word after "без"/"without"/"-free" (or the rest of a "без…" word) → the
  products that lack it. «замінник молока», «альтернатива цукру», "milk alternative" ask
  for them.

A need is the head of a product's name (its first words before a brand or an amount) or its
category's last level, so the needs leg looks it up like any dish need ("сухі сніданки").
Everything is stemmed with the query analyzer, so «сніданок» meets «сніданку».
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vizochok.core.query.fold import fold

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

LEARNED_VERSION = 1
"""Bumped when what is learned changes: stored needs of an older version are learned again."""

PURPOSE_WORDS = frozenset({"для", "до", "під", "for", "with"})
"""Words after which a product text names what the product is for ("на" is mostly "на вагу")."""
WITHOUT_WORDS = frozenset({"без", "without", "no", "non"})
"""Words before what a product lacks ("без цукру", "non dairy")."""
WITHOUT_AFTER = frozenset({"free"})
"""Words after what a product lacks ("dairy free", "gluten-free")."""
SUBSTITUTE_WORDS = frozenset(
    {
        "замінник", "замінники", "заміна", "заміну", "замість", "альтернатива", "альтернативу",
        "заменитель", "замена", "вместо", "substitute", "substitutes",
        "alternative", "alternatives", "instead", "replacement",
    }
)  # fmt: skip
"""Query words that ask for what something is *not* («замінник молока», "milk alternative"). Not "без"
or "free" ("gluten free bread" names a product):
«без лактози» is answered by the products that say so in their own words (full text); the
learned needs would widen it to whole categories (measured: 0.95 → 0.43 nDCG@10)."""
MAX_NEEDS = 8
"""Needs one learned phrase brings, most telling first: more dilute the needs leg's turns."""
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")
_HEAD_WORDS = 2
_MIN_KEY = 3


@dataclass(frozen=True)
class ProductText:
    """The fields needs are learned from."""

    name: str
    category_path: str | None = None
    brand: str | None = None
    description: str | None = None
    ingredients: str | None = None


@dataclass(frozen=True)
class LearnedNeeds:
    """One tenant's learned purpose and "without" phrases, each key an index term."""

    purposes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    without: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.purposes) + len(self.without)

    def for_purpose(self, term: str) -> tuple[str, ...]:
        """Needs of a word asked for after a word of purpose («для кави»)."""
        return self.purposes.get(term, ())

    def without_(self, term: str) -> tuple[str, ...]:
        """Needs of products that lack what the word names («замінник молока»)."""
        return self.without.get(term, ())

    def to_json(self) -> dict[str, Any]:
        """A JSON value to store per tenant."""
        return {
            "version": LEARNED_VERSION,
            "purposes": {k: list(v) for k, v in self.purposes.items()},
            "without": {k: list(v) for k, v in self.without.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> LearnedNeeds:
        """Back from `to_json`; an older version or nothing gives empty needs."""
        if not data or data.get("version") != LEARNED_VERSION:
            return cls()
        return cls(
            purposes={str(k): tuple(map(str, v)) for k, v in dict(data.get("purposes", {})).items()},
            without={str(k): tuple(map(str, v)) for k, v in dict(data.get("without", {})).items()},
        )


def learn_needs(products: Iterable[ProductText], term: Callable[[str], str]) -> LearnedNeeds:
    """Read every product's texts once; `term` is the analyzer's stemmer (the query side uses it too)."""
    purposes: dict[str, Counter[str]] = {}
    without: dict[str, Counter[str]] = {}
    for product in products:
        needs = _product_needs(product)
        if not needs:
            continue
        texts = [product.name, product.description or "", product.ingredients or ""]
        texts += (product.category_path or "").split(">")
        for text in texts:
            words = _WORD.findall(fold(text).replace("'", ""))
            for key in _after(words, PURPOSE_WORDS, term):
                _count(purposes, key, needs)
            lacks = _after(words, WITHOUT_WORDS, term) + _before(words, WITHOUT_AFTER, term)
            for key in lacks + _joined_without(words, term):
                _count(without, key, needs)
    return LearnedNeeds(_ranked(purposes), _ranked(without))


def _product_needs(product: ProductText) -> tuple[str, ...]:
    """The head of the product's name (up to two words before its brand), then its category's last level."""
    words: list[str] = []
    brand = set(fold(product.brand or "").split())
    for word in _WORD.findall(fold(product.name).replace("'", "")):
        if word in brand or len(words) == _HEAD_WORDS:
            break
        if word not in PURPOSE_WORDS and word not in WITHOUT_WORDS:  # «корм для котів»: корм котів
            words.append(word)
    leaf = fold((product.category_path or "").split(">")[-1].strip())
    if product.name.isascii():  # an English name ends with what the product is: the aisle says it better
        return tuple(n for n in (leaf, " ".join(_WORD.findall(fold(product.name))[-_HEAD_WORDS:])) if n)
    return tuple(n for n in (" ".join(words), leaf) if n)


def _after(words: list[str], markers: frozenset[str], term: Callable[[str], str]) -> list[str]:
    """Terms of the one or two words after each marker ("для легкого сніданку": легк, снідан)."""
    keys: list[str] = []
    for index, word in enumerate(words):
        if word in markers:
            keys += [term(w) for w in words[index + 1 : index + 3] if len(w) >= _MIN_KEY]
    return keys


def _before(words: list[str], markers: frozenset[str], term: Callable[[str], str]) -> list[str]:
    """Terms of the word before each marker ("dairy free": dairi)."""
    return [term(words[i - 1]) for i, w in enumerate(words) if w in markers and i > 0]


def _joined_without(words: list[str], term: Callable[[str], str]) -> list[str]:
    """«безмолочна», «безлактозне»: the rest of the word is what is missing."""
    return [term(w[3:]) for w in words if w.startswith("без") and len(w) > 3 + _MIN_KEY]


def _count(index: dict[str, Counter[str]], key: str, needs: tuple[str, ...]) -> None:
    counter = index.setdefault(key, Counter())
    # The name's head is the precise need; the category level brings the product's neighbours.
    for rank, need in enumerate(needs):
        counter[need] += 2 if rank == 0 else 1


def _ranked(index: dict[str, Counter[str]]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(n for n, _ in counter.most_common(MAX_NEEDS)) for key, counter in index.items()}
