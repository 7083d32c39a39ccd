"""A whole chat stack on in-memory adapters, with a scripted model: fast tests of the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vizochok.adapters.db.memory import (
    InMemoryCatalogRepository,
    InMemoryConversationLog,
    InMemoryKeyRepository,
    InMemoryProfileRepository,
    InMemoryTenantRepository,
    InMemoryUsageRecorder,
)
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.adapters.llm.fake import QueueLLM, Reply
from vizochok.adapters.search.memory import InMemoryProductSearch
from vizochok.adapters.session.memory import InMemorySessionStore
from vizochok.adapters.turns.memory import InMemoryTurnStore
from vizochok.adapters.usage.memory import InMemoryUsageLimiter
from vizochok.adapters.webhook.memory import InMemoryRetailerWebhooks
from vizochok.core.agent.loop import Agent, ModelChoice
from vizochok.core.agent.tools import AgentServices
from vizochok.core.catalog.service import CatalogService
from vizochok.core.chat.service import ChatService, Connection
from vizochok.core.models import Principal, ProductInput, Tenant, TenantLLMConfig
from vizochok.core.search.service import SearchService
from vizochok.core.usage.limits import Limits
from vizochok.core.usage.pricing import ModelPrice
from vizochok.demo.retailer import DemoRetailer
from vizochok.plugins import build_plugin_manager, build_registry
from vizochok.testing.world import Frames

PRODUCTS = [
    {
        "sku": "milk-1",
        "name": "Молоко Галичина 2,5% 900 мл",
        "brand": "Галичина",
        "category_path": "Молочні > Молоко",
    },
    {
        "sku": "milk-2",
        "name": "Молоко Яготинське 3,2% 900 мл",
        "brand": "Яготинське",
        "category_path": "Молочні > Молоко",
    },
    {
        "sku": "kefir-1",
        "name": "Кефір Ферма 2,5% 900 г",
        "brand": "Ферма",
        "category_path": "Молочні > Кефір",
    },
    {
        "sku": "bread-1",
        "name": "Хліб Київхліб житній 650 г",
        "brand": "Київхліб",
        "category_path": "Хліб > Житній",
    },
    {
        "sku": "potato",
        "name": "Картопля молода",
        "unit": "kg",
        "quantity_step": 0.1,
        "min_quantity": 0.5,
        "category_path": "Овочі > Картопля",
    },
]
STOCK = {
    "milk-1": {"price": 52.9, "stock": 10, "promo_price": 44.9, "promo_label": "-15%"},
    "milk-2": {"price": 55.0, "stock": 10},
    "kefir-1": {"price": 48.0, "stock": 0},
    "bread-1": {"price": 38.5, "stock": 3},
    "potato": {"price": 22.0, "stock": 50},
}


@dataclass
class World:
    """Everything a test may look at or change."""

    llm: QueueLLM
    chat: ChatService
    webhooks: InMemoryRetailerWebhooks
    retailer: DemoRetailer
    sessions: InMemorySessionStore
    log: InMemoryConversationLog
    tenant: Tenant
    usage: InMemoryUsageRecorder = field(default_factory=InMemoryUsageRecorder)
    profiles: InMemoryProfileRepository = field(default_factory=InMemoryProfileRepository)
    sink: Frames = field(default_factory=Frames)
    conn: Connection | None = None
    limiter: InMemoryUsageLimiter | None = None

    async def open(self, user: str = "u1") -> Connection:
        from vizochok.core.frames import AuthFrame

        self.conn = await self.chat.authenticate(AuthFrame(type="auth", token="pk_test", user_id=user), None)
        await self.chat.open(self.conn, None)
        return self.conn

    async def say(self, text: str) -> list[dict[str, Any]]:
        assert self.conn is not None
        await self.chat.message(self.conn, text, self.sink)
        return self.sink.take()

    async def act(self, action: dict[str, Any]) -> list[dict[str, Any]]:
        from vizochok.core.frames import parse_client_frame

        assert self.conn is not None
        frame = parse_client_frame({"type": "action", **action})
        await self.chat.action(self.conn, frame.action, self.sink)  # type: ignore[union-attr]
        return self.sink.take()

    async def state(self) -> Any:
        assert self.conn is not None
        return await self.sessions.load(self.tenant.id, self.conn.conversation_id)


async def build_world(
    *replies: Reply,
    limits: Limits | None = None,
    llm: Any = None,
    products: list[dict[str, Any]] | None = None,
    stock: dict[str, dict[str, Any]] | None = None,
    limiter: InMemoryUsageLimiter | None = None,
    **tenant_settings: Any,
) -> World:
    products = products or PRODUCTS
    stock = stock or STOCK
    catalog = InMemoryCatalogRepository()
    embedder = HashingEmbedder()
    service = CatalogService(catalog, embedder)
    tenant = Tenant(
        id="tnt_a",
        name="A",
        store_id="store-a",
        llm=TenantLLMConfig(complex_model="big", fast_model="small"),
        **tenant_settings,
    )
    tenants = InMemoryTenantRepository()
    tenants.add(tenant)
    job, _ = await service.upsert(tenant.id, [ProductInput(**p).model_dump() for p in products])
    await service.wait(job.job_id)
    retailer = DemoRetailer(products=stock, names={p["sku"]: p["name"] for p in products}, secret="x")
    webhooks = InMemoryRetailerWebhooks(retailer)
    keys = InMemoryKeyRepository()
    keys.add("pk_test", Principal(key_id="k1", tenant_id=tenant.id, kind="pk", scopes=["chat"]))
    llm = llm or QueueLLM(*replies)
    registry = build_registry(build_plugin_manager(load_entrypoints=False))
    usage, profiles = (
        InMemoryUsageRecorder({"big": ModelPrice(prompt=1, completion=2)}),
        InMemoryProfileRepository(),
    )
    sessions, log = InMemorySessionStore(), InMemoryConversationLog(usage)
    agent = Agent(
        lambda _t: llm,
        lambda t: ModelChoice(t.llm.complex_model or "", t.llm.fast_model or ""),
        registry.all("tool"),
    )
    chat = ChatService(
        keys=keys, tenants=tenants, sessions=sessions, turns=InMemoryTurnStore(sessions, limiter), log=log,
        catalog=catalog, agent=agent,
        services=AgentServices(SearchService(InMemoryProductSearch(catalog), embedder), webhooks, catalog),
        default_limits=limits or Limits(), profiles=profiles, limiter=limiter,
    )  # fmt: skip
    return World(
        llm=llm, chat=chat, webhooks=webhooks, retailer=retailer, sessions=sessions, log=log, tenant=tenant,
        usage=usage, profiles=profiles, limiter=limiter,
    )  # fmt: skip


async def demo_world(**kwargs: Any) -> World:
    """The demo catalog and retailer behind the offline planner."""
    from vizochok.adapters.llm.offline import OfflineLLM
    from vizochok.demo.retailer import load_retailer_data
    from vizochok.demo.setup import load_catalog

    return await build_world(
        llm=OfflineLLM(), products=load_catalog(), stock=load_retailer_data()["products"], **kwargs
    )
