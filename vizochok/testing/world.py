"""`build_world()`: the production graph of the chat, in memory, with a fake model and a fake retailer.

The world is built by the same `Container` that `vizochok serve` uses, with every storage port overridden by
its in-memory adapter (`adapters/*/memory.py`), so the reranker, the plugin observer, the tenant cache and the
rest of the wiring run as they do in production. It needs no PostgreSQL, Valkey or network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dependency_injector import providers

from vizochok.adapters.container import Container, get
from vizochok.adapters.db.memory import (
    InMemoryCatalogRepository,
    InMemoryConversationLog,
    InMemoryKeyRepository,
    InMemoryProfileRepository,
    InMemoryTenantRepository,
    InMemoryUsageRecorder,
)
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.adapters.llm.fake import QueueLLM
from vizochok.adapters.search.memory import InMemoryProductSearch
from vizochok.adapters.session.memory import InMemorySessionStore
from vizochok.adapters.turns.memory import InMemoryTurnStore
from vizochok.adapters.usage.memory import InMemoryUsageLimiter
from vizochok.core.frames import AuthFrame, parse_client_frame
from vizochok.core.models import Principal, ProductInput, Tenant, TenantLLMConfig
from vizochok.plugins import build_plugin_manager
from vizochok.settings import Settings
from vizochok.testing.retailer import FakeRetailer

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pluggy

    from vizochok.adapters.llm.fake import Reply
    from vizochok.core.catalog.service import CatalogService
    from vizochok.core.chat.service import ChatService, Connection
    from vizochok.core.chat.state import ConversationState
    from vizochok.core.frames import ServerFrame
    from vizochok.core.ports import LLM
    from vizochok.core.search.service import SearchService

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
    llm: LLM | None
    """The model every tenant uses; None when the settings' provider (offline by default) answers."""
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

    async def state(self) -> ConversationState | None:
        """The open conversation's session (selection, seen SKUs, history)."""
        assert self.conn is not None  # noqa: S101
        return await self.sessions.load(self.tenant.id, self.conn.conversation_id)

    async def add_products(self, products: Sequence[dict[str, Any]]) -> None:
        """Upload more products to the tenant's catalog and wait until they are searchable."""
        job, _ = await self.catalog.upsert(self.tenant.id, [ProductInput(**p).model_dump() for p in products])
        await self.catalog.wait(job.job_id)


def _plugin_manager(plugins: Sequence[object]) -> pluggy.PluginManager:
    # Installed plugins are not loaded (a test sees the same hooks on every machine); the ones given are.
    manager = build_plugin_manager(load_entrypoints=False)
    for plugin in plugins:
        manager.register(plugin)
    manager.check_pending()
    return manager


@dataclass
class MemoryAdapters:
    """The in-memory adapter of every storage and network port, shared by the container that uses them."""

    retailer: FakeRetailer = field(default_factory=lambda: FakeRetailer(STOCK))
    tenants: InMemoryTenantRepository = field(default_factory=InMemoryTenantRepository)
    keys: InMemoryKeyRepository = field(default_factory=InMemoryKeyRepository)
    catalog: InMemoryCatalogRepository = field(default_factory=InMemoryCatalogRepository)
    log: InMemoryConversationLog = field(
        default_factory=lambda: InMemoryConversationLog(InMemoryUsageRecorder())
    )
    sessions: InMemorySessionStore = field(default_factory=InMemorySessionStore)
    limiter: InMemoryUsageLimiter = field(default_factory=InMemoryUsageLimiter)
    profiles: InMemoryProfileRepository = field(default_factory=InMemoryProfileRepository)
    embedder: HashingEmbedder = field(default_factory=HashingEmbedder)


def memory_container(
    settings: Settings | None = None, *, llm: LLM | None = None, adapters: MemoryAdapters | None = None,
    plugins: Sequence[object] = (),
) -> Container:  # fmt: skip
    """The production container with every storage and network port on its in-memory adapter."""
    settings = settings or Settings.model_validate({"tenant_cache_seconds": 0})
    memory = adapters or MemoryAdapters()
    container = Container(settings=providers.Object(settings))
    overrides: dict[Any, Any] = {
        container.plugin_manager: providers.Singleton(_plugin_manager, list(plugins)),
        # Nothing may reach a server: these three are resources the chat graph never asks for in memory mode.
        container.database: providers.Object(None),
        container.valkey: providers.Object(None),
        container.http_client: providers.Object(None),
        container.embedder: providers.Object(memory.embedder),
        container.tenants: providers.Object(memory.tenants),
        container.keys: providers.Object(memory.keys),
        container.catalog_repository: providers.Object(memory.catalog),
        container.conversation_log: providers.Object(memory.log),
        container.sessions: providers.Object(memory.sessions),
        container.usage_limiter: providers.Object(memory.limiter),
        container.turns: providers.Object(InMemoryTurnStore(memory.sessions, memory.limiter)),
        container.search_engine: providers.Object(InMemoryProductSearch(memory.catalog)),
        container.profiles: providers.Object(memory.profiles),
        container.webhooks: providers.Object(memory.retailer),
    }
    if llm is not None:
        overrides[container.llm_for] = providers.Object(lambda _tenant: llm)
    for provider, replacement in overrides.items():
        provider.override(replacement)
    return container


async def build_world(
    *replies: Reply,
    llm: LLM | None = None,
    products: Sequence[dict[str, Any]] | None = None,
    stock: dict[str, dict[str, Any]] | None = None,
    settings: Settings | None = None,
    plugins: Sequence[object] = (),
    **tenant_settings: Any,
) -> World:
    """A world with one tenant (`tnt_a`, store `store-a`, chat key `PUBLIC_KEY`) and its catalog embedded.

    `replies` script a `QueueLLM`; pass `llm=` for another fake (`ScriptedLLM`, `EveryToolLLM`) or none of
    either to let the settings' provider answer (the offline assistant by default). `plugins` are registered
    like installed ones; `tenant_settings` are `Tenant` fields (`disabled_tools`, `search`, `limits`, `llm`).
    """
    if replies and llm is None:
        llm = QueueLLM(*replies)
    products = PRODUCTS if products is None else products
    retailer = FakeRetailer(STOCK if stock is None else stock, {p["sku"]: p["name"] for p in products})
    memory = MemoryAdapters(retailer=retailer)
    container = memory_container(settings, llm=llm, adapters=memory, plugins=plugins)
    tenant_settings.setdefault("llm", TenantLLMConfig(complex_model="big", fast_model="small"))
    tenant = memory.tenants.add(Tenant(id="tnt_a", name="A", store_id="store-a", **tenant_settings))
    memory.keys.add(
        PUBLIC_KEY, Principal(key_id="key_world", tenant_id=tenant.id, kind="pk", scopes=["chat"])
    )
    world = World(
        container=container, chat=await get(container.chat_service), catalog=await get(container.catalog_service),
        search=await get(container.search_service), llm=llm, retailer=retailer, tenant=tenant,
        tenants=memory.tenants, keys=memory.keys, products=memory.catalog, sessions=memory.sessions, log=memory.log,
        usage=memory.log.usage, profiles=memory.profiles, limiter=memory.limiter,
    )  # fmt: skip
    if products:
        await world.add_products(products)
    return world
