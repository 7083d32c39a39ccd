"""The one boundary that cleans input: JSON decoded with limits, strings checked and normalised.

Every WebSocket frame and every HTTP JSON body passes through `decode_json` before a model or a
service sees it; free text then passes through `clean_text`, identifiers through `check_identifier`.
What the boundary guarantees to everything behind it (docs/protocol.md, "Bad input"):

- nesting at most `max_depth` levels (a 1,000-deep array never reaches the recursive decoder);
- numbers finite and within ±`MAX_NUMBER` (`1e309`, `NaN`, `Infinity` are refused);
- no lone surrogates anywhere (they cannot be encoded as UTF-8, so no database, cache or log
  could store them);
- strings at most `max_string` characters, objects and arrays at most `max_items` entries;
- free text without NUL or other control characters (removed from a shopper's words, refused in
  HTTP bodies, where a stray control character means a broken feed), in Unicode NFC.

Refusals raise `InputRefused` with the field's path (`text`, `products[3].name`); the adapters
turn it into `invalid_json` on a socket and `validation_error` (422) over HTTP.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal

MAX_NUMBER = 1e15
"""Largest magnitude a number may have: prices, quantities and limits all fit with room to spare."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""C0 and C1 control characters and DEL; tab, line feed and carriage return are ordinary text."""
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


class InputRefused(ValueError):  # noqa: N818 - named for what happened, like WebhookFailure
    """Input the boundary will not pass on; `field` is where (empty for the document as a whole)."""

    def __init__(self, reason: str, field: str = "") -> None:
        # The field's name may be the very key that was refused: made printable and short, so the
        # refusal itself can always be sent, stored and logged.
        field = _UNPRINTABLE.sub("?", field)[:100]
        super().__init__(f"{field}: {reason}" if field else reason)
        self.reason = reason
        self.field = field


class MalformedJSON(InputRefused):
    """Not JSON at all (or not UTF-8): `invalid_json` everywhere, no field."""


@dataclass(frozen=True)
class InputLimits:
    """Bounds for one decoded document."""

    max_depth: int = 16
    max_string: int = 65_536
    max_items: int = 10_000
    controls: Literal["keep", "strip", "refuse"] = "strip"
    """What `decode_json` does with control characters in strings, and whether it normalises to NFC.

    `keep` leaves both to the fields' own validators (`clean_text`, `check_identifier`): a frame's
    free text loses its control characters, while an identifier with one is refused outright.
    """


FRAME_LIMITS = InputLimits(max_depth=8, max_string=65_536, max_items=1_000, controls="keep")
"""A WebSocket frame: flat objects, one level of action, a list of SKUs."""
TEXT_LIMITS = InputLimits(controls="strip")
BODY_LIMITS = InputLimits(max_depth=32, max_string=100_000, max_items=100_000, controls="refuse")
"""An HTTP JSON body: catalog uploads carry many products with nested attributes."""


def _check_depth(raw: str, max_depth: int) -> None:
    """Refuse deep nesting before the recursive decoder sees it (it would raise RecursionError)."""
    if raw.count("[") + raw.count("{") <= max_depth:
        return  # cannot be deeper than the number of openers: the common case costs two C scans
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub('""', raw)):
        if match.group() in "[{":
            depth += 1
            if depth > max_depth:
                raise InputRefused(f"nested deeper than {max_depth} levels")
        else:
            depth -= 1


def decode_json(raw: str | bytes, limits: InputLimits = FRAME_LIMITS) -> Any:
    """Parse one JSON document within `limits` and clean every string in it (see the module doc)."""
    if isinstance(raw, bytes | bytearray):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedJSON("not UTF-8") from exc
    _check_depth(raw, limits.max_depth)
    try:
        # `NaN`, `Infinity` and `1e309` decode to non-finite floats: `clean_value` refuses them by field.
        value = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, or an integer of thousands of digits
        raise MalformedJSON("not valid JSON") from exc
    return clean_value(value, limits)


def clean_value(value: Any, limits: InputLimits = FRAME_LIMITS, path: str = "") -> Any:
    """`value` with every string (keys too) cleaned; raises `InputRefused` at the first bad leaf."""
    if isinstance(value, str):
        return clean_string(value, path, limits)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return _check_number(value, path)
    if isinstance(value, dict):
        return _clean_object(value, limits, path)
    if isinstance(value, list):
        if len(value) > limits.max_items:
            raise InputRefused(f"more than {limits.max_items} items", path)
        return [clean_value(item, limits, f"{path}[{i}]") for i, item in enumerate(value)]
    raise InputRefused(f"unexpected {type(value).__name__}", path)


def _check_number(value: float, path: str) -> float:
    if isinstance(value, float) and not math.isfinite(value):
        raise InputRefused("number is not finite", path)
    if abs(value) > MAX_NUMBER:
        raise InputRefused("number is out of range", path)
    return value


def _clean_object(value: dict[Any, Any], limits: InputLimits, path: str) -> dict[str, Any]:
    if len(value) > limits.max_items:
        raise InputRefused(f"more than {limits.max_items} fields", path)
    out = {}
    for key, item in value.items():
        name = clean_string(str(key), f"{path}.{key}" if path else str(key), limits)
        out[name] = clean_value(item, limits, f"{path}.{name}" if path else name)
    return out


def clean_string(value: str, field: str, limits: InputLimits) -> str:
    """One string of a document: surrogates and over-long strings refused, controls per `limits`, NFC."""
    if len(value) > limits.max_string:
        raise InputRefused(f"longer than {limits.max_string} characters", field)
    if value.isascii():
        if _CONTROL.search(value) is None:
            return value  # the common case: nothing to normalise
    elif _SURROGATE.search(value) is not None:
        raise InputRefused("contains a lone surrogate (not valid Unicode)", field)
    if limits.controls == "keep":
        return value
    if _CONTROL.search(value) is not None:
        if limits.controls == "refuse":
            raise InputRefused("contains a NUL or other control character", field)
        value = _CONTROL.sub("", value)
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def clean_text(value: str, field: str = "text") -> str:
    """A shopper's free text: control characters removed, surrogates refused, NFC."""
    return clean_string(value, field, TEXT_LIMITS)


def check_identifier(value: str, field: str) -> str:
    """An opaque id (user, store, conversation, SKU, key): no control character or surrogate; kept as is."""
    if _ANY_CONTROL.search(value) is not None:
        raise InputRefused("contains a control character", field)
    if not value.isascii() and _SURROGATE.search(value) is not None:
        raise InputRefused("contains a lone surrogate (not valid Unicode)", field)
    return value
