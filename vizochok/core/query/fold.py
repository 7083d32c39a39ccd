"""Folding: one spelling for every way a shopper or a retailer may type the same word.

Applied identically to product texts at indexing time and to queries, so that the engines only
ever compare folded forms.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = "'’ʼ`‘´′"
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")
_TOKEN = re.compile(r"[\w'%.,]+")
_SPACE = re.compile(r"\s+")
_STRESS = "\u0301\u0300"

# Latin letters that look like Cyrillic ones. Pasted names and OCR'd labels mix them into
# Cyrillic words ("кефiр" with a Latin i); inside a Cyrillic word they can only be that.
_LATIN_TO_CYRILLIC = str.maketrans("aceiopxykmthb", "асеіорхукмтнв")
_CYRILLIC_TO_LATIN = str.maketrans("асеіорхукмтнв", "aceiopxykmthb")

# Letters shoppers routinely drop or swap: ґ is typed as г, ё as е; apostrophes are often left out
# (м'ясо / мясо), so they are removed rather than unified.
_LETTERS = str.maketrans({"ґ": "г", "ё": "е", **dict.fromkeys(_APOSTROPHES, "")})


def _fix_mixed(word: str) -> str:
    """Map look-alike letters to the script that dominates a mixed-script word."""
    cyr = len(_CYRILLIC.findall(word))
    lat = len(_LATIN.findall(word))
    if not cyr or not lat:
        return word
    if cyr >= lat:
        return word.translate(_LATIN_TO_CYRILLIC)
    return word.translate(_CYRILLIC_TO_LATIN)


def _strip_accents(text: str) -> str:
    """Drop stress marks (молоко́) and accents on Latin letters (café), keep й and ї."""
    out: list[str] = []
    for c in unicodedata.normalize("NFD", text):
        if unicodedata.combining(c) and (c in _STRESS or (out and out[-1].isascii())):
            continue
        out.append(c)
    return "".join(out)


def fold(text: str) -> str:
    """Case, Unicode compatibility forms, look-alike letters, apostrophes and white space, folded."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFC", _strip_accents(text))
    text = _TOKEN.sub(lambda m: _fix_mixed(m.group(0)), text)
    return _SPACE.sub(" ", text.translate(_LETTERS)).strip()


def is_cyrillic(word: str) -> bool:
    """Whether a word contains Cyrillic letters."""
    return bool(_CYRILLIC.search(word))


def is_latin(word: str) -> bool:
    """Whether a word has Latin letters and no Cyrillic ones."""
    return bool(_LATIN.search(word)) and not _CYRILLIC.search(word)
