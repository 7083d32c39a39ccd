"""Ports: what the core needs from the outside world, as `typing.Protocol` classes.

Every method is async and speaks core types. Adapters in `vizochok.adapters` implement them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

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
    from vizochok.core.profile import UserProfile
    from vizochok.core.query import QueryAnalysis
    from vizochok.core.search import LegRankings, SearchRequest
    from vizochok.core.turns import TurnBegun, TurnEnd, TurnLease, TurnStart
    from vizochok.core.usage import UsageRecord, UsageSnapshot
    from vizochok.core.webhooks import WebhookTestReport


@runtime_checkable
class LLM(Protocol):
    """A language model that streams text and tool calls."""

    def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """Stream the model's answer to `request`."""
        ...


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors off the event loop."""

    dim: int

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of catalog texts."""
        ...

    async def embed_query(self, text: str) -> list[float]:
        """Vector of a shopper's query."""
        ...


@runtime_checkable
class ProductSearch(Protocol):
    """Retrieval over one tenant's catalog: an engine runs the legs, `SearchService` fuses them."""

    async def legs(self, tenant_id: str, request: SearchRequest) -> LegRankings:
        """Each leg's ranking for the request, never from another tenant (fusion is not the engine's)."""
        ...


@runtime_checkable
class CatalogFacts(Protocol):
    """An engine that can describe a tenant's catalog (its categories and a sample of names)."""

    async def catalog_facts(self, tenant_id: str) -> tuple[list[tuple[str, int]], list[str]]:
        """`(category_path, active products)` for every category, and every active product's name and brand."""
        ...


@runtime_checkable
class SearchMirror(Protocol):
    """A search engine kept in step with PostgreSQL, the catalog's source of truth (e.g. Elasticsearch)."""

    async def update_products(self, tenant_id: str, products: Sequence[ProductInput]) -> None:
        """Ship uploaded products' fields, keeping stored vectors; inactive products stop matching."""
        ...

    async def index_products(
        self, tenant_id: str, items: Sequence[tuple[ProductInput, Sequence[float] | None]]
    ) -> None:
        """Ship products with their new vectors."""
        ...

    async def rebuild(self, tenant_id: str) -> MirrorRebuild:
        """Start filling a fresh index for the tenant; searches use the old one until `commit`."""
        ...


class MirrorRebuild(Protocol):
    """A fresh index being filled from PostgreSQL."""

    async def add(self, items: Sequence[tuple[ProductInput, Sequence[float] | None]]) -> None:
        """Copy products with their vectors."""
        ...

    async def commit(self) -> None:
        """Make the fresh index the one searches use, and drop the old one."""
        ...

    async def abort(self) -> None:
        """Drop the fresh index; the old one stays."""
        ...


@runtime_checkable
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


@runtime_checkable
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


@runtime_checkable
class TurnStore(Protocol):
    """A turn's work in the shared cache: everything before it in one step, everything after it in one step."""

    async def begin(self, start: TurnStart) -> TurnBegun:
        """Tier 1, tiers 2 and 3, the lease, the session, then the count; the first refusal stops the rest.

        The user's daily counters are checked and counted atomically, and only when the turn holds the
        lease and its session exists (an expired session is returned as None, leased, uncounted).
        """
        ...

    async def end(self, lease: TurnLease, end: TurnEnd) -> None:
        """Save the session, add the tokens, take back a refused count, then release the lease."""
        ...


@runtime_checkable
class UsageLimiter(Protocol):
    """Counters behind the three limit tiers and the per-key socket cap, shared by every process."""

    async def hit_window(self, tenant_id: str, scope: str, limit: int, window_seconds: float) -> float:
        """Record one event in the tenant's `scope` sliding window; 0 when allowed, else seconds until one would be.

        The tenant is part of the window's identity so that a cache can keep it with the tenant's
        other keys (one slot of a cluster), as the turn's one-step start needs.
        """
        ...

    async def snapshot(self, tenant_id: str, user_id: str, day: str, month: str) -> UsageSnapshot:
        """The user's daily counters and the tenant's token counters, read in one round trip."""
        ...

    async def count_user(
        self, tenant_id: str, user_id: str, day: str, *, messages: int, conversations: int
    ) -> None:
        """Add to the user's daily counters (they expire 25 h after the day's first write)."""
        ...

    async def add_tokens(self, tenant_id: str, day: str, month: str, tokens: int) -> None:
        """Add to the tenant's daily and monthly token counters."""
        ...

    async def open_socket(self, key_id: str, socket_id: str, limit: int, stale_seconds: float) -> bool:
        """Register a socket under its key; False when `limit` live sockets already hold it."""
        ...

    async def refresh_socket(self, key_id: str, socket_id: str) -> None:
        """Mark the socket alive now (heartbeat)."""
        ...

    async def close_socket(self, key_id: str, socket_id: str) -> None:
        """Forget the socket."""
        ...


@runtime_checkable
class Observer(Protocol):
    """Receives events for plugins; must never raise into a chat turn."""

    async def cart_changed(self, tenant_id: str, conversation_id: str, event: dict[str, Any]) -> None:
        """A cart change the retailer confirmed."""
        ...

    async def turn_completed(
        self, tenant_id: str, conversation_id: str, turn: int, error: str | None
    ) -> None:
        """A turn ended, with its error code if it failed."""
        ...


