"""Cyrillic↔Latin transliteration and wrong-keyboard-layout correction.

Both work on folded text (see `fold`). Transliteration to Latin follows the Ukrainian national
standard (КМУ №55, 2010). Back to Cyrillic, it also accepts the informal spellings shoppers use
(`g` for г, `ch`/`sch`, `ia`/`ya`, `yi` at a word's end for -ий, `w`, `x`, `c`).
"""

from __future__ import annotations

import re

_UK_TO_LAT = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
    "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "",
    # Russian letters, so Russian names transliterate too.
    "ы": "y", "э": "e", "ъ": "", "ё": "e",
}  # fmt: skip
# At the start of a word є, ї, й, ю, я are written ye, yi, y, yu, ya (the standard's second column).
_UK_INITIAL = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}

# Longest sequences first; a plain dict lookup by length keeps the greedy match simple.
_LAT_TO_UK = {
    "shch": "щ", "sch": "щ", "zh": "ж", "kh": "х", "ts": "ц", "tz": "ц", "ch": "ч", "sh": "ш",
    "ya": "я", "ia": "я", "yu": "ю", "iu": "ю", "ju": "ю", "ja": "я", "ye": "є", "ie": "є", "je": "є",
    "yi": "ї", "ji": "ї", "yo": "йо", "jo": "йо", "ck": "к", "ph": "ф", "ee": "і", "oo": "у",
    "a": "а", "b": "б", "c": "к", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "г", "i": "і", "j": "й",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "к", "r": "р", "s": "с", "t": "т",
    "u": "у", "v": "в", "w": "в", "x": "кс", "y": "и", "z": "з",
}  # fmt: skip
_LAT_VOWELS = set("aeiouy")
_WORD = re.compile(r"[a-z']+|[^a-z']+")

# Key by key: the English (US) layout and the Ukrainian and Russian ЙЦУКЕН layouts.
_EN_KEYS = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./" + '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?'
_UK_KEYS = "'йцукенгшщзхїфівапролджєячсмитьбю." + "'ЙЦУКЕНГШЩЗХЇФІВАПРОЛДЖЄЯЧСМИТЬБЮ,"
_RU_KEYS = "ёйцукенгшщзхъфывапролджэячсмитьбю." + "ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,"
_EN_TO_UK = str.maketrans(_EN_KEYS, _UK_KEYS)
_EN_TO_RU = str.maketrans(_EN_KEYS, _RU_KEYS)
_UK_TO_EN = str.maketrans(_UK_KEYS[1:34], _EN_KEYS[1:34])
_RU_TO_EN = str.maketrans(_RU_KEYS[:34], _EN_KEYS[:34])
_CYR_VOWELS = set("аеєиіїоуюяыэё")


def to_latin(text: str) -> str:
    """Cyrillic to Latin by the Ukrainian national standard (`щука` → `shchuka`)."""
    out: list[str] = []
    for i, ch in enumerate(text):
        initial = i == 0 or not text[i - 1].isalpha()
        if ch == "г" and i > 0 and text[i - 1] == "з":
            out.append("gh")  # зг → zgh, so it is not read as ж
        else:
            out.append((_UK_INITIAL.get(ch) if initial else None) or _UK_TO_LAT.get(ch, ch))
    return "".join(out)


def _latin_word_to_cyrillic(word: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(word):
        # -yi/-iy/-yj at the end of a word is the adjective ending -ий (kyslomolochnyi).
        if i == len(word) - 2 and word[i:] in ("yi", "iy", "yj", "ij"):
            out.append("ий")
            break
        # y before a vowel at the start of a word or after a vowel is й (yohurt, maionez).
        if (
            word[i] == "y"
            and i + 1 < len(word)
            and word[i + 1] in "aeiou"
            and (i == 0 or word[i - 1] in _LAT_VOWELS)
        ):
            pair = word[i : i + 2]
            if pair not in ("ya", "yu", "ye", "yi", "yo"):
                out.append("й")
                i += 1
                continue
        for size in (4, 3, 2, 1):
            chunk = word[i : i + size]
            if chunk in _LAT_TO_UK:
                # c before e, i, y sounds like ц (citrus); elsewhere like к (cola).
                if chunk == "c" and i + 1 < len(word) and word[i + 1] in "eiy":
                    out.append("ц")
                else:
                    out.append(_LAT_TO_UK[chunk])
                i += size
                break
        else:
            out.append(word[i] if word[i] != "'" else "")
            i += 1
    return "".join(out)


def to_cyrillic(text: str) -> str:
    """Latin words read as Ukrainian transliteration (`moloko galychyna` → `молоко галичина`)."""
    return "".join(
        _latin_word_to_cyrillic(p) if p[0].isascii() and p[0].isalpha() else p for p in _WORD.findall(text)
    )


def layout_to_ukrainian(text: str) -> str:
    """Keys typed on the English layout, read on the Ukrainian one (`vjkjrj` → `молоко`)."""
    return text.translate(_EN_TO_UK)


def layout_to_russian(text: str) -> str:
    """Keys typed on the English layout, read on the Russian one (`vjkjrj` → `молоко`)."""
    return text.translate(_EN_TO_RU)


def layout_to_english(text: str) -> str:
    """Keys typed on a Ukrainian or Russian layout, read on the English one (`ьшдл` → `milk`)."""
    return text.translate(_UK_TO_EN).translate(_RU_TO_EN)


def cyrillic_plausibility(word: str) -> float:
    """How much a Cyrillic string looks like a real word: its share of vowels, with junk penalised.

    Real Ukrainian and Russian words are 35–55 % vowels; a Latin word pushed through the wrong
    layout or transliteration is mostly consonants or starts with a sign that cannot start a word.
    """
    letters = [c for c in word if c.isalpha()]
    if not letters or len(letters) != len(word.replace(" ", "")):
        return 0.0
    ratio = sum(c in _CYR_VOWELS for c in letters) / len(letters)
    score = 1.0 - abs(ratio - 0.45) * 2
    if word[0] in "ьъй" and len(word) > 1 and word[1] not in _CYR_VOWELS:
        score -= 0.5
    if re.search(r"[^аеєиіїоуюяыэё ]{4}", word):
        score -= 0.4
    return score
