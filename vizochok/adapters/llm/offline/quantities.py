"""Quantities as a small grammar: how much of a product a phrase asks for, in the product's own unit.

A phrase is read left to right. A number (digits with "," or ".", or a number word in any case
form, a fraction such as «пів», «півтора», "half") followed by a unit word is an *amount*; before
the product's name it is what the shopper wants, after the name it may be the pack size
(«молоко 1,8 л») and the product decides (`to_product_units`). A number with "%", a decimal with
no unit («0,33»), "size 3" and a number word inside a name («Три Ведмеді») belong to the product
and are never quantities.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from vizochok.core.query.units import quantities as name_quantities

# Number words in the case forms shoppers use; the value is what they count.
NUMBERS: dict[str, float] = {
    **dict.fromkeys(
        ("один", "одна", "одну", "одне", "одно", "одного", "однієї", "одной", "одним", "one", "a", "an"), 1
    ),
    **dict.fromkeys(("два", "дві", "двох", "две", "двух", "two", "пару", "пара", "пари", "парочку", "couple"), 2),
    **dict.fromkeys(("три", "трьох", "трех", "трёх", "three"), 3),
    **dict.fromkeys(("чотири", "чотирьох", "четыре", "четырех", "four"), 4),
    **dict.fromkeys(("п'ять", "пять", "пяти", "п'яти", "five"), 5),
    **dict.fromkeys(("шість", "шести", "шесть", "six"), 6),
    **dict.fromkeys(("сім", "семи", "семь", "seven"), 7),
    **dict.fromkeys(("вісім", "восьми", "восемь", "eight"), 8),
    **dict.fromkeys(("дев'ять", "девять", "nine"), 9),
    **dict.fromkeys(("десять", "ten"), 10),
    **dict.fromkeys(("одинадцять", "одиннадцать", "eleven"), 11),
    **dict.fromkeys(("дванадцять", "двенадцать", "twelve"), 12),
    **dict.fromkeys(("пів", "пол", "половину", "половина", "half"), 0.5),
    **dict.fromkeys(("півтора", "півтори", "полтора", "полторы"), 1.5),
}  # fmt: skip
WEAK_NUMBERS = {"a", "an", "one", "один", "одна", "одну", "одне", "одно"}
"""Words that count only where a number is expected ("a dozen", "one monster")."""

# Unit words by the start of their forms: кілограм, кілограми, кілограмів, килограмма, kilos…
_UNIT_PREFIXES: tuple[tuple[str, str], ...] = (
    ("кілогр", "kg"), ("килогр", "kg"), ("kilogr", "kg"), ("kilo", "kg"), ("кіло", "kg"), ("кило", "kg"),
    ("грам", "g"), ("gram", "g"), ("мілілітр", "ml"), ("миллилитр", "ml"), ("millilit", "ml"),
    ("літр", "l"), ("литр", "l"), ("liter", "l"), ("litre", "l"),
    ("штук", "pcs"), ("штуч", "pcs"), ("piece", "pcs"), ("пачк", "pack"), ("пачок", "pack"), ("pack", "pack"),
    ("упаков", "pack"), ("упак", "pack"), ("банк", "pack"), ("банок", "pack"), ("баноч", "pack"), ("can", "pack"),
    ("tin", "pack"), ("пляш", "pack"), ("бутыл", "pack"), ("бутил", "pack"), ("bottle", "pack"), ("пакет", "pack"),
    ("bag", "pack"), ("box", "pack"), ("коробк", "pack"), ("jar", "pack"), ("loa", "pack"),
    ("десят", "ten"), ("дюжин", "dozen"), ("dozen", "dozen"),
)  # fmt: skip
_UNIT_EXACT = {"кг": "kg", "kg": "kg", "kgs": "kg", "г": "g", "гр": "g", "g": "g", "gr": "g", "л": "l", "l": "l",
               "мл": "ml", "ml": "ml", "шт": "pcs", "pcs": "pcs", "pc": "pcs", "уп": "pack"}  # fmt: skip
_NOT_UNITS = {
    "десятки",
    "canned",
    "банан",
    "банани",
    "бананы",
    "пакетиках",
    "пакетиків",
    "пакетиками",
    "candy",
    "tinned",
}
MASS = {"kg": 1000.0, "g": 1.0}
VOLUME = {"l": 1000.0, "ml": 1.0}
_DIGITS = re.compile(r"^\d+(?:[.,]\d+)?$")
_SIZE_WORDS = {"size", "розмір", "размер", "розміру", "размера"}
_COMPOUND = {"півкіло": (0.5, "kg"), "півкіла": (0.5, "kg"), "полкило": (0.5, "kg"), "полкила": (0.5, "kg"),
             "півлітра": (0.5, "l"), "поллитра": (0.5, "l"), "кіло": (1.0, "kg"), "кило": (1.0, "kg"),
             "кіла": (1.0, "kg"), "кила": (1.0, "kg"), "kilo": (1.0, "kg"), "десяток": (10.0, "pcs"),
             "десятка": (10.0, "pcs"), "dozen": (12.0, "pcs"), "дюжину": (12.0, "pcs"),
             "дюжина": (12.0, "pcs")}  # fmt: skip
# Words shorter than this are units only when written exactly («кг», "ml"), never by their start.
_UNIT_MIN_LEN = 3
# A unit prefix this long names the unit in any form; a shorter one ("can", "jar") only with at most
# _SHORT_PREFIX_ENDING more letters ("cans", «банки»), so longer words that start the same are not units.
_LONG_PREFIX = 4
_SHORT_PREFIX_ENDING = 3
# Packs within this of a whole number are that many packs (1 kg of 500 g packs; 20 eggs in packs of 10).
_WHOLE_PACKS = 0.05
# A measure asked for before the name counts as packs from (almost) one pack up.
_ALMOST_ONE_PACK = 0.95
# A size after the name is an amount of several packs only when clearly more than one pack («молоко 2 л»
# of 1 l packs); about one pack is just the pack's own size.
_MORE_THAN_ONE_PACK = 1.05


def unit_of(word: str) -> str | None:
    """`kg`, `g`, `l`, `ml`, `pcs`, `pack`, `ten` or `dozen` when a word is a unit in any form."""
    if word in _UNIT_EXACT:
        return _UNIT_EXACT[word]
    if word in _NOT_UNITS or len(word) < _UNIT_MIN_LEN:
        return None
    for prefix, unit in _UNIT_PREFIXES:
        if word.startswith(prefix) and (
            len(prefix) >= _LONG_PREFIX or len(word) <= len(prefix) + _SHORT_PREFIX_ENDING
        ):
            return unit
    return None


def number_of(word: str) -> float | None:
    """The value of a digit string or a number word."""
    if _DIGITS.match(word):
        return float(word.replace(",", "."))
    return NUMBERS.get(word)


@dataclass
class Amount:
    """How much the shopper asked for: a value and a unit (`None` for a bare count)."""

    value: float
    unit: str | None = None

    @property
    def is_measure(self) -> bool:
        """A weight or a volume rather than a count."""
        return self.unit in MASS or self.unit in VOLUME


@dataclass
class Phrase:
    """One product phrase of a message, with its amount taken out."""

    words: list[str]
    """The words that name the product, numbers of the product included."""
    amount: Amount | None = None
    """The shopper's amount: a count, or a weight or volume placed before the name."""
    size: Amount | None = None
    """A weight or volume after the name: a pack size or an amount, the product decides."""
    numbers: list[str] = field(default_factory=list)
    """Numbers that belong to the product ("2.5" for «2,5%», "0.33", "3" for "size 3")."""

    @property
    def query(self) -> str:
        """The search text: the name words plus the size, as the shopper wrote them."""
        size = f" {self.size.value:g} {self.size.unit}" if self.size else ""
        return (" ".join(self.words) + size).strip()


