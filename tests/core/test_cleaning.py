"""The input boundary (`vizochok.core.cleaning`) and the frame models behind it, without a server."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from vizochok.core.cleaning import (
    BODY_LIMITS,
    FRAME_LIMITS,
    InputRefused,
    MalformedJSON,
    check_identifier,
    clean_text,
    decode_json,
)
from vizochok.core.frames import MessageFrame, QuickReplyAction, invalid_field, parse_client_frame


def frame(raw: str) -> Any:  # the test reads each kind's own fields
    return parse_client_frame(decode_json(raw, FRAME_LIMITS))


def refused_field(raw: str) -> str:
    """The field a frame is refused for (raises if it is accepted)."""
    data = None
    try:
        data = decode_json(raw, FRAME_LIMITS)
        parse_client_frame(data)
    except InputRefused as exc:
        return exc.field
    except ValidationError as exc:
        return invalid_field(exc, data)
    msg = f"accepted: {raw}"
    raise AssertionError(msg)


def test_deep_nesting_is_refused_before_the_decoder_recurses() -> None:
    deep = "[" * 1000 + "]" * 1000
    with pytest.raises(InputRefused, match="nested deeper"):
        decode_json(deep, FRAME_LIMITS)
    with pytest.raises(InputRefused, match="nested deeper"):
        decode_json('{"type":"auth","token":' + "[" * 100_000 + "]" * 100_000 + "}", BODY_LIMITS)
    # Brackets inside strings are text, not nesting.
    assert decode_json(json.dumps({"type": "message", "text": "[" * 500}), FRAME_LIMITS)["text"] == "[" * 500


@pytest.mark.parametrize(
    "raw",
    [
        '{"q": 1e309}',
        '{"q": -1e309}',
        '{"q": NaN}',
        '{"q": Infinity}',
        '{"q": 1e16}',
        '{"q": ' + "9" * 5000 + "}",
    ],
)
def test_numbers_must_be_finite_and_in_range(raw: str) -> None:
    with pytest.raises(InputRefused):
        decode_json(raw, BODY_LIMITS)


def test_malformed_json_is_its_own_kind() -> None:
    for raw in ("{not json", b"\xff\xfe", "", '{"a": "\\ud800'):
        with pytest.raises(MalformedJSON):
            decode_json(raw, BODY_LIMITS)


def test_lone_surrogates_are_refused_everywhere() -> None:
    assert refused_field('{"type":"message","text":"молоко \\ud800"}') == "text"
    assert refused_field('{"type":"auth","token":"pk_x","user_id":"\\udc00"}') == "user_id"
    assert refused_field('{"type":"action","action":"quick_reply","value":"так\\ud83d"}') == "value"
    with pytest.raises(InputRefused) as refused:
        decode_json('{"products":[{"sku":"a","name":"x\\ud800"}]}', BODY_LIMITS)
    assert refused.value.field == "products[0].name"
    # A proper pair is one character (an emoji), not a surrogate.
    assert frame('{"type":"message","text":"\\ud83d\\uded2 кошик"}') == MessageFrame(
        type="message", text="🛒 кошик"
    )


def test_a_shoppers_text_loses_control_characters_and_is_nfc() -> None:
    assert frame('{"type":"message","text":"молоко \\u0000"}') == MessageFrame(type="message", text="молоко")
    assert clean_text("ї\u0007\u009b\n2 л") == "ї\n2 л"
    decomposed = "і\u0308жак"  # "ї" as і + combining diaeresis
    assert clean_text(decomposed) == "їжак"
    assert frame('{"type":"action","action":"quick_reply","value":"a\\u0001b"}').action == QuickReplyAction(
        action="quick_reply", value="ab"
    )
    assert refused_field('{"type":"message","text":"\\u0000\\u0001 "}') == "text"  # nothing left to answer


def test_identifiers_with_control_characters_are_refused_not_changed() -> None:
    assert refused_field('{"type":"auth","token":"pk_x","user_id":"bob\\u0000"}') == "user_id"
    assert refused_field('{"type":"auth","token":"pk_x","store_id":"s\\u0000"}') == "store_id"
    assert refused_field('{"type":"action","action":"checklist_submit","skus":["a","b\\u0000"]}') == "skus[1]"
    assert (
        refused_field('{"type":"action","action":"add_to_cart","sku":"milk","quantity":1e309}') == "quantity"
    )
    assert (
        refused_field('{"type":"action","action":"update_quantity","sku":"milk","quantity":1e12}')
        == "quantity"
    )
    assert check_identifier("conv_abc", "conversation_id") == "conv_abc"


def test_http_bodies_refuse_control_characters_with_the_field() -> None:
    with pytest.raises(InputRefused) as refused:
        decode_json('{"products":[{"sku":"a","name":"Молоко\\u0000"}]}', BODY_LIMITS)
    assert refused.value.field == "products[0].name"
    assert decode_json('{"name":"рядок\\nінший\\tтаб"}', BODY_LIMITS) == {"name": "рядок\nінший\tтаб"}
    assert len(decode_json(json.dumps({"items": list(range(1000))}), BODY_LIMITS)["items"]) == 1000


def test_invalid_field_names_the_wire_field() -> None:
    data = {"type": "action", "action": "checklist_submit", "skus": "not a list"}
    with pytest.raises(ValidationError) as refused:
        parse_client_frame(data)
    assert invalid_field(refused.value, data) == "skus"
