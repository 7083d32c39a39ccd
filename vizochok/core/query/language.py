"""Which language a text is in, and the analysis each language's words get.

Product texts and queries are detected one text at a time (uk, ru, en): a Ukrainian catalog
has English brand names inside Ukrainian names, and an English catalog may still get a query in
Ukrainian. Cyrillic words go through the light uk/ru stemmer (`stem.py`); Latin words through
the English Snowball (Porter 2) stemmer, with English stop words dropped, the analysis
PostgreSQL's `english` configuration applies, in pure Python so every engine gets identical terms.
Both sides of a match (the product's terms and the query's) use the same function, so a
transliterated Ukrainian word ("moloko") stemmed as English still meets itself.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer  # type: ignore[import-untyped]  # ships no type information

ENGLISH_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
    ]
)
"""The usual English stop words (those of NLTK and PostgreSQL's `english` configuration)."""

_UKRAINIAN = re.compile(r"[іїєґ]")
_RUSSIAN = re.compile(r"[ыэъё]|(?:ое|ый|ые|ая|ой)\b")
"""Letters only Russian has, and adjective endings Ukrainian never writes (подсолнечное, сливочный)."""
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")
_ENGLISH = snowballstemmer.stemmer("english")


def detect_language(text: str) -> str:
    """`uk`, `ru` or `en` for a folded text by its letters; `""` when it has no letters at all.

    Cyrillic with letters only Ukrainian has (і ї є ґ) is Ukrainian, with letters only Russian has
    (ы э ъ ё) or its adjective endings (-ое, -ый, -ая) Russian, and neither (short words such as «молоко»)
    counts as Ukrainian, the platform's home language. Latin-dominant text is English: transliterated Ukrainian is read
    through its Cyrillic readings whatever this says.
    """
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    if not cyrillic and not latin:
        return ""
    if latin > cyrillic:
        return "en"
    return "ru" if len(_RUSSIAN.findall(text)) > len(_UKRAINIAN.findall(text)) else "uk"


@lru_cache(maxsize=65536)
def english_stem(word: str) -> str:
    """The Porter 2 stem of one folded Latin word (`strawberries` → `strawberri`); others unchanged."""
    if len(word) <= 2 or not word.isascii() or not word.isalpha():  # noqa: PLR2004
        return word
    stem: str = _ENGLISH.stemWord(word)
    return stem


def catalog_language(texts: list[str]) -> str:
    """The language most of a sample of product names is in (`uk` when undecided)."""
    counts: dict[str, int] = {}
    for text in texts:
        language = detect_language(text)
        if language:
            counts[language] = counts.get(language, 0) + 1
    return max(counts, key=lambda lang: (counts[lang], lang == "uk")) if counts else "uk"
