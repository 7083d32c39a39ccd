"""Which of the supported languages (uk, en, ru) a shopper writes in."""

from __future__ import annotations

import re

_UK_ONLY = set("іїєґ")
_RU_ONLY = set("ыэъё")
_RU_WORDS = {
    "добавь",
    "добавить",
    "хочу",
    "мне",
    "что",
    "нужно",
    "для",
    "покажи",
    "удали",
    "убери",
    "корзину",
    "корзины",
    "сколько",
    "пожалуйста",
    "найди",
    "есть",
    "какой",
    "какие",
}
_UK_WORDS = {
    "додай",
    "додати",
    "хочу",
    "мені",
    "що",
    "треба",
    "для",
    "покажи",
    "видали",
    "прибери",
    "кошик",
    "кошика",
    "скільки",
    "будь",
    "знайди",
    "є",
    "який",
    "які",
}
_WORD = re.compile(r"[a-zа-яіїєґёыэъ']+")


def detect_language(text: str, default: str = "uk") -> str:
    """`en` for Latin script, `ru` or `uk` for Cyrillic by their own letters and common words."""
    lowered = text.casefold()
    cyrillic = sum(1 for ch in lowered if "а" <= ch <= "я" or ch in "іїєґё")
    latin = sum(1 for ch in lowered if "a" <= ch <= "z")
    if latin > cyrillic:
        return "en"
    if not cyrillic:
        return default
    letters = set(lowered)
    if letters & _UK_ONLY and not letters & _RU_ONLY:
        return "uk"
    if letters & _RU_ONLY and not letters & _UK_ONLY:
        return "ru"
    words = set(_WORD.findall(lowered))
    ru, uk = len(words & _RU_WORDS - _UK_WORDS), len(words & _UK_WORDS - _RU_WORDS)
    if ru > uk:
        return "ru"
    return "uk" if uk > ru else default
