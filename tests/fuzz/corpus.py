"""Seed corpus: the frames issue 13 found breaking the server, as raw socket text."""

from __future__ import annotations

DEEP = "[" * 1000 + "]" * 1000

FRAMES = [
    '{"type":"message","text":"молоко \\u0000"}',
    '{"type":"message","text":"молоко \\ud800"}',
    '{"type":"message","text":"молоко","conversation_id":"\\u0000"}',
    '{"type":"message","text":' + DEEP + "}",
    '{"type":"action","action":"add_to_cart","sku":"milk-1","quantity":1e309}',
    '{"type":"action","action":"update_quantity","sku":"milk-1","quantity":-1e309}',
    '{"type":"action","action":"update_quantity","sku":"milk-1","quantity":NaN}',
    '{"type":"action","action":"quick_reply","value":"так\\ud83d"}',
    '{"type":"action","action":"checklist_submit","skus":["\\u0000","\\udfff"]}',
    '{"type":"action","action":"meal_plan_modify","text":"\\u0000"}',
    '{"type":"message","text":"' + "молоко " * 40 + '"}',
    '{"type":"message","text":"' + "додай свіже молоко " * 20 + '"}',
    '{"type":"ping"}',
    '{"type":{"a":1},"text":"x"}',
    '{"type":"message","text":"x","\\ud800":1}',
    '{"type":"message","text":"x","a":{"\\udfff\\u0000":[1e309]}}',
    '{"type":["message"],"text":"x"}',
    '{"type":"action","action":{"action":"add_to_cart"}}',
    '{"type":"action","action":["quick_reply"],"value":"x"}',
    DEEP,
    "{",
    "",
    "null",
    "[]",
    '"text"',
    '{"type":"message","text":"' + "9" * 5000 + '"}',
    '{"type":"message","text":1' + "0" * 5000 + "}",
]
"""Raw frames sent after `auth`."""

AUTH_FRAMES = [
    '{"type":"auth","token":' + DEEP + "}",
    '{"type":"auth","token":"{pk}","user_id":"bob\\u0000"}',
    '{"type":"auth","token":"{pk}","user_id":"bob\\ud800"}',
    '{"type":"auth","token":"{pk}","store_id":"s\\u0000"}',
    '{"type":"auth","token":"{pk}","store_id":"\\udc00"}',
    '{"type":"auth","token":"{pk}","conversation_id":"conv_\\u0000"}',
    '{"type":"auth","token":"\\u0000"}',
]
"""Raw first frames; `{pk}` is replaced by a real public key."""

SEARCH_QUERIES = [
    "молоко\x00",
    "\x00",
    "'",
    "\\",
    "!!!",
    "&|",
    "a:*",
    "<->",
    "((",
    "'''",
    "молоко & !",
    "\ufffd",
    " ",
]
