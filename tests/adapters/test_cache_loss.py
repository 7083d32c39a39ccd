"""After the cache restarts from an old snapshot, the shopper sees the retailer's cart, not the snapshot's."""

from __future__ import annotations

from typing import TYPE_CHECKING

from valkey.asyncio import Valkey

from tests.core.world import demo_world
from tests.faults import PrivateValkey
from tests.helpers import text_of
from vizochok.adapters.session.valkey import ValkeySessionStore
from vizochok.adapters.turns.valkey import ValkeyTurnStore
from vizochok.core.chat.state import ConversationState
from vizochok.core.chat.turns import TurnStart
from vizochok.core.frames import SessionRestored
from vizochok.core.models import WebhookConfig

if TYPE_CHECKING:
    from pathlib import Path

EGGS = "eggs-c1-10-svoya-liniya"


async def test_a_session_from_an_old_snapshot_is_reread_from_the_retailers_cart(tmp_path: Path) -> None:
    server = PrivateValkey(tmp_path / "valkey")
    server.start()
    try:
        world = await demo_world(webhooks=WebhookConfig(cart_get_url="https://retailer.example/cart"))
        client = Valkey.from_url(server.url, decode_responses=True)
        world.chat._sessions = ValkeySessionStore(client)
        world.chat._turns = ValkeyTurnStore(client)
        store, user = world.tenant.store_id, "u-eggs"
        world.retailer.carts[(store, user)] = {EGGS: 2}
        conn = await world.open(user)
        assert "2" in text_of(await world.say("що в кошику?"))
        await client.save()  # the snapshot: 2 eggs

        # One more egg, confirmed by the retailer, then the cache crashes before its next snapshot.
        added = [
            f
            for f in await world.act({"action": "add_to_cart", "sku": EGGS, "quantity": 1})
            if f["type"] == "cart_changed"
        ]
        assert added[0]["items"][0]["quantity"] == 3
        assert world.retailer.carts[(store, user)] == {EGGS: 3}
        server.restart()
        await client.aclose()
        client = Valkey.from_url(server.url, decode_responses=True)
        world.chat._sessions = ValkeySessionStore(client)
        world.chat._turns = ValkeyTurnStore(client)

        # The snapshot still says 2; what the shopper is shown comes from the retailer: 3.
        restored = await world.chat.open(conn, conn.conversation_id)
        assert isinstance(restored, SessionRestored)
        assert [(i.sku, i.quantity) for i in restored.selected_items] == [(EGGS, 3)]
        gets = [body for kind, body in world.webhooks.sent if kind == "cart_get"]
        assert len(gets) == 2
        # Saved again under the new run: no further cart GET on the next turn.
        frames = await world.say("що в кошику?")
        assert "3" in text_of(frames)
        assert len([1 for kind, _ in world.webhooks.sent if kind == "cart_get"]) == 2
        await client.aclose()
    finally:
        server.kill()


async def test_a_turn_on_a_stale_session_also_rereads_the_cart(tmp_path: Path) -> None:
    server = PrivateValkey(tmp_path / "valkey")
    server.start()
    try:
        world = await demo_world(webhooks=WebhookConfig(cart_get_url="https://retailer.example/cart"))
        client = Valkey.from_url(server.url, decode_responses=True)
        world.chat._sessions = ValkeySessionStore(client)
        world.chat._turns = ValkeyTurnStore(client)
        store, user = world.tenant.store_id, "u-eggs-2"
        world.retailer.carts[(store, user)] = {EGGS: 2}
        await world.open(user)
        await client.save()
        world.retailer.carts[(store, user)] = {EGGS: 3}  # changed on the shop's own site meanwhile
        server.restart()
        await client.aclose()
        client = Valkey.from_url(server.url, decode_responses=True)
        world.chat._sessions = ValkeySessionStore(client)
        world.chat._turns = ValkeyTurnStore(client)
        # The socket stayed open: its next turn finds the stale session and asks the retailer.
        text = text_of(await world.say("що в кошику?"))
        assert "3" in text
        assert "2 " not in text
        await client.aclose()
    finally:
        server.kill()


async def test_a_lease_read_back_from_a_snapshot_does_not_hold_the_conversation(tmp_path: Path) -> None:
    server = PrivateValkey(tmp_path / "valkey")
    server.start()
    try:
        client = Valkey.from_url(server.url, decode_responses=True)
        sessions, turns = ValkeySessionStore(client), ValkeyTurnStore(client)
        await sessions.save(
            ConversationState(conversation_id="conv_l", tenant_id="tnt_l", user_id="u", store_id="s"), 600
        )
        start = TurnStart(tenant_id="tnt_l", conversation_id="conv_l", lease_seconds=600)
        held = await turns.begin(start)
        assert held.lease is not None
        assert (await turns.begin(start)).refused == "busy"  # the same run: the lease holds
        await client.save()  # the snapshot has the lease of a turn that then dies with the crash
        server.restart()
        await client.aclose()
        client = Valkey.from_url(server.url, decode_responses=True)
        again = await ValkeyTurnStore(client).begin(start)
        assert again.lease is not None  # not `agent_busy` for the lease's remaining ten minutes
        assert again.state is not None
        assert again.state.stale
        await client.aclose()
    finally:
        server.kill()