def parse_phrase(tokens: list[str]) -> Phrase:  # noqa: C901, PLR0912, PLR0915 - one left-to-right grammar
    """Take the amount out of one phrase's folded tokens."""
    phrase = Phrase(words=[])
    i, seen_name = 0, False
    while i < len(tokens):
        word = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if word in _SIZE_WORDS and nxt and _DIGITS.match(nxt):
            phrase.numbers.append(nxt.replace(",", "."))
            phrase.words.append(nxt)
            i += 2
            continue
        if word.endswith("%"):
            phrase.numbers.append(word.rstrip("%").replace(",", "."))
            phrase.words.append(word)
            i += 1
            continue
        if word in _COMPOUND and not (i > 0 and number_of(tokens[i - 1]) is not None):
            phrase.amount = _times(phrase.amount, Amount(*_COMPOUND[word]))
            i += 1
            continue
        value = number_of(word)
        if value is not None:
            # "a couple of", "пару": the count may be followed by "of".
            j = i + 1
            if word in ("couple", "a", "an") and nxt in ("couple", "dozen", "few"):
                j = i + 2 + (1 if i + 2 < len(tokens) and tokens[i + 2] == "of" else 0)
                phrase.amount = (
                    Amount(12.0, "pcs") if nxt == "dozen" else Amount(2.0 if nxt == "couple" else 3.0)
                )
                i = j
                continue
            if j < len(tokens) and tokens[j] == "of":
                j += 1
            if value < 1 and j + 1 < len(tokens) and tokens[j] in ("a", "an"):
                j += 1  # "half a kilo"
            unit = unit_of(tokens[j]) if j < len(tokens) else None
            if (
                unit is None
                and j < len(tokens)
                and tokens[j] in _COMPOUND
                and _COMPOUND[tokens[j]][1] != "pcs"
            ):
                unit = _COMPOUND[tokens[j]][1]  # "два кіло", "пів кіло"
            if (
                unit is None
                and j < len(tokens)
                and tokens[j] in ("десятки", "десятків", "десятка", "десяток")
            ):
                unit = "ten"
            if unit == "dozen" and j < len(tokens) and tokens[j] == "dozen" and word in ("a", "an"):
                value = 1.0
            if unit is not None:
                j += 1
                if j < len(tokens) and tokens[j] == "of":
                    j += 1
                amount = _amount(value, unit)
                if amount.is_measure and seen_name and phrase.amount is None and word[0].isdigit():
                    phrase.size = amount  # «молоко 1,8 л»: a pack size, unless the product is sold by weight
                    phrase.numbers.append(f"{value:g}")
                elif amount.is_measure and seen_name and phrase.amount is not None:
                    phrase.size = amount
                    phrase.numbers.append(f"{value:g}")
                else:
                    phrase.amount = (
                        _times(phrase.amount, amount) if amount.unit == "pcs" and phrase.amount else amount
                    )
                i = j
                continue
            is_digit = word[0].isdigit()
            if is_digit and ("." in word or "," in word) and seen_name:
                phrase.numbers.append(word.replace(",", "."))  # «0,33»: the bottle, not the count
                phrase.words.append(word)
                i += 1
                continue
            if word in WEAK_NUMBERS and (seen_name or not nxt or word in ("a", "an")):
                i += 1  # "a", "one" before a name count only at the start
                if word in ("a", "an") or seen_name:
                    continue
                phrase.amount = phrase.amount or Amount(1.0)
                continue
            if not seen_name or i == len(tokens) - 1:
                phrase.amount = phrase.amount or Amount(value)
                i = j
                continue
            # A number inside a name («вареники Три Ведмеді», "pampers 3") belongs to the product.
            phrase.words.append(word)
            if is_digit:
                phrase.numbers.append(word.replace(",", "."))
            i += 1
            continue
        unit = unit_of(word)
        if unit in ("pack", "pcs") and not seen_name and phrase.amount is None and word != "a":
            i += 1  # «пачку масла»: one pack
            phrase.amount = Amount(1.0, unit)
            continue
        if unit in ("pack", "pcs") and phrase.amount is not None and not phrase.words:
            i += 1
            continue
        phrase.words.append(word)
        seen_name = True
        i += 1
    return phrase


