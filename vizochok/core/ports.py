"""Ports: what the core needs from the outside world, as `typing.Protocol` classes.

Every method is async and speaks core types. Adapters in `vizochok.adapters` implement them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from vizochok.core.chat import ConversationState, LogEntry
    from vizochok.core.llm import LLMEvent, LLMRequest
    from vizochok.core.models import (
        CartItem,
        CartOperation,
        CartResult,
        CatalogJob,
        LivePrice,
        Principal,
        ProductInput,
        SearchHit,
        Tenant,
    )
    from vizochok.core.query import QueryAnalysis
    from vizochok.core.search import SearchRequest


class LLM(Protocol):
    """A language model that streams text and tool calls."""

    def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """Stream the model's answer to `request`."""
        ...


class Embedder(Protocol):
    """Turns texts into unit vectors off the event loop."""

    dim: int

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of catalog texts."""
        ...

    async def embed_query(self, text: str) -> list[float]:
        """Vector of a shopper's query."""
        ...


class ProductSearch(Protocol):
    """Retrieval over one tenant's catalog."""

    async def search(self, tenant_id: str, request: SearchRequest) -> list[SearchHit]:
        """Hits best first, never from another tenant."""
        ...


class RetailerWebhooks(Protocol):
    """The retailer's backend: the source of truth for prices, stock and the cart."""

    async def fetch_prices(self, tenant: Tenant, store_id: str, skus: Sequence[str]) -> dict[str, LivePrice]:
        """Live prices of the SKUs the retailer knows. Raises `WebhookFailure` when the call fails."""
        ...

    async def cart_operation(
        self, tenant: Tenant, store_id: str, session_id: str, operation: CartOperation
    ) -> CartResult:
        """Ask the retailer to change the cart; failures come back as `ok:false` with a reason."""
        ...

    async def get_cart(self, tenant: Tenant, store_id: str, session_id: str) -> list[CartItem]:
        """The retailer's current cart. Raises `WebhookFailure` when the call fails."""
        ...


class SessionStore(Protocol):
    """Live conversation state with an inactivity TTL, and the one-turn-at-a-time lease."""

    async def load(self, tenant_id: str, conversation_id: str) -> ConversationState | None:
        """The session, or None once it expired."""
        ...

    async def save(self, state: ConversationState, ttl_seconds: int) -> None:
        """Store the session and restart its inactivity clock."""
        ...

    def turn_lease(
        self, tenant_id: str, conversation_id: str, lease_seconds: float
    ) -> AbstractAsyncContextManager[bool]:
        """Hold the conversation's turn lock; yields False when another turn holds it."""
        ...


class Observer(Protocol):
    """Receives events for plugins; must never raise into a chat turn."""

    async def cart_changed(self, tenant_id: str, conversation_id: str, event: dict[str, Any]) -> None:
        """A cart change the retailer confirmed."""
        ...

    async def turn_completed(self, tenant_id: str, conversation_id: str, turn: int, error: str | None) -> None:
        """A turn ended, with its error code if it failed."""
        ...


class TenantRepository(Protocol):
    """Tenants and their settings."""

    async def get(self, tenant_id: str) -> Tenant | None:
        """The tenant with its webhook secret decrypted, or None."""
        ...


class KeyRepository(Protocol):
    """API keys, stored as SHA-256 hashes."""

    async def authenticate(self, raw_key: str) -> Principal | None:
        """The key's principal, or None when it is unknown or revoked."""
        ...


class CatalogRepository(Protocol):
    """Products and catalog jobs of each tenant."""

    async def upsert(
        self, tenant_id: str, job_id: str, products: Sequence[ProductInput], errors: Sequence[str] = ()
    ) -> tuple[CatalogJob, int]:
        """Write products and create their job; returns it and how many products await embedding."""
        ...

    async def get_job(self, tenant_id: str, job_id: str) -> CatalogJob | None:
        """One job."""
        ...

    async def list_jobs(self, tenant_id: str, limit: int = 20) -> list[CatalogJob]:
        """Recent jobs, newest first."""
        ...

    async def update_job(self, job: CatalogJob) -> None:
        """Persist a job's progress."""
        ...

    async def pending_embeddings(self, tenant_id: str, job_id: str, limit: int) -> list[tuple[ProductInput, str]]:
        """Products of the job still to embed, each with the content hash being embedded."""
        ...

    async def store_embeddings(self, tenant_id: str, items: Sequence[tuple[str, str, list[float]]]) -> int:
        """Attach `(sku, content_hash, vector)`; returns how many rows took their vector."""
        ...

    async def stale_search_tenants(self) -> list[str]:
        """Tenants with products indexed by an older query analyzer."""
        ...

    async def reindex(self, tenant_id: str, batch: int = 1000) -> int:
        """Rebuild the search terms of a tenant's stale products; returns how many."""
        ...

    async def unfinished_jobs(self) -> list[tuple[str, str]]:
        """`(tenant_id, job_id)` of jobs to resume after a restart."""
        ...

    async def count_active(self, tenant_id: str) -> int:
        """Active, searchable products of a tenant."""
        ...

    async def has_catalog(self, tenant_id: str) -> bool:
        """Whether the tenant has at least one active, searchable product."""
        ...

    async def get_products(self, tenant_id: str, skus: Sequence[str]) -> dict[str, ProductInput]:
        """Catalog data of the given SKUs."""
        ...


class ConversationLog(Protocol):
    """Durable record of conversations: messages, tool calls and results, emitted frames."""

    async def start(self, state: ConversationState) -> None:
        """Record a new conversation."""
        ...

    async def append(self, tenant_id: str, conversation_id: str, entries: Sequence[LogEntry]) -> None:
        """Append entries in order."""
        ...

    async def entries(self, tenant_id: str, conversation_id: str) -> list[LogEntry]:
        """Every entry in order."""
        ...


__all__ = (
    "LLM",
    "Observer",
    "CatalogRepository",
    "ConversationLog",
    "Embedder",
    "KeyRepository",
    "ProductSearch",
    "RetailerWebhooks",
    "SessionStore",
    "TenantRepository",
)


class Reranker(Protocol):
    """Re-orders fused hits; registered by plugins (`register_rerankers`) and chosen per tenant by name."""

    async def rerank(self, query: QueryAnalysis, hits: list[SearchHit], options: dict[str, Any]) -> list[SearchHit]:
        """The same hits (or a subset), best first; `options` is the tenant's `search["reranker_options"]`."""
        ...
