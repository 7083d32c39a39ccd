"""Query understanding: one folded query becomes the readings each search leg needs.

Every Latin word is also read as Ukrainian transliteration and, when that looks like a real
word, as Ukrainian or Russian typed on the English layout; English and Russian words add
their Ukrainian translations; dishes and occasions add what they need. The lexical legs
match any reading (the catalog itself tells which reading was meant); the vector leg embeds
the single most plausible one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from vizochok.core.query.dictionary import Dictionary
from vizochok.core.query.fold import fold, is_cyrillic, is_latin
from vizochok.core.query.language import ENGLISH_STOPWORDS, english_stem
from vizochok.core.query.learned import PURPOSE_WORDS, SUBSTITUTE_WORDS
from vizochok.core.query.script import (
    cyrillic_plausibility,
    layout_to_english,
    layout_to_russian,
    layout_to_ukrainian,
    to_cyrillic,
    to_latin,
)
from vizochok.core.query.stem import stem
from vizochok.core.query.units import Quantity, bare_numbers, quantities, strip_quantities

if TYPE_CHECKING:
    from vizochok.core.query.learned import LearnedNeeds
    from vizochok.core.query.vocabulary import Vocabulary

STOPWORDS = (
    frozenset(
        [
            "для",
            "до",
            "з",
            "із",
            "зі",
            "в",
            "у",
            "на",
            "і",
            "й",
            "та",
            "або",
            "що",
            "щось",
            "якийсь",
            "якесь",
            "якась",
            "хочу",
            "треба",
            "купити",
            "мені",
            "мене",
            "будь",
            "ласка",
            "вдома",
            "с",
            "со",
            "и",
            "или",
            "что",
            "нибудь",
            "хочу",
            "надо",
            "купить",
            "мне",
        ]
    )
    | ENGLISH_STOPWORDS
)
"""Words that carry no product meaning in a shopping query."""
_PURPOSE_BEFORE = frozenset({"для", "до", "під", "на", "щось", "что", "к", "for", "to"})
"""A word of purpose right before a dish that is also a product: "до кави" wants what goes with coffee."""
_PURPOSE_ANYWHERE = frozenset(
    {
        "вдома",
        "домашня",
        "домашній",
        "приготувати",
        "зробити",
        "рецепт",
        "інгредієнти",
        "ingredients",
        "recipe",
    }
)
"""Words that make every dish in the query a recipe: "піца вдома", "приготувати плов"."""
_WORD = re.compile(r"[\w']+")
_CODE = re.compile(r"^[\w-]*\d[\w-]*$")
_LAYOUT_MIN = 0.5
_TRANSLIT_MIN = 0.6
# Keys that sit where Ukrainian letters are (б ю ж х ї є); inside a Latin token they betray the wrong layout.
_LAYOUT_TOKEN = re.compile(r"^(?=.*[a-z])(?:[,.;\[\]][a-z,.;\[\]]*|[a-z]+[,.;\[\]][a-z,.;\[\]]*[a-z])$")


@dataclass(frozen=True)
class QueryAnalysis:
    """Everything the legs need from one query."""

    text: str
    """The folded query."""
    groups: tuple[tuple[str, ...], ...] = ()
    """Per query word, the index terms of each of its readings (any may match)."""
    needs: tuple[tuple[str, ...], ...] = ()
    """What a dish or an occasion needs ("плов" → рис, морква…): each need's index terms, all required."""
    readings: tuple[str, ...] = ()
    """Whole-query spellings for fuzzy matching, the folded query first."""
    vector_text: str = ""
    """The most plausible reading, to embed."""
    codes: tuple[str, ...] = ()
    """Tokens that may be a SKU or a barcode."""
    quantities: tuple[Quantity, ...] = field(default_factory=tuple)
    numbers: tuple[str, ...] = ()


def term(word: str) -> str:
    """The index term of one folded word: the uk/ru stem of a Cyrillic word, the English stem of a Latin one."""
    return english_stem(word) if word.isascii() else stem(word)


def index_terms(text: str) -> list[str]:
    """The terms a product text is indexed under: stems, amounts and numbers of the folded text.

    English stop words are dropped ("with", "of", "the"): in an English name they only add
    noise to ranking, and no Cyrillic or transliterated product word is spelt like one.
    """
    folded = fold(text)
    amounts = quantities(folded)
    words = _WORD.findall(strip_quantities(folded).replace("'", ""))
    terms = [term(w) for w in words if w not in ENGLISH_STOPWORDS]
    terms += [q.token for q in amounts]
    terms += bare_numbers(folded) + [q.token.removesuffix(q.unit) for q in amounts]
    return terms


