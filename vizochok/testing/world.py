"""`build_world()`: the production graph of the chat, in memory, with a fake model and a fake retailer.

The world is the container `vizochok serve` uses (`vizochok/container.py`) in its `memory` profile, with
three overrides, as pydantic-ai's `Agent.override(model=TestModel())`: the model (a fake registered as the
LLM provider `fake`, so the production retry and fallback wrappers wrap it), the retailer, and the settings. The
reranker, the plugin observer, the tenant cache and the rest of the wiring run as in production.
It needs no PostgreSQL, Valkey or network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dependency_injector import providers

from vizochok.adapters.llm.fake import QueueLLM
from vizochok.container import Container, build_container, get
from vizochok.core.frames import AuthFrame, parse_client_frame
from vizochok.core.models import Principal, ProductInput, Tenant, TenantLLMConfig
from vizochok.plugins import build_plugin_manager, build_registry
from vizochok.settings import Settings
from vizochok.testing.retailer import FakeRetailer

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    import pluggy

    from vizochok.adapters.db.memory import (
        InMemoryCatalogRepository,
        InMemoryConversationLog,
        InMemoryKeyRepository,
        InMemoryProfileRepository,
        InMemoryTenantRepository,
        InMemoryUsageRecorder,
    )
    from vizochok.adapters.llm.fake import Reply
    from vizochok.adapters.session.memory import InMemorySessionStore
    from vizochok.adapters.usage.memory import InMemoryUsageLimiter
    from vizochok.core.catalog.service import CatalogService
    from vizochok.core.chat.service import ChatService, Connection
    from vizochok.core.chat.state import ConversationState
    from vizochok.core.frames import ServerFrame
    from vizochok.core.ports import LLM
    from vizochok.core.search.service import SearchService
    from vizochok.core.usage.limits import Limits
    from vizochok.plugins.hookspecs import ProviderConfig
    from vizochok.plugins.registry import Registry

PRODUCTS: list[dict[str, Any]] = [
    {"sku": "milk-1", "name": "Молоко Галичина 2,5% 900 мл", "brand": "Галичина", "category_path": "Молочні > Молоко"},
    {"sku": "milk-2", "name": "Молоко Яготинське 3,2% 900 мл", "brand": "Яготинське",
     "category_path": "Молочні > Молоко"},
    {"sku": "kefir-1", "name": "Кефір Ферма 2,5% 900 г", "brand": "Ферма", "category_path": "Молочні > Кефір"},
    {"sku": "bread-1", "name": "Хліб Київхліб житній 650 г", "brand": "Київхліб", "category_path": "Хліб > Житній"},
    {"sku": "potato", "name": "Картопля молода", "unit": "kg", "quantity_step": 0.1, "min_quantity": 0.5,
     "category_path": "Овочі > Картопля"},
]  # fmt: skip
"""A small Ukrainian catalog: two milks, a kefir that is out of stock, bread, potatoes sold by weight."""
STOCK: dict[str, dict[str, Any]] = {
    "milk-1": {"price": 52.9, "stock": 10, "promo_price": 44.9, "promo_label": "-15%"},
    "milk-2": {"price": 55.0, "stock": 10},
    "kefir-1": {"price": 48.0, "stock": 0},
    "bread-1": {"price": 38.5, "stock": 3},
    "potato": {"price": 22.0, "stock": 50},
}
"""The fake retailer's prices and stock for `PRODUCTS`."""
PUBLIC_KEY = "pk_test_world"
"""The chat key of the world's tenant."""


