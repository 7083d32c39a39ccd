"""A tenant's own vocabulary: the words of its catalog, with a trigram index to correct typos against.

A query word the catalog does not know ("oganic", "yoghrt", «молокко») is looked up among the
catalog's words, not among its products: a typo next to a very common word ("organic" is in
5,000 of 50,000 Instacart names) made the products' trigram index re-check thousands of rows
(30–50 ms), while a vocabulary has each word once (a few thousand words, well under a
millisecond). The corrections join the word's readings, so the full-text leg finds the intended
products, and the vector leg embeds the corrected query.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from vizochok.core.query.fold import fold

_WORD = re.compile(r"[^\W\d_]{3,}")
_MIN_WORD = 4
"""Shorter words are too often real words of their own to be corrected ("tea" is not "pea")."""


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: padded with two spaces in front and one behind."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance, giving up past `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


class Vocabulary:
    """The distinct words of a tenant's product names and brands, with how many products use each."""

    def __init__(
        self, counts: dict[str, int], term_df: dict[str, int] | None = None, documents: int = 0
    ) -> None:
        self.counts = counts
        self.term_df = term_df or {}
        """Products per index term (stem): a word whose stem is here is known, whatever its form."""
        self.documents = documents
        """Products the vocabulary was read from."""
        self._grams: dict[str, list[str]] = {}
        for word in counts:
            for gram in trigrams(word):
                self._grams.setdefault(gram, []).append(word)

    @classmethod
    def from_texts(cls, texts: list[str], term: object = None) -> Vocabulary:
        """The vocabulary of product texts (names and brands); `term` maps a word to its index term."""
        counts: Counter[str] = Counter()
        term_df: Counter[str] = Counter()
        for text in texts:
            words = set(_WORD.findall(fold(text).replace("'", "")))
            counts.update(words)
            if callable(term):
                term_df.update({term(w) for w in words})
        return cls(dict(counts), dict(term_df), len(texts))

    def __len__(self) -> int:
        return len(self.counts)

    def knows(self, word: str, stem: str) -> bool:
        """Whether the catalog has this word, in this form or another form of its stem."""
        return word in self.counts or stem in self.term_df

    def idf(self, terms: tuple[str, ...]) -> float:
        """BM25's inverse document frequency of a query word, by its most common reading in the catalog.

        A word none of whose readings the catalog has counts as appearing once (it can only match
        by prefix). Full-text ranking weighs each query word by this, as BM25 does: "brew" in
        "organic cold brew coffee" tells more than "organic", which 5,000 products share.
        """
        df = max((self.term_df.get(t, 0) for t in terms), default=0) or 1
        return math.log(1 + (self.documents - df + 0.5) / (df + 0.5))

    def correct(self, word: str, limit: int = 2, min_similarity: float = 0.3) -> list[str]:
        """Catalog words this unknown word was probably meant as, most likely first (none if it is known).

        Candidates share trigrams with the word (pg_trgm's similarity, at least `min_similarity`)
        and lie within one edit (words up to 5 letters) or two; more similar and more common first.
        """
        if len(word) < _MIN_WORD or word in self.counts or not word.isalpha():
            return []
        grams = trigrams(word)
        shared: Counter[str] = Counter()
        for gram in grams:
            shared.update(self._grams.get(gram, ()))
        edits = 1 if len(word) <= 5 else 2  # noqa: PLR2004
        scored: list[tuple[float, int, str]] = []
        for candidate, common in shared.most_common(200):
            similarity = common / (len(grams) + len(candidate) + 3 - common)
            if similarity < min_similarity:
                continue
            distance = _distance(word, candidate, edits)
            if distance <= edits:
                scored.append((similarity - 0.1 * distance, self.counts[candidate], candidate))
        scored.sort(reverse=True)
        return [c for _, _, c in scored[:limit]]
