"""Words of a message and of a product, and whether they name the same thing.

The offline layer never keeps its own product vocabulary: a phrase is understood against the
products search returned, by comparing stems (`core.query.stem`), the search dictionary's
English→Ukrainian words and transliteration. Messages typed in Latin letters are read three ways
(English, Ukrainian transliteration, the wrong keyboard layout) and the reading that explains the
most words wins.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from vizochok.adapters.llm.offline.lexicon import TRANSLIT
from vizochok.adapters.llm.offline.vocabulary import PLURAL_OVER, translate
from vizochok.core.query.dictionary import Dictionary
from vizochok.core.query.fold import fold, is_latin
from vizochok.core.query.script import (
    cyrillic_plausibility,
    layout_to_russian,
    layout_to_ukrainian,
    to_cyrillic,
    to_latin,
)
from vizochok.core.query.stem import stem

WORD = re.compile(r"\d+(?:[.,]\d+)?%?|[^\W\d_]+(?:['’-][^\W\d_]+)*")
_MIN_PREFIX = 4
# Words this long get a consonant skeleton: shorter ones would make skeletons that match anything.
_SKELETON_MIN = 4
# Words this long may match one typo apart; shorter words one letter apart are different words (сир / сік).
_TYPO_MIN = 5
# Stems this long may match up to the і/о alternation (кріп / кропу).
_ALTERNATION_MIN = 3
# Reading a Latin-letter message: a transliteration is likely when its Cyrillic looks this much like real
# words and fewer than this share of the words are English ...
_TRANSLIT_PLAUSIBLE = 0.4
_ENGLISH_FEW = 0.5
# ... and a wrong keyboard layout when the layout's Cyrillic looks like words while the Latin, read as
# Cyrillic, does not (consonant runs such as "ghjlerns").
_LAYOUT_PLAUSIBLE = 0.45
_LATIN_IMPLAUSIBLE = 0.35


@lru_cache(maxsize=1)
def dictionary() -> Dictionary:
    """The search's base dictionary (English and Russian words to Ukrainian ones)."""
    return Dictionary()


def words(text: str) -> list[str]:
    """Folded words and numbers of a text, apostrophes kept inside words."""
    return WORD.findall(fold(text).replace("’", "'"))


@lru_cache(maxsize=20_000)
def forms(word: str) -> frozenset[str]:
    """Stems a word may stand for: itself, its Ukrainian translations, its transliteration."""
    word = word.replace("'", "")
    out = {stem(word)}
    for translated in translate(word):
        out.add(stem(translated) if not is_latin(translated) else translated)
    if is_latin(word):
        out.add(stem(to_cyrillic(word)))
        for translated in dictionary().lookup(word):
            out.update(stem(w) for w in words(translated))
        if word.endswith("s") and len(word) > PLURAL_OVER:
            for translated in dictionary().lookup(word[:-1]):
                out.update(stem(w) for w in words(translated))
    else:
        for translated in dictionary().lookup(word):  # Russian words the dictionary knows
            out.update(stem(w) for w in words(translated))
    if len(word) >= _SKELETON_MIN:
        out.add(skeleton(word))
    return frozenset(f for f in out if f)


def skeleton(word: str) -> str:
    """Consonants of a word's Latin spelling, so brands match across scripts (`принглс` ~ `pringles`)."""
    latin = to_latin(word.replace("г", "ґ")) if not is_latin(word) else word
    latin = (
        latin.replace("ck", "k")
        .replace("c", "k")
        .replace("w", "v")
        .replace("ph", "f")
        .replace("q", "k")
        .replace("x", "ks")
    )
    return "~" + re.sub(r"[aeiouyh'\-]", "", latin)


def _one_edit(a: str, b: str) -> bool:
    """One letter substituted, dropped or added (typos such as «сасиски»)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def stems_match(a: str, b: str) -> bool:  # noqa: PLR0911 - one return per way two stems may match
    """Equal stems, one a prefix of the other, one typo apart, or equal up to the і/о alternation (кріп/кропу)."""
    if a == b:
        return True
    if a.startswith("~") != b.startswith("~"):
        return False
    if a.startswith("~"):
        short, long_ = (a, b) if len(a) <= len(b) else (b, a)
        return len(short) >= _MIN_PREFIX + 1 and long_.startswith(short)
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= _MIN_PREFIX - (1 if len(short) == len(long_) - 1 else 0) and long_.startswith(short):
        return True
    if len(short) >= _TYPO_MIN and _one_edit(a, b):
        return True
    # Derived forms keep the root but change its end (гречка / гречана, молочко / молочні).
    common = len(os.path.commonprefix([a, b]))  # noqa: RUF071 - words, not paths: a letter prefix is meant
    if common >= _MIN_PREFIX and common >= 0.8 * len(short):
        return True
    return len(short) >= _ALTERNATION_MIN and a.replace("і", "о") == b.replace("і", "о")


@dataclass(frozen=True)
class ProductText:
    """What a product's words are, for matching phrases against it."""

    type_stems: frozenset[str]
    """The name's first word and the last category level: what the product *is*."""
    name_type: frozenset[str]
    """The name's first word alone: a stronger type than a category that names two («Яблука та груші»)."""
    stems: frozenset[str]
    """Every word of the name, brand and category path."""
    numbers: frozenset[str]
    """Numbers of the name as written with a dot ("2.5", "1.8", "82.5")."""
    name_stems: tuple[str, ...]
    """The name's words in order (numbers and units left out)."""
    identity: frozenset[str]
    """Words that say what the product is: the name up to its first preposition, and the brand.

    "Корм для котів з куркою" is cat food, not chicken; «Сир Сулугуні» is suluguni.
    """