class Frames:
    """A frame sink that keeps every frame as the wire would carry it."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send(self, frame: ServerFrame) -> None:
        """Keep one frame."""
        self.frames.append(frame.dump())

    def take(self) -> list[dict[str, Any]]:
        """The frames since the last call."""
        out, self.frames = self.frames, []
        return out


@dataclass
class World:
    """A tenant with a catalog, a shopper's socket in all but name, and every in-memory store to look into."""

    container: Container
    chat: ChatService
    catalog: CatalogService
    search: SearchService
    llm: Any
    """The fake model every tenant uses (`QueueLLM`, `ScriptedLLM`, …); None when the settings' provider answers."""
    retailer: FakeRetailer
    tenant: Tenant
    tenants: InMemoryTenantRepository
    keys: InMemoryKeyRepository
    products: InMemoryCatalogRepository
    sessions: InMemorySessionStore
    log: InMemoryConversationLog
    usage: InMemoryUsageRecorder
    profiles: InMemoryProfileRepository
    limiter: InMemoryUsageLimiter
    sink: Frames = field(default_factory=Frames)
    conn: Connection | None = None

    async def open(self, user: str = "u1") -> Connection:
        """Authenticate as a shopper and open a conversation, as the widget's first frames do."""
        self.conn = await self.chat.authenticate(AuthFrame(type="auth", token=PUBLIC_KEY, user_id=user), None)
        await self.chat.open(self.conn, None)
        return self.conn

    async def say(self, text: str) -> list[dict[str, Any]]:
        """One shopper message; the frames of its turn."""
        if self.conn is None:
            await self.open()
        assert self.conn is not None  # noqa: S101 - opened just above
        await self.chat.message(self.conn, text, self.sink)
        return self.sink.take()

    async def act(self, action: dict[str, Any]) -> list[dict[str, Any]]:
        """One card action (`{"kind": "add_to_cart", "sku": ...}`); the frames it caused."""
        if self.conn is None:
            await self.open()
        assert self.conn is not None  # noqa: S101
        frame = parse_client_frame({"type": "action", **action})
        await self.chat.action(self.conn, frame.action, self.sink)  # type: ignore[union-attr]
        return self.sink.take()

    async def state(self) -> ConversationState:
        """The open conversation's session (selection, seen SKUs, history); it exists once a conversation is open."""
        assert self.conn is not None  # noqa: S101
        state = await self.sessions.load(self.tenant.id, self.conn.conversation_id)
        assert state is not None  # noqa: S101 - `open` saved it
        return state

    async def add_products(self, products: Sequence[dict[str, Any]]) -> None:
        """Upload more products to the tenant's catalog and wait until they are searchable."""
        job, _ = await self.catalog.upsert(self.tenant.id, [ProductInput(**p).model_dump() for p in products])
        await self.catalog.wait(job.job_id)


FAKE_PROVIDER = "fake"
"""The LLM provider name the world's fake model is registered under."""

WORLD_SETTINGS: dict[str, Any] = {
    "profile": "memory",
    "tenant_cache_seconds": 0,
    "embeddings": {"provider": "hashing"},
}
"""What every world runs with: the memory profile, tenants read afresh, and instant (spelling-only) vectors."""


_BUILT_INS: list[pluggy.PluginManager] = []
"""The manager of the built-in plugins alone, shared by every world given no plugins (it holds no state)."""
_SETTINGS: dict[str, Settings] = {}
"""Settings by their values: the environment is read once per distinct world settings, not per world."""


def _plugin_manager(plugins: Sequence[object]) -> pluggy.PluginManager:
    # Installed plugins are not loaded (a test sees the same hooks on every machine); the ones given are.
    if not plugins and _BUILT_INS:
        return _BUILT_INS[0]
    manager = build_plugin_manager(load_entrypoints=False)
    for plugin in plugins:
        manager.register(plugin)
    manager.check_pending()
    if not plugins:
        _BUILT_INS.append(manager)
    return manager


def _registry(manager: pluggy.PluginManager, llm: LLM | None) -> Registry:
    """Every plugin's components, and the fake model registered as the LLM provider `fake`, as a plugin's would be."""
    registry = build_registry(manager)
    if llm is not None:

        def fake(_config: ProviderConfig) -> LLM:
            return llm

        registry.register_for("llm_provider")(fake, name=FAKE_PROVIDER)
    return registry