def _amount(value: float, unit: str) -> Amount:
    if unit == "ten":
        return Amount(value * 10, "pcs")
    if unit == "dozen":
        return Amount(value * 12, "pcs")
    return Amount(value, unit)


def _times(first: Amount | None, second: Amount) -> Amount:
    """«два десятки», "half a kilo": a bare count or fraction before a counted or measured unit multiplies."""
    if first is not None and first.unit is None and (second.unit == "pcs" or second.is_measure):
        return Amount(first.value * second.value, second.unit)
    return second


def pack_size(offer: dict[str, Any]) -> tuple[float | None, str | None, int | None]:
    """A pcs product's pack from its name: (grams or millilitres, "g"/"ml", pieces in the pack)."""
    amounts = name_quantities(offer.get("name", "").casefold())
    measure = next((q for q in reversed(amounts) if q.unit in ("g", "ml")), None)
    pieces = next((q for q in amounts if q.unit == "pcs"), None)
    return (
        (measure.value if measure else None),
        (measure.unit if measure else None),
        (int(pieces.value) if pieces else None),
    )


@dataclass
class Quantity:
    """A quantity in the product's unit, with how sure the conversion is and why."""

    value: float
    confidence: float
    reason: str


def to_product_units(  # noqa: C901, PLR0911 - one return per conversion case, each with its reason
    phrase: Phrase, offer: dict[str, Any]
) -> Quantity:
    """The shopper's amount in the product's `unit`, on its `quantity_step` and above its `min_quantity`."""
    unit = offer.get("unit") or "pcs"
    amount, size = phrase.amount, phrase.size
    if unit == "kg":
        step = offer.get("quantity_step") or 0.1
        minimum = offer.get("min_quantity") or step
        measure = amount if amount and amount.is_measure else size if size and size.unit in MASS else None
        if measure is not None and measure.unit in MASS:
            kilograms = measure.value * MASS[measure.unit] / 1000
            value = round(max(minimum, round(kilograms / step) * step), 3)
            exact = math.isclose(value, kilograms, abs_tol=step / 2)
            return Quantity(
                value, 0.95 if exact else 0.6, f"{measure.value:g} {measure.unit} of a product sold by kg"
            )
        if amount is not None and amount.unit in (None, "pcs", "pack"):
            return Quantity(
                amount.value, 0.3, f"{amount.value:g} pieces of a product sold by kg: how many kg is unclear"
            )
        return Quantity(max(1.0, minimum), 0.75, "no amount given: 1 kg of a product sold by kg")
    grams, base, pieces = pack_size(offer)
    if amount is not None and amount.is_measure:
        factor = MASS.get(amount.unit or "") or VOLUME.get(amount.unit or "") or 1
        wanted = amount.value * factor
        if grams and base == ("g" if amount.unit in MASS else "ml"):
            packs = wanted / grams
            if packs >= _ALMOST_ONE_PACK and abs(packs - round(packs)) < _WHOLE_PACKS:
                return Quantity(
                    float(round(packs)),
                    0.9,
                    f"{amount.value:g} {amount.unit} is {round(packs)} packs of {grams:g} {base}",
                )
            return Quantity(
                float(max(1, math.ceil(packs))),
                0.35,
                f"{amount.value:g} {amount.unit} is not a whole number of {grams:g} {base} packs",
            )
        return Quantity(
            1.0, 0.3, f"{amount.value:g} {amount.unit} of a product sold by the piece with no pack size"
        )
    count = amount.value if amount is not None else 1.0
    if amount is not None and amount.unit == "pcs" and pieces and pieces > 1 and count >= pieces:
        packs = count / pieces
        if abs(packs - round(packs)) < _WHOLE_PACKS:
            return Quantity(
                float(round(packs)), 0.9, f"{count:g} pieces are {round(packs)} packs of {pieces}"
            )
        return Quantity(float(math.ceil(packs)), 0.4, f"{count:g} pieces are not whole packs of {pieces}")
    if count != round(count):
        return Quantity(float(max(1, round(count))), 0.3, f"{count:g} of a product sold by the piece")
    if amount is None and size is not None and grams:
        factor = MASS.get(size.unit or "") or VOLUME.get(size.unit or "") or 1
        packs = size.value * factor / grams
        if packs > _MORE_THAN_ONE_PACK and abs(packs - round(packs)) < _WHOLE_PACKS:
            return Quantity(float(round(packs)), 0.8, f"{size.value:g} {size.unit} is {round(packs)} packs")
    return Quantity(
        float(count),
        0.95 if amount is not None else 0.9,
        f"{count:g} × the product" if amount else "one, no amount given",
    )
