"""`create_app()`: settings → container → plugins → Litestar, with dependencies bridged in one place."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from litestar import Litestar
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig

from vizochok import __version__
from vizochok.adapters.http.admin import AdminAuthController, AdminController, panel_handler
from vizochok.adapters.http.admin_identity import AdminIdentityController
from vizochok.adapters.http.admin_llm import AdminLLMKeysController
from vizochok.adapters.http.admin_webhooks import AdminWebhooksController
from vizochok.adapters.http.body import CleanPathMiddleware, CleanRequest
from vizochok.adapters.http.catalog import CatalogController
from vizochok.adapters.http.errors import EXCEPTION_HANDLERS
from vizochok.adapters.http.health import healthz, readyz
from vizochok.adapters.http.profiles import ProfileController
from vizochok.adapters.http.schemas import components
from vizochok.adapters.http.search import search_catalog
from vizochok.adapters.http.security import SecurityHeadersMiddleware
from vizochok.adapters.http.widget import widget_script
from vizochok.adapters.http.ws import chat_socket
from vizochok.container import Container, build_container, get, start_resources, stop_resources

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from litestar.types import ControllerRouterHandler

    from vizochok.settings import Settings

_log = logging.getLogger(__name__)

MAX_BODY_BYTES = 32 * 1024 * 1024
"""Largest HTTP request body; beyond it the answer is 413 `payload_too_large`."""


def _dependencies(container: Container) -> dict[str, Provide]:
    """The one bridge from dependency-injector to Litestar: handlers get services, never adapters' wiring."""
    services = {
        "chat": container.chat_service,
        "catalog": container.catalog_service,
        "catalog_repository": container.catalog_repository,
        "keys": container.keys,
        "webhook_admin": container.webhook_admin_service,
        "tenants": container.tenants,
        "search": container.search_service,
        "database": container.database,
        "valkey": container.valkey,
        "profiles": container.profiles,
        "admin": container.admin_service,
        "embedder": container.embedder,
        "llm_keys": container.llm_key_service,
    }
    return {name: Provide(_provider_fn(provider)) for name, provider in services.items()}


def _provider_fn(provider: Any) -> Any:
    async def provide() -> Any:
        return await get(provider)

    return provide


def _signature_namespace() -> dict[str, Any]:
    """Types that handlers name only under TYPE_CHECKING, so Litestar can resolve their signatures."""
    from vizochok.adapters.db import Database  # noqa: PLC0415
    from vizochok.core.admin.service import AdminService  # noqa: PLC0415
    from vizochok.core.catalog.service import CatalogService  # noqa: PLC0415
    from vizochok.core.chat.service import ChatService  # noqa: PLC0415
    from vizochok.core.ports import (  # noqa: PLC0415
        CatalogRepository,
        Embedder,
        KeyRepository,
        ProfileRepository,
        TenantRepository,
    )
    from vizochok.core.search.service import SearchService  # noqa: PLC0415

    return {
        # One server's client or a cluster's (`ValkeyCluster` is no `Valkey`): checked as Any.
        "Valkey": Any, "Database": Database, "CatalogRepository": CatalogRepository,
        "KeyRepository": KeyRepository, "TenantRepository": TenantRepository, "CatalogService": CatalogService,
        "ChatService": ChatService, "SearchService": SearchService, "ProfileRepository": ProfileRepository,
        "AdminService": AdminService, "Embedder": Embedder,
    }  # fmt: skip


def create_app(
    settings: Settings,
    *,
    container: Container | None = None,
    extra_routes: Sequence[ControllerRouterHandler] = (),
    on_ready: Sequence[Any] = (),
) -> Litestar:
    """The ASGI app. `settings` must carry resolved URLs (see `vizochok.bootstrap.prepare`)."""
    container = container or build_container(settings)
    container.plugin_manager()  # misspelt hooks and unknown plugins fail here, at start-up

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        if settings.search.backend == "elasticsearch" and settings.elasticsearch_url:
            from vizochok.adapters.search.elasticsearch_version import check_server  # noqa: PLC0415

            # A server too old, or a client of the wrong major, stops start-up with what to install.
            _log.info("Elasticsearch %s", await check_server(settings.elasticsearch_url))
        await start_resources(container)
        catalog = await get(container.catalog_service)
        resumed = await catalog.resume()
        if resumed:
            _log.info("resumed %d catalog job(s)", resumed)
        # Jobs of a process that died while this one runs are taken over when their lease runs out.
        catalog.start_watching()
        # Tenants' search profiles are built in the background, so no shopper's first search waits for one.
        search = await get(container.search_service)
        if (
            settings.profile == "postgres"
        ):  # the memory profile has no tenant list: first searches start builds
            search.warm(t["id"] for t in await (await get(container.admin_store)).list_tenants())
        for hook in on_ready:
            await hook(app, container)
        try:
            yield
        finally:
            await search.close()
            await (await get(container.catalog_service)).close()
            await stop_resources(container)

    app = Litestar(
        route_handlers=[
            healthz,
            readyz,
            CatalogController,
            search_catalog,
            ProfileController,
            AdminAuthController,
            AdminController,
            panel_handler(),
            chat_socket,
            widget_script,
            *extra_routes,
        ],
        dependencies=_dependencies(container),
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        lifespan=[lifespan],
        request_max_body_size=MAX_BODY_BYTES,
        request_class=CleanRequest,
        middleware=[SecurityHeadersMiddleware, CleanPathMiddleware],
        signature_namespace=_signature_namespace(),
        openapi_config=OpenAPIConfig(
            title="vizochok",
            version=__version__,
            path="/schema",
            components=components(),
            use_handler_docstrings=True,
        ),
    )
    app.register(AdminWebhooksController)
    app.register(AdminLLMKeysController)
    app.register(AdminIdentityController)
    app.state.container = container
    return app


def app_from_environment() -> Litestar:
    """Factory for `vizochok serve --workers N`: the parent already put resolved URLs in the environment."""
    from vizochok.settings import get_settings  # noqa: PLC0415

    return create_app(get_settings())


__all__ = ("app_from_environment", "build_container", "create_app")
