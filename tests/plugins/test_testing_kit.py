"""`vizochok.testing`: what a plugin author gets — fake models, a fake retailer, the production graph in memory."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from vizochok.adapters.db.cached import CachedTenantRepository
from vizochok.adapters.db.memory import InMemoryTenantRepository
from vizochok.adapters.llm.wrappers import FallbackLLM, RetryingLLM
from vizochok.adapters.search.memory import InMemoryProductSearch
from vizochok.adapters.session.memory import InMemorySessionStore
from vizochok.container import get, start_resources, stop_resources
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


async def test_memory_container_needs_no_server() -> None:
    container = memory_container()
    await start_resources(container)  # what the app's start-up opens: nothing that needs a server
    assert container.valkey() is None
    assert container.database() is None
    assert container.read_database() is None
    assert isinstance(await get(container.search_engine), InMemoryProductSearch)
    assert isinstance(await get(container.sessions), InMemorySessionStore)
    assert isinstance(await get(container.tenant_store), InMemoryTenantRepository)
    await stop_resources(container)


async def test_the_fake_model_is_wrapped_like_a_real_provider() -> None:
    world = await build_world(Reply("Привіт."))
    llm = (await get(world.container.llm_for))(world.tenant)
    # The production wrappers around the provider the world registered (`fake`): retries, then the fallback model.
    assert isinstance(llm, RetryingLLM | FallbackLLM)
    assert llm is not world.llm
    assert (await world.say("привіт"))[-1]["type"] == "response_complete"
    assert world.llm.requests  # and the fake inside answered


class _Spy:
    """A reranker and an observer at once: what the world's graph calls, recorded."""

    def __init__(self) -> None:
        self.reranked: list[list[str]] = []
        self.turns: list[tuple[str, int, str | None]] = []

    async def rerank(self, query: Any, hits: list[Any], options: dict[str, Any]) -> list[Any]:
        self.reranked.append([h.sku for h in hits])
        return list(reversed(hits))

    @hookimpl
    def register_rerankers(self, register: Any) -> None:
        register(self, name="spy")

    @hookimpl
    def on_turn_completed(self, tenant_id: str, conversation_id: str, turn: int, error: str | None) -> None:
        self.turns.append((tenant_id, turn, error))


async def test_the_world_runs_the_tenants_reranker_and_the_plugin_observer() -> None:
    spy = _Spy()
    world = await build_world(
        Reply(calls=[("search_products", {"query": "молоко"})]), Reply("Ось."),
        plugins=[spy], search={"reranker": "spy"},
    )  # fmt: skip
    await world.say("молоко")
    assert (
        spy.reranked and "milk-1" in spy.reranked[0]
    )  # the tenant's named reranker, resolved by the service
    assert spy.turns == [("tnt_a", 1, None)]  # the plugin observer heard the turn end
