"""Hypothesis strategies for what clients send: frames, actions, auth frames, catalog products, search queries.

Frames are drawn as raw text (what arrives on the socket), so they can hold what a JSON encoder
would never write: escaped lone surrogates, `1e309`, `NaN`, deep nesting, truncated documents.
`bench/fuzz.py` draws from the same strategies at scale.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

NASTY_CHARACTERS = [
    "\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\t", "\n", "\r", "\u2028", "\u200b", "\u202e", "\ufeff",
    "\ufffd", "\ud800", "\udbff", "\udc00", "\udfff", "\u0301", "\u0308", "і", "ї", "є", "ґ", "'", '"', "\\", ":", "*",
    "&", "|", "!", "<", ">", "(", ")", "-", "%", "_", "{", "}", "[", "]", "🛒", "🥛", "\U0010ffff",
]  # fmt: skip
"""Control characters, lone surrogates, combining marks, tsquery operators and JSON's own syntax."""

nasty_text = st.text(
    alphabet=st.one_of(st.sampled_from(NASTY_CHARACTERS), st.characters(codec="utf-8")), max_size=80
) | st.sampled_from(["", " ", "молоко", "додай два молока", "очисти кошик", "молоко " * 40, "х" * 3000])
"""Text a shopper, a bot or an attacker might send; surrogates included (`ensure_ascii` escapes them)."""

numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -1, 0.5, 1e15, 1e16, 1e308]),
)
identifiers = st.one_of(st.sampled_from(["milk-1", "conv_x", "user-1", "sku-0", ""]), nasty_text)
scalars = st.one_of(st.none(), st.booleans(), numbers, nasty_text)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(nasty_text, inner, max_size=4),
    max_leaves=12,
)
"""Any JSON value (before encoding: NaN and infinities become `NaN`/`Infinity` tokens)."""

ACTIONS = ["add_to_cart", "remove_from_cart", "update_quantity", "quick_reply", "checklist_submit",
           "meal_plan_approve", "meal_plan_modify", "nope"]  # fmt: skip


@st.composite
def actions(draw: st.DrawFn) -> dict[str, Any]:
    """A flat action frame with plausible and implausible fields."""
    frame: dict[str, Any] = {"type": "action", "action": draw(st.sampled_from(ACTIONS) | nasty_text)}
    for key, value in (("sku", identifiers), ("quantity", numbers | nasty_text), ("value", nasty_text),
                       ("skus", st.lists(identifiers, max_size=6) | json_values), ("text", nasty_text)):  # fmt: skip
        if draw(st.booleans()):
            frame[key] = draw(value)
    return frame


@st.composite
def messages(draw: st.DrawFn) -> dict[str, Any]:
    """A message frame, sometimes naming a conversation."""
    frame: dict[str, Any] = {"type": "message", "text": draw(nasty_text | json_values)}
    if draw(st.booleans()):
        frame["conversation_id"] = draw(identifiers | json_values)
    return frame


@st.composite
def auth_frames(draw: st.DrawFn, token: str = "pk_test_x") -> dict[str, Any]:
    """An auth frame whose optional fields may be anything."""
    frame: dict[str, Any] = {"type": "auth", "token": draw(st.just(token) | identifiers)}
    for key in ("store_id", "user_id", "conversation_id"):
        if draw(st.booleans()):
            frame[key] = draw(identifiers | json_values)
    return frame


frame_objects = st.one_of(
    messages(), actions(), st.just({"type": "ping"}), st.just({"type": "pong"}),
    st.dictionaries(st.sampled_from(["type", "text", "action", "sku"]) | nasty_text, json_values, max_size=4),
)  # fmt: skip


def encode(value: Any) -> str:
    r"""JSON text as a client would send it; `ensure_ascii` turns lone surrogates into `\udXXX` escapes."""
    return json.dumps(value, ensure_ascii=True)


@st.composite
def raw_frames(draw: st.DrawFn, objects: st.SearchStrategy[Any] = frame_objects) -> str:
    """What arrives on the socket: a frame's JSON, sometimes damaged on the way."""
    text = encode(draw(objects))
    damage = draw(st.sampled_from(["none", "none", "none", "truncate", "nest", "splice", "number"]))
    if damage == "truncate":
        return text[: draw(st.integers(0, max(0, len(text) - 1)))]
    if damage == "nest":
        depth = draw(st.sampled_from([10, 100, 1000, 5000]))
        return '{"type":"message","text":' + "[" * depth + "]" * depth + "}"
    if damage == "splice":
        at = draw(st.integers(0, len(text)))
        return (
            text[:at]
            + draw(st.sampled_from(["\\u0000", "\\ud800", "\\", '"', "}", "1e309", "NaN", "\x00"]))
            + text[at:]
        )
    if damage == "number":
        return text.replace("1", draw(st.sampled_from(["1e309", "-1e309", "NaN", "Infinity", "9" * 400])), 1)
    return text


@st.composite
def catalog_products(draw: st.DrawFn) -> dict[str, Any]:
    """A `ProductInput`, with any field possibly hostile."""
    product: dict[str, Any] = {"sku": draw(identifiers), "name": draw(nasty_text)}
    for key, value in (("brand", nasty_text), ("description", nasty_text), ("category", nasty_text),
                       ("price", numbers), ("volume", numbers | nasty_text), ("attributes", json_values),
                       ("is_active", st.booleans() | json_values)):  # fmt: skip
        if draw(st.booleans()):
            product[key] = draw(value)
    return product


search_queries = st.one_of(
    nasty_text,
    st.text(alphabet=st.sampled_from(list("'&|!:*()<->\\ \"молко123.,%_")), max_size=40),
    st.binary(max_size=40).map(lambda b: b.decode("latin-1")),
)
"""Queries: ordinary words, tsquery syntax, and binary-looking strings."""
