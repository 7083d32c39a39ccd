"""Numbers and units: "2,5%", "900мл", "1,5 л", "десяток" read the same way in queries and names."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Every unit spelling folds to a base unit and a factor: volumes to ml, weights to g.
_UNITS = {
    "мл": ("ml", 1), "ml": ("ml", 1), "л": ("ml", 1000), "l": ("ml", 1000), "літр": ("ml", 1000),
    "літра": ("ml", 1000), "літрів": ("ml", 1000), "литр": ("ml", 1000), "литра": ("ml", 1000),
    "г": ("g", 1), "гр": ("g", 1), "g": ("g", 1), "кг": ("g", 1000), "kg": ("g", 1000),
    "шт": ("pcs", 1), "pcs": ("pcs", 1), "%": ("pct", 1), "відсотків": ("pct", 1), "відсотки": ("pct", 1),
    "відсотка": ("pct", 1), "процентов": ("pct", 1), "процента": ("pct", 1), "відс": ("pct", 1),
}  # fmt: skip
_NUMBER_WORDS = {
    "десяток": ("pcs", 10.0),
    "десяток яєць": ("pcs", 10.0),
    "півлітра": ("ml", 500.0),
    "дюжина": ("pcs", 12.0),
}
_QUANTITY = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?)\s*("
    + "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
    + r")(?!\w)"
)
_BARE_NUMBER = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?![\w%]|[.,]\d)")


@dataclass(frozen=True)
class Quantity:
    """An amount in a base unit: `ml`, `g`, `pcs` or `pct` (fat or alcohol share)."""

    unit: str
    value: float

    @property
    def token(self) -> str:
        """The indexed form, e.g. `900ml`, `2.5pct`."""
        number = f"{self.value:g}"
        return f"{number}{self.unit}"


def quantities(text: str) -> list[Quantity]:
    """Every amount with a unit in a folded text, plus number words like "десяток"."""
    found = [
        Quantity(_UNITS[unit][0], float(number.replace(",", ".")) * _UNITS[unit][1])
        for number, unit in _QUANTITY.findall(text)
    ]
    found += [
        Quantity(unit, value)
        for word, (unit, value) in _NUMBER_WORDS.items()
        if re.search(rf"\b{word}\b", text)
    ]
    return found


def bare_numbers(text: str) -> list[str]:
    """Numbers without a unit ("яготинське 1,5"), with a decimal point."""
    return [n.replace(",", ".") for n in _BARE_NUMBER.findall(_QUANTITY.sub(" ", text))]


def strip_quantities(text: str) -> str:
    """The text without its amounts, so their pieces are not matched as words."""
    return _BARE_NUMBER.sub(" ", _QUANTITY.sub(" ", text))