_PREPOSITIONS = {"з", "зі", "із", "с", "со", "для", "в", "у", "with", "for", "in", "до", "під", "на"}


_UNIT_WORDS = {"г", "кг", "мл", "л", "шт", "уп", "пак", "пакетиків", "ваговий", "фасовані", "фасований"}


@lru_cache(maxsize=20_000)
def _product_text(name: str, brand: str, category: str) -> ProductText:
    name_words = list(words(name))
    cat_levels = [c.strip() for c in category.split(">") if c.strip()]
    type_words = [name_words[0]] if name_words else []
    if cat_levels:
        type_words += words(cat_levels[-1])
    plain = [w for w in name_words if not w[0].isdigit() and w not in _UNIT_WORDS]
    all_words = plain + words(brand) + [w for level in cat_levels for w in words(level)]
    stems = {stem(w.replace("'", "")) for w in all_words} | {stem(to_latin(w)) for w in words(brand)}
    stems |= set(words(to_latin(brand)))
    stems |= {
        skeleton(w)
        for w in plain + words(brand)
        if (len(w) >= _SKELETON_MIN and is_latin(w)) or w in words(brand.casefold())
    }
    numbers = {w.rstrip("%").replace(",", ".") for w in name_words if w[0].isdigit()}
    head = []
    for w in plain:
        if w in _PREPOSITIONS:
            break
        head.append(w)
    identity = {stem(w.replace("'", "")) for w in head + words(brand)}
    identity |= {
        skeleton(w)
        for w in head + words(brand)
        if len(w) >= _SKELETON_MIN and (is_latin(w) or w in words(brand))
    }
    return ProductText(
        name_type=frozenset(stem(w.replace("'", "")) for w in name_words[:1] if not w[0].isdigit()),
        identity=frozenset(identity),
        type_stems=frozenset(stem(w.replace("'", "")) for w in type_words if not w[0].isdigit()),
        stems=frozenset(stems),
        numbers=frozenset(numbers),
        name_stems=tuple(stem(w.replace("'", "")) for w in plain),
    )


def product_text(offer: dict[str, Any]) -> ProductText:
    """The matching view of a search result or a cart line."""
    return _product_text(offer.get("name") or "", offer.get("brand") or "", offer.get("category") or "")


def word_in(word: str, stems: frozenset[str] | tuple[str, ...]) -> bool:
    """Whether a message word names one of `stems`."""
    return any(stems_match(f, s) for f in forms(word) for s in stems)


def _known_latin(word: str, known: frozenset[str]) -> bool:
    return word in known or bool(dictionary().lookup(word))


def read_latin(text: str, known_cyrillic: frozenset[str], known_english: frozenset[str]) -> tuple[str, str]:
    """A Latin-letter message as (text to understand, language): English, transliterated or wrong-layout Ukrainian.

    Each reading is scored by the words it explains (the offline lexicon and the dictionary) and
    by how much its Cyrillic looks like real words; English wins ties, since it needs no guess.
    """
    folded = fold(text)
    latin_words = re.findall(r"[a-z']+", folded)
    if not latin_words:
        return text, "en"
    english = sum(_known_latin(w, known_english) for w in latin_words) / len(latin_words)
    translit_known = sum(
        w in TRANSLIT or bool(_translit_lexicon(known_cyrillic).get(w)) for w in latin_words
    ) / len(latin_words)
    layout = _layout(folded)
    layout_words = re.findall(r"[а-яіїєґ']+", layout)
    layout_score = (
        (sum(cyrillic_plausibility(w) for w in layout_words) / len(layout_words)) if layout_words else 0.0
    )
    layout_known = sum(w in known_cyrillic for w in layout_words) / max(1, len(layout_words))
    # Layout text has punctuation keys inside words (",", ";", "[") and is full of consonant runs as Latin.
    latin_plausibility = sum(cyrillic_plausibility(to_cyrillic(w)) for w in latin_words) / len(latin_words)
    candidates = [
        (english + 0.05, folded, "en"),
        (
            translit_known * 1.0
            + (0.2 if latin_plausibility > _TRANSLIT_PLAUSIBLE and english < _ENGLISH_FEW else 0.0),
            _translit(folded, known_cyrillic),
            "uk",
        ),
        (
            layout_known
            + (0.5 if layout_score > _LAYOUT_PLAUSIBLE and latin_plausibility < _LATIN_IMPLAUSIBLE else 0.0),
            layout,
            "uk",
        ),
    ]
    score, reading, lang = max(candidates, key=lambda c: c[0])
    return (reading, lang) if score > 0 else (folded, "en")


def _layout(folded: str) -> str:
    uk = layout_to_ukrainian(folded)
    ru = layout_to_russian(folded)

    def score(text: str) -> float:
        return sum(cyrillic_plausibility(w) for w in re.findall(r"[а-яіїєёыэъ']+", text))

    return uk if score(uk) >= score(ru) else ru


@lru_cache(maxsize=8)
def _translit_lexicon(known_cyrillic: frozenset[str]) -> dict[str, str]:
    """Lexicon words by their Latin spelling (`dodai` → `додай`), so informal transliteration finds them."""
    out: dict[str, str] = {}
    for word in known_cyrillic:
        latin = to_latin(word)
        out.setdefault(latin, word)
        out.setdefault(latin.replace("ia", "ya").replace("iu", "yu").replace("ie", "ye"), word)
        out.setdefault(latin.replace("yi", "i"), word)
        out.setdefault(latin.replace("i", "j").replace("yj", "yi") if latin.endswith("i") else latin, word)
    return out


def _translit(folded: str, known_cyrillic: frozenset[str]) -> str:
    lexicon = _translit_lexicon(known_cyrillic)
    return " ".join(lexicon.get(w) or to_cyrillic(w) for w in folded.split())
