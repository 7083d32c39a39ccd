"""`vizochok.testing`: what a plugin author gets — fake models, a fake retailer, the production graph in memory."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from vizochok.adapters.db.cached import CachedTenantRepository
from vizochok.core.agent.tools import ToolResult, tool
from vizochok.plugins import hookimpl
from vizochok.testing import STOCK, EveryToolLLM, FakeRetailer, Reply, build_world, memory_container


def cards(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for f in frames if f["type"] == "product_cards" for p in f["items"]]


async def test_a_scripted_turn_runs_the_production_graph_in_memory() -> None:
    world = await build_world(
        Reply(calls=[("search_products", {"query": "молоко"})]),
        Reply(calls=[("show_products", {"skus": ["milk-1"]})]),
        Reply("Ось молоко."),
    )
    frames = await world.say("молоко")
    assert [f["type"] for f in frames][-1] == "response_complete"
    # The card's price comes from the fake retailer's products webhook, promo included.
    (card,) = cards(frames)
    assert (card["sku"], card["price"], card["promo_price"]) == ("milk-1", 52.9, 44.9)
    assert [name for name, _ in world.retailer.sent] == [
        "products"
    ]  # one call per turn, shared by both tools
    # The chat reads tenants through the production cache wrapper: the container's graph, not a hand-made one.
    assert isinstance(world.container.chat_tenants(), CachedTenantRepository)
    assert world.container.database() is None  # no server behind it
    assert world.log.conversations  # the turn was logged in memory


async def test_the_fake_retailer_changes_the_cart_and_can_fail() -> None:
    world = await build_world(
        Reply(calls=[("search_products", {"query": "хліб"})]),
        Reply(calls=[("add_to_selection", {"sku": "bread-1", "quantity": 2})]),
        Reply("Додав."),
    )
    frames = await world.say("додай два хліби")
    changed = [f for f in frames if f["type"] == "cart_changed"]
    assert changed, frames
    conversation = world.conn.conversation_id if world.conn else ""
    sessions = {session for (_, session) in world.retailer.state.carts}
    assert len(sessions) == 1
    assert world.retailer.cart("store-a", next(iter(sessions))) == {"bread-1": 2.0}
    assert conversation

    world.retailer.fail_with = "webhook_timeout"
    again = await build_world(Reply(calls=[("search_products", {"query": "молоко"})]), Reply("Не вдалося."))
    again.retailer.fail_with = "webhook_error"
    frames = await again.say("молоко")
    assert cards(frames) == []  # prices could not be loaded, so nothing is shown


def test_the_fake_retailer_refuses_as_documented() -> None:
    retailer = FakeRetailer(STOCK)
    answer = retailer.state.cart_answer
    assert (
        answer({"action": "add", "store_id": "s", "session_id": "x", "sku": "kefir-1"})["reason"]
        == "out_of_stock"
    )
    assert (
        answer({"action": "add", "store_id": "s", "session_id": "x", "sku": "bread-1", "quantity": 9})[
            "reason"
        ]
        == "quantity_exceeded"
    )
    assert (
        answer({"action": "remove", "store_id": "s", "session_id": "x", "sku": "bread-1"})["reason"]
        == "not_in_cart"
    )
    assert (
        answer({"action": "add", "store_id": "s", "session_id": "x", "sku": "nope"})["reason"]
        == "product_not_found"
    )
    assert answer({"action": "add", "store_id": "s", "session_id": "x", "sku": "bread-1"}) == {"ok": True}
    assert retailer.cart("s", "x") == {"bread-1": 1.0}


class _EchoArgs(BaseModel):
    word: str


@tool("echo_word", _EchoArgs, description="Repeat a word.")
async def _echo_word(turn: Any, args: _EchoArgs) -> ToolResult:
    """A third-party tool, as a plugin author writes it."""
    return ToolResult({"echo": args.word.upper()})


class _EchoPlugin:
    @hookimpl
    def register_tools(self, register: Any) -> None:
        register(_echo_word)


async def test_a_plugin_registered_in_the_world_is_called_by_the_model() -> None:
    world = await build_world(
        Reply(calls=[("echo_word", {"word": "кава"})]), Reply("Готово."), plugins=[_EchoPlugin()]
    )
    await world.say("повтори")
    results = [e.payload for e in await world.log.entries(world.tenant.id, world.conn.conversation_id)  # type: ignore[union-attr]
               if e.kind == "tool_result"]  # fmt: skip
    assert any("КАВА" in str(r) for r in results), results

    # Without the plugin the same script names an unknown tool, and the model is told so.
    plain = await build_world(Reply(calls=[("echo_word", {"word": "кава"})]), Reply("Готово."))
    await plain.say("повтори")
    plain_results = [e.payload for e in await plain.log.entries(plain.tenant.id, plain.conn.conversation_id)  # type: ignore[union-attr]
                     if e.kind == "tool_result"]  # fmt: skip
    assert not any("КАВА" in str(r) for r in plain_results)


async def test_every_tool_llm_and_the_offline_default() -> None:
    world = await build_world(llm=EveryToolLLM())
    frames = await world.say("молоко")
    assert frames[-1]["type"] in ("response_complete", "error")
    offline = await build_world()  # no script: the settings' provider (offline) answers
    assert cards(await offline.say("молоко"))


def test_memory_container_needs_no_server() -> None:
    container = memory_container()
    assert container.valkey() is None
    assert container.http_client() is None
