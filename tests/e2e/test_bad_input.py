"""Issue 13, finding 3: bad frames get documented refusals over a real socket; nothing closes 4500 or hangs.

Each case here failed before the input boundary: RecursionError and close 4500, `auth_ok` then
4500, an `error` with no `response_complete`, a conversation lock held for minutes, the offline
planner's `KeyError: 'query'`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
import websockets

from tests.helpers import ChatClient, ThreadedServer, types


async def connect(server: ThreadedServer, demo: dict[str, Any], user: str) -> ChatClient:
    client, handshake = await ChatClient.connect(
        server.ws_url, demo["apiKey"], store_id=demo["storeId"], user_id=user
    )
    assert handshake[0] == {"type": "auth_ok"}
    return client


async def rest_of_turn(client: ChatClient) -> list[dict[str, Any]]:
    """Frames up to `response_complete`, or a lone refusal."""
    frames = []
    while True:
        frame = await client.recv()
        frames.append(frame)
        if frame["type"] == "response_complete" or (frame["type"] == "error" and len(frames) == 1):
            return frames


async def _read_until_closed(ws: Any, seconds_each: float) -> None:
    while True:
        await asyncio.wait_for(ws.recv(), seconds_each)


async def close_code(ws: Any, seconds_each: float = 5) -> int:
    """Read until the server closes (each read bounded); the close code."""
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await _read_until_closed(ws, seconds_each)
    assert closed.value.rcvd is not None
    return int(closed.value.rcvd.code)


async def test_deep_nesting_is_refused_before_and_after_auth(
    demo_server: ThreadedServer, demo: dict[str, Any]
) -> None:
    deep = "[" * 1000 + "]" * 1000
    async with websockets.connect(demo_server.ws_url) as ws:
        await ws.send('{"type":"auth","token":' + deep + "}")
        assert json.loads(await ws.recv()) == {"type": "error", "code": "invalid_json"}
        assert await close_code(ws) == 4001  # a bad first frame, not a server error (4500)

    client = await connect(demo_server, demo, "bad-deep")
    await client.ws.send('{"type":"message","text":' + deep + "}")
    assert await client.recv() == {"type": "error", "code": "invalid_json"}
    frames = await client.say("молоко")  # the socket still serves
    assert frames[-1]["type"] == "response_complete"
    await client.close()


@pytest.mark.parametrize("field", ["user_id", "store_id"])
@pytest.mark.parametrize("bad", ["bob\u0000", "bob\ud800"])
async def test_nul_or_surrogate_in_auth_ids_is_refused_with_the_field(
    demo_server: ThreadedServer, demo: dict[str, Any], field: str, bad: str
) -> None:
    auth = {
        "type": "auth",
        "token": demo["apiKey"],
        "store_id": demo["storeId"],
        "user_id": "bob",
        field: bad,
    }
    async with websockets.connect(demo_server.ws_url) as ws:
        await ws.send(json.dumps(auth))  # ensure_ascii escapes both: "\u0000", "\ud800"
        assert json.loads(await ws.recv()) == {"type": "error", "code": "invalid_json", "field": field}
        assert await close_code(ws) == 4001


async def test_nul_in_a_message_is_removed_and_the_turn_completes(
    demo_server: ThreadedServer, demo: dict[str, Any]
) -> None:
    client = await connect(demo_server, demo, "bad-nul")
    for _ in range(8):  # the eight frames
        await client.ws.send('{"type":"message","text":"молоко \\u0000"}')
        frames = await rest_of_turn(client)
        assert frames[-1]["type"] == "response_complete", frames
        assert "product_cards" in types(frames)
    await client.close()


async def test_surrogates_and_huge_numbers_in_frames_are_refused_and_the_socket_serves_on(
    demo_server: ThreadedServer, demo: dict[str, Any]
) -> None:
    client = await connect(demo_server, demo, "bad-numbers")
    cases = {
        '{"type":"message","text":"молоко \\ud800"}': "text",
        '{"type":"action","action":"add_to_cart","sku":"x","quantity":1e309}': "quantity",
        '{"type":"action","action":"update_quantity","sku":"x","quantity":NaN}': "quantity",
        '{"type":"action","action":"checklist_submit","skus":["a\\u0000"]}': "skus[0]",
        '{"type":"action","action":"meal_plan_modify","text":"\\udfff"}': "text",
    }
    for raw, field in cases.items():
        await client.ws.send(raw)
        assert await client.recv() == {"type": "error", "code": "invalid_json", "field": field}, raw
    assert (await client.say("хліб"))[-1]["type"] == "response_complete"
    await client.close()


async def test_a_quick_reply_with_a_surrogate_does_not_hold_the_conversation(
    demo_server: ThreadedServer, demo: dict[str, Any]
) -> None:
    client = await connect(demo_server, demo, "bad-quick-reply")
    asked = await client.say("додай молоко")
    await client.ws.send('{"type":"action","action":"quick_reply","value":"так\\ud83d"}')
    assert await client.recv() == {"type": "error", "code": "invalid_json", "field": "value"}
    # Before: the session became unserialisable and the lock stayed taken for 135 s (agent_busy).
    frames = await asyncio.wait_for(client.say("покажи хліб"), 30)
    assert "agent_busy" not in json.dumps(frames)
    assert frames[-1]["type"] == "response_complete"
    assert asked[-1]["type"] == "response_complete"
    await client.close()


async def test_long_messages_reach_the_offline_planner_safely(
    demo_server: ThreadedServer, demo: dict[str, Any]
) -> None:
    client = await connect(demo_server, demo, "bad-long")
    for text in ("молоко " * 40, "додай " + "дуже свіже молоко від місцевого виробника " * 8, "х" * 3000):
        frames = await client.say(text)
        assert len(text) > 200
        assert frames[-1]["type"] == "response_complete", frames[-3:]
        assert all(f.get("code") != "internal_error" for f in frames)
    await client.close()


async def test_an_invalid_utf8_frame_logs_one_line(
    demo_server: ThreadedServer, demo: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    client = await connect(demo_server, demo, "bad-utf8")
    caplog.set_level(logging.INFO)
    # A text frame whose payload is not UTF-8: the library refuses to build one, so send it raw.
    from websockets.frames import Frame, Opcode

    client.ws.protocol.send_frame(Frame(Opcode.TEXT, b"\xff\xfe{"))
    client.ws.send_data()
    code = await close_code(client.ws)
    assert code == 1007  # "invalid frame payload data", as the WebSocket RFC names it
    await asyncio.sleep(0.2)
    records = [r for r in caplog.records if "UTF-8" in r.getMessage()]
    assert records, "nothing logged"
    assert all(r.exc_info is None and r.exc_text is None for r in records)
    assert "Traceback" not in caplog.text