@lru_cache(maxsize=65_536)
def word_terms(text: str) -> tuple[str, ...]:
    """The index terms of a text's words, in the text's order.

    `index_terms` without the amounts and numbers it appends, so a name's first and last terms are
    its first and last words (where the head noun is: first in Ukrainian, last in English).
    """
    return tuple(t for t in index_terms(text) if not t[:1].isdigit())


def _latin_readings(word: str, dictionary: Dictionary) -> tuple[list[str], str]:
    """Readings of a Latin word, and the one to embed."""
    cyrillic = to_cyrillic(word)
    readings = [word, cyrillic]
    translated = dictionary.lookup(word)
    readings += translated
    # Multilingual vectors read Ukrainian far better than transliterated or rare English words.
    best_score = cyrillic_plausibility(cyrillic)
    best = " ".join(translated) if translated else cyrillic if best_score >= _TRANSLIT_MIN else word
    translit_score = best_score
    for layout in (layout_to_ukrainian(word), layout_to_russian(word)):
        score = cyrillic_plausibility(layout)
        if (score >= _LAYOUT_MIN or score > translit_score) and layout not in readings:
            readings.append(layout)
            readings += dictionary.lookup(layout)
            if score > best_score and score >= _LAYOUT_MIN and not translated:
                best, best_score = layout, score
    return readings, best


def _cyrillic_readings(word: str, dictionary: Dictionary) -> list[str]:
    readings = [word, to_latin(word), *dictionary.lookup(word)]
    english = layout_to_english(word)
    readings += dictionary.lookup(english)  # "ьшдл": English typed on the Cyrillic layout
    return readings


def analyze(  # noqa: C901, PLR0912 - one pass over the words, each reading rule in order; split, they would scatter
    text: str,
    dictionary: Dictionary | None = None,
    language: str = "uk",
    vocabulary: Vocabulary | None = None,
    learned: LearnedNeeds | None = None,
    *,
    merge: bool = False,
) -> QueryAnalysis:
    """Read a shopper's query every plausible way, for a catalog written mostly in `language`.

    For an English catalog the vector leg embeds English words as typed (their Ukrainian
    translations would only move the query away from English product texts), and the dish
    table, whose needs are Ukrainian phrases, is not used. With the tenant's `vocabulary`, a word
    none of whose readings the catalog knows is also read as the catalog words it is probably a
    typo of ("oganic" → organic), and the vector leg embeds the correction. With the needs
    `learned` from the tenant's catalog, a word after a word of purpose or of substitution
    («для сніданку», «замінник молока») that the table does not know asks for the products
    whose texts say they are for it, or are without it (`core/query/learned.py`); with `merge`
    they are also added after the table's needs for a word the table knows.
    """
    dictionary = dictionary or Dictionary()
    folded = " ".join(_fix_layout_token(t) for t in fold(text).split())
    amounts = tuple(quantities(folded))
    numbers = tuple(bare_numbers(folded))
    raw_words = _WORD.findall(strip_quantities(folded).replace("'", ""))
    cooking = any(w in _PURPOSE_ANYWHERE for w in raw_words)
    groups: list[tuple[str, ...]] = []
    needs: list[tuple[str, ...]] = []
    need_phrases: list[str] = []
    vector_words: list[tuple[str, str]] = []
    readings_per_word: list[list[str]] = []
    for index, word in enumerate(raw_words):
        # One letter is noise in Ukrainian ("в", "з" are stop words anyway) but part of an English
        # name: "Special K", "Vitamin C", "K-Cups" (en-dev: "special k" fell to sake and cheese).
        letter = len(word) < 2 and not word.isdigit()  # noqa: PLR2004
        if word in STOPWORDS or (letter and not (language == "en" and is_latin(word))):
            continue
        if is_latin(word):
            readings, best = _latin_readings(word, dictionary)
            if language == "en":
                best = word
        elif is_cyrillic(word):
            readings, best = _cyrillic_readings(word, dictionary), word
        else:
            readings, best = [word], word
        if vocabulary is not None and len(vocabulary) and not _known(readings, vocabulary):
            corrections = vocabulary.correct(word)
            readings += corrections
            if corrections and best in (word, readings[1] if len(readings) > 1 else word):
                best = corrections[0]
        # Only the word right before counts: "кава на сніданок" still wants coffee.
        purpose = cooking or (index > 0 and raw_words[index - 1] in _PURPOSE_BEFORE)
        extra = (
            ()
            if language == "en"
            else _needs(word, dictionary, purpose)
            or (_needs(best, dictionary, purpose) if best != word else ())
        )
        searched = (groups, readings_per_word, vector_words)
        extra = (
            _add_learned(extra, raw_words, index, readings, learned=learned, searched=searched)
            if learned and (not extra or merge)
            else extra
        )
        if extra:
            # "для вареників" asks for flour and eggs, not for dumplings: the word itself is not searched.
            needs += [tuple(t for t in index_terms(r) if t not in STOPWORDS) for r in extra]
            need_phrases += extra
            continue
        groups.append(tuple(dict.fromkeys(t for r in readings for t in index_terms(r))))
        readings_per_word.append(readings)
        vector_words.append((word, best))
    codes = tuple(w for w in folded.split() if _CODE.match(w) and sum(c.isdigit() for c in w) >= 3)  # noqa: PLR2004
    groups += [(q.token,) for q in amounts] + [(n,) for n in numbers if n not in codes]
    readings = [" ".join(r[0] for r in readings_per_word)] if need_phrases else [folded]
    for position in (1, 2):  # the transliterated and the layout reading, when a word had them
        alternative = " ".join(
            r[position] if len(r) > position and is_cyrillic(r[position]) else r[0] for r in readings_per_word
        )
        if alternative and alternative not in readings:
            readings.append(alternative)
    vector_text = folded
    if needs:  # a dish or an occasion: its groceries are what the vector should look like
        vector_text = ", ".join(dict.fromkeys(need_phrases))
    for word, best in vector_words:
        if best != word:
            vector_text = re.sub(rf"\b{re.escape(word)}\b", best, vector_text)
    return QueryAnalysis(
        text=folded,
        groups=tuple(g for g in groups if g),
        needs=tuple(dict.fromkeys(n for n in needs if n)),
        readings=tuple(r for r in readings[:3] if r.strip()),
        vector_text=vector_text if vector_text.strip() else folded,
        codes=codes,
        quantities=amounts,
        numbers=numbers,
    )