@runtime_checkable
class UsageRecorder(Protocol):
    """The ledger of LLM calls: tokens and cost per tenant, conversation and model."""

    async def record(self, record: UsageRecord) -> None:
        """Store one call (priced by the adapter from the settings' price table)."""
        ...


@runtime_checkable
class ProfileRepository(Protocol):
    """Shoppers' profiles, per tenant."""

    async def get(self, tenant_id: str, user_id: str) -> UserProfile | None:
        """The profile, or None."""
        ...

    async def save(self, tenant_id: str, profile: UserProfile) -> None:
        """Create or replace the profile."""
        ...


@runtime_checkable
class TenantRepository(Protocol):
    """Tenants and their settings."""

    async def get(self, tenant_id: str) -> Tenant | None:
        """The tenant with its webhook secret decrypted, or None."""
        ...


@runtime_checkable
class KeyRepository(Protocol):
    """API keys, stored as SHA-256 hashes."""

    async def authenticate(self, raw_key: str) -> Principal | None:
        """The key's principal, or None when it is unknown or revoked."""
        ...


@runtime_checkable
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

    async def claim_job(self, tenant_id: str, job_id: str) -> CatalogJob | None:
        """Mark the job `embedding` for this process, or None when it is finished or runs elsewhere."""
        ...

    async def release_job(self, tenant_id: str, job_id: str) -> None:
        """Give a running job up so that another process (or the next start) takes it over."""
        ...

    async def pending_embeddings(
        self, tenant_id: str, job_id: str, limit: int
    ) -> list[tuple[ProductInput, str]]:
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

    async def unfinished_jobs(self, *, include_failed: bool = True) -> list[tuple[str, str]]:
        """`(tenant_id, job_id)` of jobs to take up: pending, orphaned, and (`include_failed`) failed ones."""
        ...

    async def count_active(self, tenant_id: str) -> int:
        """Active, searchable products of a tenant."""
        ...

    async def has_catalog(self, tenant_id: str) -> bool:
        """Whether the tenant has at least one active product (text search finds it before its vector)."""
        ...

    async def get_products(self, tenant_id: str, skus: Sequence[str]) -> dict[str, ProductInput]:
        """Catalog data of the given SKUs."""
        ...

    async def export_page(
        self, tenant_id: str, after_sku: str, limit: int
    ) -> list[tuple[ProductInput, list[float] | None]]:
        """Every product (active or not) with its vector, in SKU order after `after_sku`: rebuilding a mirror."""
        ...


@runtime_checkable
class ConversationLog(Protocol):
    """Durable record of conversations: messages, tool calls and results, emitted frames."""

    async def start(self, state: ConversationState) -> None:
        """Record a new conversation."""
        ...

    async def append(
        self,
        tenant_id: str,
        conversation_id: str,
        entries: Sequence[LogEntry],
        usage: Sequence[UsageRecord] = (),
    ) -> None:
        """Append entries in order, and store the LLM calls in `usage` (priced) in the same transaction."""
        ...

    async def entries(self, tenant_id: str, conversation_id: str) -> list[LogEntry]:
        """Every entry in order."""
        ...


@runtime_checkable
class WebhookConfigStore(Protocol):
    """Where a tenant's webhook settings live; the admin API reads and changes them here."""

    async def get(self, tenant_id: str) -> Tenant | None:
        """The tenant with its webhook secret decrypted, or None."""
        ...

    async def update_webhooks(
        self,
        tenant_id: str,
        *,
        products_url: str | None = None,
        cart_url: str | None = None,
        cart_get_url: str | None = None,
        timeout_seconds: float | None = None,
        secret: str | None = None,
    ) -> None:
        """Change the given webhook fields; `None` leaves a field as it is."""
        ...


@runtime_checkable
class URLGuard(Protocol):
    """The SSRF rules for a webhook URL at save time (the client applies them again at connect time)."""

    async def check(self, url: str) -> None:
        """Raise `UnsafeDestination` when the platform must not call `url`."""
        ...


@runtime_checkable
class WebhookProbe(Protocol):
    """The admin "Test": one signed sample products request, reported rather than raised."""

    async def probe(self, tenant: Tenant, skus: Sequence[str]) -> WebhookTestReport:
        """Status, latency and schema problems of the retailer's answer."""
        ...


@runtime_checkable
class WebhookHealth(Protocol):
    """What the webhook client's safeguards know about a tenant."""

    async def status(self, tenant_id: str) -> dict[str, Any]:
        """Circuit breaker state, concurrency, latency and failure counters."""
        ...

    async def reset(self, tenant_id: str) -> None:
        """Forget the tenant's failures (its webhook settings changed)."""
        ...


@runtime_checkable
class Reranker(Protocol):
    """Re-orders fused hits; registered by plugins (`register_rerankers`) and chosen per tenant by name."""

    async def rerank(
        self, query: QueryAnalysis, hits: list[SearchHit], options: dict[str, Any]
    ) -> list[SearchHit]:
        """The same hits (or a subset), best first; `options` is the tenant's `search["reranker_options"]`."""
        ...


__all__ = (
    "LLM",
    "CatalogRepository",
    "ConversationLog",
    "Embedder",
    "KeyRepository",
    "Observer",
    "ProductSearch",
    "ProfileRepository",
    "Reranker",
    "RetailerWebhooks",
    "SessionStore",
    "TenantRepository",
    "URLGuard",
    "UsageLimiter",
    "UsageRecorder",
    "WebhookConfigStore",
    "WebhookHealth",
    "WebhookProbe",
)