def _merged(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        out[key] = (
            _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


def world_settings(
    settings: Settings | Mapping[str, Any] | None = None, *, llm: LLM | None = None
) -> Settings:
    """The world's settings: `WORLD_SETTINGS` under `settings` (a mapping is merged in, key by key).

    With a fake `llm`, the provider is `fake` and the keyless layer (`llm.hybrid`) is off unless the
    mapping turns it on: a scripted model should see every turn it was scripted for.
    """
    if isinstance(settings, Settings):
        values = settings.model_dump()
        values["profile"] = "memory"
    else:
        fake = {"llm": {"provider": FAKE_PROVIDER, "hybrid": False}} if llm is not None else {}
        values = _merged(_merged(WORLD_SETTINGS, fake), settings or {})
    key = json.dumps(values, sort_keys=True, default=str)
    if key not in _SETTINGS:
        _SETTINGS[key] = Settings.model_validate(values)
    return _SETTINGS[key]


def memory_container(
    settings: Settings | Mapping[str, Any] | None = None, *, llm: LLM | None = None,
    retailer: FakeRetailer | None = None, plugins: Sequence[object] = (),
) -> Container:  # fmt: skip
    """The production container in its memory profile, with the model, the retailer and the plugins overridden.

    `llm` is registered as the `fake` LLM provider; `retailer` answers the webhooks (a `FakeRetailer`
    of `STOCK` by default). Installed plugins are not loaded; `plugins` are, like installed ones.
    """
    container = build_container(world_settings(settings, llm=llm))
    container.plugin_manager.override(providers.Singleton(_plugin_manager, list(plugins)))
    container.registry.override(providers.Singleton(_registry, container.plugin_manager, llm))
    container.webhooks.override(providers.Object(retailer if retailer is not None else FakeRetailer(STOCK)))
    return container


async def build_world(
    *replies: Reply,
    llm: LLM | None = None,
    products: Sequence[dict[str, Any]] | None = None,
    stock: dict[str, dict[str, Any]] | None = None,
    settings: Settings | Mapping[str, Any] | None = None,
    limits: Limits | None = None,
    plugins: Sequence[object] = (),
    **tenant_settings: Any,
) -> World:
    """A world with one tenant (`tnt_a`, store `store-a`, chat key `PUBLIC_KEY`) and its catalog embedded.

    `replies` script a `QueueLLM`; pass `llm=` for another fake (`ScriptedLLM`, `EveryToolLLM`) or none of
    either to let the settings' provider answer (the offline assistant by default). `settings` is a `Settings`
    or a mapping merged over `WORLD_SETTINGS` (`{"llm": {"prices": …}}`); `limits` are the deployment's default
    limits. `plugins` are registered like installed ones; `tenant_settings` are `Tenant` fields
    (`disabled_tools`, `search`, `limits`, `llm`, `recipes`).
    """
    if replies and llm is None:
        llm = QueueLLM(*replies)
    if limits is not None:
        settings = _merged(settings or {}, {"limits": limits.model_dump()}) if not isinstance(settings, Settings) \
            else settings.model_copy(update={"limits": limits})  # fmt: skip
    products = PRODUCTS if products is None else products
    retailer = FakeRetailer(STOCK if stock is None else stock, {p["sku"]: p["name"] for p in products})
    container = memory_container(settings, llm=llm, retailer=retailer, plugins=plugins)
    tenant_settings.setdefault("llm", TenantLLMConfig(complex_model="big", fast_model="small"))
    tenants: InMemoryTenantRepository = await get(container.tenant_store)
    keys: InMemoryKeyRepository = await get(container.keys)
    tenant = tenants.add(Tenant(id="tnt_a", name="A", store_id="store-a", **tenant_settings))
    keys.add(PUBLIC_KEY, Principal(key_id="key_world", tenant_id=tenant.id, kind="pk", scopes=["chat"]))
    log: InMemoryConversationLog = await get(container.conversation_log)
    world = World(
        container=container, chat=await get(container.chat_service), catalog=await get(container.catalog_service),
        search=await get(container.search_service), llm=llm, retailer=retailer, tenant=tenant,
        tenants=tenants, keys=keys, products=await get(container.catalog_repository),
        sessions=await get(container.sessions), log=log, usage=log.usage, profiles=await get(container.profiles),
        limiter=await get(container.usage_limiter),
    )  # fmt: skip
    if products:
        await world.add_products(products)
    return world


async def demo_world(**kwargs: Any) -> World:
    """The demo's catalog and prices, answered by the offline assistant unless `llm=` or replies say otherwise."""
    from vizochok.demo.retailer import load_retailer_data  # noqa: PLC0415 - the demo's data, only when asked for
    from vizochok.demo.setup import load_catalog  # noqa: PLC0415

    return await build_world(products=load_catalog(), stock=load_retailer_data()["products"], **kwargs)