def _known(readings: list[str], vocabulary: Vocabulary) -> bool:
    """Whether the catalog has any single-word reading of a query word, in any of its forms."""
    return any(vocabulary.knows(r, term(r)) for r in readings if r and " " not in r)


def _fix_layout_token(token: str) -> str:
    """`rjd,fcf` is one word typed on the wrong layout, not two words and a comma."""
    if _LAYOUT_TOKEN.match(token):
        layout = layout_to_ukrainian(token)
        if cyrillic_plausibility(layout) >= _LAYOUT_MIN:
            return layout
    return token


def _add_learned(
    extra: tuple[str, ...],
    words: list[str],
    index: int,
    readings: list[str],
    *,
    learned: LearnedNeeds,
    searched: tuple[list[tuple[str, ...]], list[list[str]], list[tuple[str, str]]],
) -> tuple[str, ...]:
    """`extra` with the catalog's learned needs of `words[index]` after it.

    Only before any product word («молоко без лактози», «сир для піци» name a product); a word of
    substitution right before («замінник молока») is then not searched itself.
    """
    groups, readings_per_word, vector_words = searched
    if any(w not in SUBSTITUTE_WORDS for w, _ in vector_words):
        return extra
    found = learned_needs(words, index, readings, learned)
    if found and vector_words and index > 0 and vector_words[-1][0] == words[index - 1]:
        groups.pop()
        readings_per_word.pop()
        vector_words.pop()
    return tuple(dict.fromkeys((*extra, *found)))


def learned_needs(
    words: list[str], index: int, readings: list[str], learned: LearnedNeeds
) -> tuple[str, ...]:
    """The catalog's own needs for `words[index]`.

    After a word of substitution, what lacks it; after a word of purpose, what is for it.
    "dairy-free", "milk alternative" mark the word before.
    """
    before = words[index - 1] if index > 0 else ""
    after = words[index + 1] if index + 1 < len(words) else ""
    terms = list(dict.fromkeys(term(r) for r in readings if r and " " not in r))
    if before in SUBSTITUTE_WORDS or (after in SUBSTITUTE_WORDS and is_latin(after)):
        found = next((n for t in terms if (n := learned.without_(t))), ())
        if found:
            return found
    if before in _PURPOSE_BEFORE or before in PURPOSE_WORDS:
        return next((n for t in terms if (n := learned.for_purpose(t))), ())
    return ()


def _needs(word: str, dictionary: Dictionary, purpose: bool) -> tuple[str, ...]:
    """What a word asks for when it names a dish or an occasion ("плов"), or "для"/"до" precedes it."""
    needs = dictionary.needs(word)
    if needs and (purpose or not dictionary.is_product(word)):
        return needs
    return ()
