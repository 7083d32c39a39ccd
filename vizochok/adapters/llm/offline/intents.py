"""From a shopper's sentence to an intent with items, quantities and units."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vizochok.adapters.llm.offline.lexicon import (
    FILLER_WORDS,
    GREETINGS,
    MEAL_PLAN_CUES,
    RECIPE_CUES,
    WEEK_WORDS,
    NUMBER_WORDS,
    SEARCH_FILLER,
    SEPARATORS,
    UNITS,
    VERBS,
)
from vizochok.adapters.llm.offline.recipes import Recipe, find_recipe
from vizochok.core.search import normalize

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?%?|[^\s\d]+")


@dataclass
class Item:
    """One product the shopper mentioned."""

    query: str
    quantity: float | None = None
    unit: str | None = None
    """`kg`, `g`, `l`, `ml`, `pcs` or `dozen` when the shopper named one."""


@dataclass
class Intent:
    """What the shopper wants."""

    kind: str
    """`add`, `remove`, `update`, `clear`, `cart`, `search`, `recipe`, `meal_plan` or `greet`."""
    items: list[Item] = field(default_factory=list)
    recipe: Recipe | None = None
    servings: int = 4
    days: int = 3


def _strip_phrase(text: str, phrases: tuple[str, ...]) -> tuple[str | None, str]:
    for phrase in sorted(phrases, key=len, reverse=True):
        match = re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text)
        if match:
            return phrase, (text[: match.start()] + " " + text[match.end() :]).strip()
    return None, text


def _split(text: str) -> list[str]:
    parts = [text]
    for sep in SEPARATORS:
        parts = [piece for part in parts for piece in part.split(sep)]
    return [p.strip() for p in parts if p.strip()]


def _number(token: str) -> float | None:
    if token in NUMBER_WORDS:
        return float(NUMBER_WORDS[token])
    if _NUMBER.fullmatch(token):
        return float(token.replace(",", "."))
    return None


def parse_item(chunk: str) -> Item:
    """`"2 кг картоплі"` → Item("картоплі", 2, "kg"); a size inside the name ("900 мл") stays in the query.

    Only a number that opens the phrase, or a bare number that closes it, is a quantity.
    """
    tokens = _TOKEN.findall(chunk)
    quantity: float | None = None
    unit: str | None = None
    if tokens and (value := _number(tokens[0])) is not None:
        quantity, tokens = value, tokens[1:]
        if tokens and tokens[0] in UNITS:
            unit, tokens = UNITS[tokens[0]], tokens[1:]
    elif tokens and UNITS.get(tokens[0]) == "dozen":
        quantity, unit, tokens = 1.0, "dozen", tokens[1:]
    elif len(tokens) > 1 and _NUMBER.fullmatch(tokens[-1]):
        quantity, tokens = float(tokens[-1].replace(",", ".")), tokens[:-1]
    rest = [t for t in tokens if t not in FILLER_WORDS]
    return Item(query=" ".join(rest).strip(" .!?"), quantity=quantity, unit=unit)


_SERVINGS = re.compile(r"(?:на|for)\s+(\d{1,2})\s*(?:порц|ос[іо]б|персон|людей|people|servings|persons|человек|едок)")
_DAYS = re.compile(r"(\d{1,2})\s*(?:дн|день|days?|дня|дней)")


def _meal_or_recipe(folded: str) -> Intent | None:
    if any(cue in folded for cue in MEAL_PLAN_CUES):
        days = _DAYS.search(folded)
        count = int(days.group(1)) if days else (7 if any(w in folded for w in WEEK_WORDS) else 3)
        return Intent(kind="meal_plan", days=max(1, min(count, 7)))
    recipe = find_recipe(folded)
    # A dish name alone ("вареники") is a product search: frozen varenyky are sold too.
    if recipe is not None and any(cue in folded for cue in RECIPE_CUES):
        servings = _SERVINGS.search(folded)
        return Intent(kind="recipe", recipe=recipe, servings=int(servings.group(1)) if servings else 4)
    return None


def parse_intent(text: str) -> Intent:
    """The intent of one message."""
    folded = normalize(text).strip(" .!?")
    planned = _meal_or_recipe(folded)
    if planned is not None:
        return planned
    for kind in ("clear", "cart", "remove", "update", "add"):
        verb, rest = _strip_phrase(folded, VERBS[kind])
        if verb is None:
            continue
        if kind in ("clear", "cart"):
            return Intent(kind=kind)
        items = [parse_item(chunk) for chunk in _split(rest)]
        return Intent(kind=kind, items=[i for i in items if i.query])
    if any(re.fullmatch(rf"{re.escape(g)}\W*", folded) for g in GREETINGS) or not folded:
        return Intent(kind="greet")
    _, rest = _strip_phrase(folded, SEARCH_FILLER)
    query = " ".join(w for w in rest.split() if w not in FILLER_WORDS).strip(" ?.!")
    return Intent(kind="search", items=[Item(query=query or folded)])
