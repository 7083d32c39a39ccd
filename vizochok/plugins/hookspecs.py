"""The whole plugin contract on one page.

`register_*` hooks hand over named components once at start-up; a tenant enables them by
name in its settings, so the request path does a dict lookup, never a hook call.
`on_*` hooks observe events; their failures are logged and never fail a chat turn.

Provider factories (`register_llm_providers`, `register_search_backends`) get one frozen dataclass
each, `ProviderConfig` or `SearchDeps`: ports (`vizochok.core.ports`) and plain values, never an
adapter or the settings object. The built-in factories (`vizochok/providers/`) get exactly the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pydantic import SecretStr

    from vizochok.core.ports import CatalogRepository, Embedder, SqlConnections
    from vizochok.plugins.registry import Register
    from vizochok.settings.search import SearchSettings

hookspec = pluggy.HookspecMarker("vizochok")
hookimpl = pluggy.HookimplMarker("vizochok")


@dataclass(frozen=True)
class ProviderConfig:
    """What an LLM provider factory gets: one provider's endpoint and key for one tenant.

    The container fills it (`vizochok.container.provider_config`): the deployment's URL and key
    only for the deployment's provider (`VIZOCHOK_LLM__PROVIDER`), a tenant's own key when it
    stored one; a provider never sees another provider's key.
    """

    name: str
    """The name the factory was registered under."""
    base_url: str | None = None
    """The endpoint; None: the provider's public one."""
    api_key: SecretStr | None = None
    """None: no key (a local server, or the tenant has none for this provider)."""
    request_timeout_seconds: float = 60.0
    """Connecting, and each silence between streamed chunks."""
    max_output_tokens: int = 4096
    """`max_tokens` of every call."""


@dataclass(frozen=True)
class SearchDeps:
    """What a search backend factory gets."""

    catalog: CatalogRepository
    """The tenants' products as stored (the source of a rebuild)."""
    embedder: Embedder
    """Query and product vectors, if the backend wants to compute its own."""
    sql: SqlConnections | None
    """The application's PostgreSQL (primary), for a backend that indexes there; None in the memory profile."""
    sql_reads: SqlConnections | None
    """Where searches should read: the standbys of `VIZOCHOK_DATABASE_READ_URL`, else the primary."""
    elasticsearch_url: str | None
    """`VIZOCHOK_ELASTICSEARCH_URL`."""
    settings: SearchSettings
    """`VIZOCHOK_SEARCH__*`: plain values (candidates, Elasticsearch layout, …)."""


@hookspec
def register_tools(register: Register) -> None:
    """Call `register(tool)` for each agent tool (an object satisfying `vizochok.core.agent.tools.Tool`)."""


@hookspec
def register_rerankers(register: Register) -> None:
    """Call `register(reranker, name=...)` for each search reranker (a `vizochok.core.ports.Reranker`)."""


@hookspec
def register_llm_providers(register: Register) -> None:
    """Call `register(factory, name=...)`; `factory(config: ProviderConfig)` returns an `LLM` port.

    The factory is called once per provider and key; the container wraps what it returns (retries,
    fallback model, tool calls written as text, the keyless layer) the same way for every provider.
    """


@hookspec
def register_search_backends(register: Register) -> None:
    """Call `register(factory, name=...)`; `factory(deps: SearchDeps)` returns a `ProductSearch` port.

    `VIZOCHOK_SEARCH__BACKEND` names the one the postgres profile uses; the memory profile always
    searches in memory. A backend that also satisfies `SearchMirror` is kept up to date by catalog jobs.
    """


@hookspec
def on_cart_changed(tenant_id: str, conversation_id: str, event: dict[str, Any]) -> None:
    """Observe a cart change the retailer confirmed (`event` is the `cart_changed` frame)."""


@hookspec
def on_turn_completed(tenant_id: str, conversation_id: str, turn: int, error: str | None) -> None:
    """Observe the end of a chat turn; `error` is the error code when it failed."""
