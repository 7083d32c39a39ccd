"""From a shopper's message to an utterance: what they want done, with which product phrases.

The order of the checks is the confidence order: conversation acts and things the shop cannot sell
first (never a search), then dishes and meal plans, then cart commands (clear, remove, change),
references to cards just shown, adding, and searching last. Each reading carries the reason it was
chosen, which the planner logs with its decision.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

from vizochok.adapters.llm.offline import lexicon as lx
from vizochok.adapters.llm.offline.quantities import (
    NUMBERS,
    WEAK_NUMBERS,
    Amount,
    Phrase,
    number_of,
    parse_phrase,
    unit_of,
)
from vizochok.adapters.llm.offline.recipes import Recipe, find_recipe
from vizochok.adapters.llm.offline.words import read_latin
from vizochok.core.query.fold import fold

if TYPE_CHECKING:
    from collections.abc import Sequence

_TOKEN = re.compile(r"\d+(?:[.,]\d+)?%?|[^\W\d_]+(?:[-][^\W\d_]+)*|[,;?!—–]")
_LATIN = re.compile(r"[a-z]")
_CYRILLIC = re.compile(r"[а-яіїєґё]")
_LAYOUT_CHARS = re.compile(r"[a-z][,.;\[\]'`][a-z]|[a-z][\[\];]|^[,.;\[\]]")
_SERVINGS = re.compile(
    r"(?:на|for|буде|будет)\s+(\d{1,2})\b"
    r"|(\d{1,2})\s*(?:порц|ос[іо]б|персон|людей|people|servings|persons|человек|едок|гост|guests)"
)
_SERVING_WORDS = {
    "two": 2,
    "двох": 2,
    "двоих": 2,
    "двоє": 2,
    "двое": 2,
    "троих": 3,
    "трьох": 3,
    "four": 4,
    "six": 6,
}
# «очисти все», "clear it": a clear verb with at most one more word clears the cart without naming it.
_BARE_CLEAR_WORDS = 2
# A message is worth a search when one of its product words has this many letters (or is a number).
_PRODUCT_WORD_LEN = 3
_DAYS = re.compile(r"(\d{1,2})\s*(?:дн|день|days?|дня|дней)")


class _Common(TypedDict):
    """The fields every reading of one message shares."""

    lang: str
    tokens: list[str]


@dataclass
class Utterance:
    """What one message asks for."""

    kind: str
    """`act`, `cart`, `clear`, `remove`, `update`, `add`, `add_ref`, `search`, `recipe` or `meal_plan`."""
    lang: str
    reason: str
    tokens: list[str] = field(default_factory=list)
    phrases: list[Phrase] = field(default_factory=list)
    act: str | None = None
    """`greet`, `thanks`, `abilities` or `off_topic` for conversation acts."""
    ref: int | str | None = None
    """A card by position (1-based, -1 for the last) or `cheapest` / `this`."""
    amount: Amount | None = None
    """A count or new quantity that is not tied to a phrase ("make it 6", «дві штуки»)."""
    increment: bool = False
    """«ще одну сметанку»: one more of a cart line."""
    keep: list[Phrase] = field(default_factory=list)
    """«все крім хліба»: cart lines to keep."""
    recipe: Recipe | None = None
    servings: int = 4
    days: int = 3


_AND_A_HALF = re.compile(r"\b(\w+) (?:and a half|з половиною|с половиной)\b")


def _and_a_half(match: re.Match[str]) -> str:
    value = number_of(match.group(1))
    return f"{value + 0.5:g}" if value is not None and value >= 1 else match.group(0)


def tokens_of(text: str) -> list[str]:
    """Folded tokens with punctuation that separates items kept as tokens ("one and a half" is 1.5)."""
    folded = _AND_A_HALF.sub(_and_a_half, fold(text).replace("'", "").replace("’", ""))
    return _TOKEN.findall(folded)


def reading(text: str) -> tuple[str, str | None]:
    """The text to understand and, for Latin-letter Ukrainian, the language it is really in."""
    folded = fold(text)
    latin = len(_LATIN.findall(folded))
    if latin and latin > len(_CYRILLIC.findall(folded)):
        known_cyr = frozenset(w for w in lx.LEXICON_WORDS if _CYRILLIC.search(w)) | frozenset(NUMBERS)
        known_en = frozenset(w for w in lx.LEXICON_WORDS - lx.TRANSLIT if not _CYRILLIC.search(w))
        known_en |= frozenset(w for w in NUMBERS if w.isascii())
        read, lang = read_latin(folded, known_cyr, known_en)
        return read, (lang if lang != "en" else None)
    return folded, None


def _has_phrase(text: str, phrases: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text) for p in phrases)


def split_phrases(tokens: list[str]) -> list[list[str]]:
    """Product phrases joined by commas, «і/та/й», "and"; a bare amount («2 пачки») belongs to the phrase before."""
    parts: list[list[str]] = [[]]
    for token in tokens:
        if token in lx.SEPARATORS or token in ("?", "!", "—", "–"):
            parts.append([])
        else:
            parts[-1].append(token)
    out: list[list[str]] = []
    for part in parts:
        words = [t for t in part if t not in lx.FILLER]
        if not words:
            continue
        only_amount = all(number_of(w) is not None or unit_of(w) is not None or w == "of" for w in words)
        if only_amount and out:
            out[-1] = out[-1] + words
        else:
            out.append(words)
    return out


def _product_phrases(tokens: list[str], drop: frozenset[str]) -> list[Phrase]:
    phrases = [parse_phrase([t for t in part if t not in drop]) for part in split_phrases(tokens)]
    return [p for p in phrases if p.words]


def _servings(text: str) -> int:
    match = _SERVINGS.search(text)
    if match:
        return max(1, min(int(match.group(1) or match.group(2)), 30))
    for word, count in _SERVING_WORDS.items():
        if re.search(rf"\b(?:for|на|для) {word}\b", text):
            return count
    return 4


def _amount_alone(tokens: list[str]) -> Amount | None:
    """A count said apart from any product: «дві штуки», "two of", «три штуки»."""
    for i, token in enumerate(tokens):
        value = number_of(token)
        # "the cheapest one": a weak number word is a pronoun here; the default is one anyway.
        if value is not None and token not in WEAK_NUMBERS:
            unit = unit_of(tokens[i + 1]) if i + 1 < len(tokens) else None
            return Amount(value, unit if unit in ("kg", "g", "l", "ml") else None)
    return None


def _new_quantity(tokens: list[str]) -> Amount | None:  # noqa: C901 - one rule per phrasing, read top to bottom
    """The quantity a line should get: after «не … а», "not … but", before «замість», after "to", else the last."""
    numbers = []
    for i, token in enumerate(tokens):
        value = number_of(token)
        if value is None or token in ("a", "an"):
            continue
        unit = None
        for nxt in tokens[i + 1 : i + 3]:
            unit = unit_of(nxt)
            if unit:
                break
        if unit is None and i > 0:
            unit = unit_of(tokens[i - 1])  # «граммов 500»
        numbers.append((i, Amount(value, unit if unit not in ("pack", "pcs") else None)))
    if not numbers:
        return None
    for marker in ("замість", "вместо", "instead"):
        if marker in tokens:
            before = [a for i, a in numbers if i < tokens.index(marker)]
            if before:
                return before[-1]
    for i, token in enumerate(tokens):
        if token in ("to", "до") and any(j > i for j, _ in numbers):
            return next(a for j, a in numbers if j > i)
    return numbers[-1][1]


def understand(  # noqa: C901, PLR0911, PLR0912, PLR0915 - the checks in confidence order are the decision
    text: str, lang: str | None, has_cards: bool, has_cart: bool, recipes: Sequence[Recipe] = ()
) -> Utterance:
    """Read one message. `lang` is the conversation's language; Latin-letter Ukrainian switches it to uk.

    `recipes` are the tenant's own dishes, on top of the deployment's recipe book.
    """
    read, script_lang = reading(text)
    lang = script_lang or lang or "uk"
    tokens = tokens_of(read)
    words = [t for t in tokens if t[0].isalnum()]
    joined = " ".join(words)
    wordset = set(words)
    base: _Common = {"lang": lang, "tokens": tokens}

    if not words:
        return Utterance(kind="act", act="greet", reason="an empty message", **base)
    if wordset & lx.OFF_TOPIC:
        return Utterance(
            kind="act",
            act="off_topic",
            reason=f"not sold in a grocery shop: {sorted(wordset & lx.OFF_TOPIC)}",
            **base,
        )

    if _has_phrase(joined, lx.MEAL_PLAN):
        days = _DAYS.search(joined)
        count = int(days.group(1)) if days else (7 if wordset & lx.WEEK else 3)
        return Utterance(
            kind="meal_plan", days=max(1, min(count, 7)), reason="a meal plan was asked for", **base
        )
    recipe = find_recipe(joined, recipes)
    if recipe is not None and (wordset & lx.RECIPE_CUES or "?" in tokens):
        return Utterance(
            kind="recipe",
            recipe=recipe,
            servings=_servings(joined),
            reason=f"the dish {recipe.key} with a recipe cue",
            **base,
        )

    add_verb = bool(wordset & lx.ADD)
    remove_verb = bool(wordset & lx.REMOVE) or _has_phrase(joined, lx.REMOVE_PHRASES)
    if "after all" in joined:  # "no bananas after all" is not "all"
        wordset = wordset - {"all"}
    clear_verb = bool(wordset & lx.CLEAR_VERBS)
    drop = (
        lx.ADD
        | lx.REMOVE
        | lx.CLEAR_VERBS
        | lx.UPDATE
        | lx.UPDATE_MARKERS
        | lx.SEARCH
        | lx.INCREMENT
        | lx.QUESTION
    )
    drop |= frozenset(w for p in lx.REMOVE_PHRASES for w in p.split()) | frozenset(
        {"не", "not", "no", "nope", "тебе", "ти"}
    )

    if (
        (clear_verb and (wordset & (lx.ALL_WORDS | lx.CART_WORDS) or len(words) <= _BARE_CLEAR_WORDS))
        or _has_phrase(joined, lx.START_OVER)
        or (remove_verb and wordset & lx.ALL_WORDS and not wordset & lx.EXCEPT)
    ):
        return Utterance(kind="clear", reason="clear the cart", **base)
    if remove_verb and wordset & lx.ALL_WORDS and wordset & lx.EXCEPT:
        after = tokens[next(i for i, t in enumerate(tokens) if t in lx.EXCEPT) + 1 :]
        return Utterance(
            kind="remove", keep=_product_phrases(after, drop), reason="remove all but some lines", **base
        )

    ordinal = next((lx.ORDINALS[w] for w in words if w in lx.ORDINALS), None)
    cheapest = bool(wordset & lx.CHEAPEST) and (
        "самый" not in wordset or wordset & {"дешевый", "дешёвый", "дешевую", "дешёвую", "дешевое"}
    )
    if has_cards and (ordinal is not None or cheapest):
        ref: int | str = "cheapest" if cheapest else ordinal  # type: ignore[assignment]
        rest = [t for t in tokens if t not in lx.ORDINALS and t not in lx.CHEAPEST]
        return Utterance(
            kind="add_ref", ref=ref, amount=_amount_alone(rest), reason=f"a card shown before: {ref}", **base
        )

    if has_cart and remove_verb:
        return Utterance(
            kind="remove", phrases=_product_phrases(tokens, drop), reason="a remove verb", **base
        )
    not_but = any(a in wordset and b in wordset for a, b in lx.NOT_BUT)
    has_number = any(number_of(w) is not None and w not in ("a", "an") for w in words)
    if (
        has_cart
        and (wordset & lx.UPDATE or wordset & lx.UPDATE_MARKERS or not_but)
        and has_number
        and not add_verb
    ):
        phrases = _product_phrases([t for t in tokens if number_of(t) is None and not unit_of(t)], drop)
        return Utterance(
            kind="update",
            phrases=phrases,
            amount=_new_quantity(tokens),
            reason="a new quantity for a cart line",
            **base,
        )
    if has_cart and wordset & lx.INCREMENT and not wordset & lx.SEARCH:
        phrases = _product_phrases([t for t in tokens if t not in lx.INCREMENT], drop)
        return Utterance(kind="update", increment=True, phrases=phrases, amount=_amount_alone(tokens) or Amount(1.0),
                         reason="one more of a cart line", **base)  # fmt: skip

    search_cue = bool(wordset & lx.SEARCH) or "?" in tokens
    if (
        (wordset & lx.CART_WORDS or wordset & lx.TOTAL_WORDS)
        and (wordset & lx.QUESTION or "?" in tokens)
        and not add_verb
    ):
        return Utterance(kind="cart", reason="a question about the cart", **base)
    act = None
    if _has_phrase(joined, lx.ABILITIES):
        act = "abilities"
    elif wordset & lx.THANKS or _has_phrase(joined, lx.THANKS_PHRASES):
        act = "thanks"
    elif wordset & lx.GREET or _has_phrase(joined, lx.GREET_PHRASES):
        act = "greet"
    phrases = _product_phrases(tokens, drop)
    amounts = any(p.amount is not None for p in phrases)
    if act is not None and not add_verb and not amounts and not search_cue:
        return Utterance(kind="act", act=act, reason=f"a conversation act: {act}", **base)
    if (
        add_verb
        or (amounts and not search_cue)
        or (len(phrases) > 1 and not search_cue and not wordset & lx.ALTERNATIVES)
    ):
        return Utterance(
            kind="add", phrases=phrases, reason="an add verb" if add_verb else "products with amounts", **base
        )
    if act is not None:
        return Utterance(kind="act", act=act, reason=f"a conversation act: {act}", **base)
    if not phrases or not any(
        len(w) >= _PRODUCT_WORD_LEN or w[0].isdigit() for p in phrases for w in p.words
    ):
        return Utterance(kind="act", act="unclear", reason="no product words", **base)
    return Utterance(kind="search", phrases=phrases, reason="a product phrase to look up", **base)
