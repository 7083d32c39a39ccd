"""A light stemmer for Ukrainian and Russian: strips inflection, keeps the root recognisable.

Measured against full lemmatisation on the uk-dev set, stems plus prefix matching found the
same products without a dictionary of word forms (see docs/search.md). Product texts and
queries go through the same function, so a stem only has to be consistent, not pretty.
"""

from __future__ import annotations

import re

# Noun, adjective and participle endings of both languages, longest first.
_SUFFIXES = sorted(
    {
        # Ukrainian
        "ами", "ями", "ах", "ях", "ові", "еві", "єві", "ом", "ем", "єм", "ою", "ею", "єю", "ів", "їв",
        "ого", "ього", "ому", "ьому", "ої", "ьої", "ій", "ий", "их", "іх", "ім", "им", "ими", "іми",
        "ая", "яя", "ую", "юю", "а", "я", "о", "е", "є", "и", "і", "ї", "у", "ю", "ь", "й",
        # Russian
        "ов", "ев", "ей", "ия", "ие", "ый", "ой", "ое", "ее", "ые", "его", "ему", "ых", "ым", "ыми",
        "ы", "ью", "ья", "ье",
    },
    key=len,
    reverse=True,
)  # fmt: skip
_MIN_STEM = 3
# Zero-ending genitive plurals insert a vowel: сосиска → сосисок, крильце → крилець.
_FLEETING = re.compile(r"(?<=[^аеєиіїоуюяыэ])(ок|ек|ець)$")
_CYRILLIC_WORD = re.compile(r"^[а-яіїєґёыэъ]+$")


def stem(word: str) -> str:
    """The stem of one folded word; non-Cyrillic words and short words come back unchanged."""
    if len(word) <= _MIN_STEM or not _CYRILLIC_WORD.match(word):
        return word
    if len(word) >= 6 and _FLEETING.search(word):  # noqa: PLR2004 - short words (урок) keep their vowel
        return _FLEETING.sub(lambda m: "ьц" if m.group(1) == "ець" else m.group(1)[-1], word)
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word
