"""In-memory catalog and conversation log, for dev mode and fast tests of the core."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from vizochok.adapters.security.keys import hash_key
from vizochok.core.catalog.indexing import content_hash, row_hash
from vizochok.core.models import CatalogJob, Principal, ProductInput, Tenant
from vizochok.core.profile import UserProfile
from vizochok.core.usage.pricing import ModelPrice, UsageRecord, price_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vizochok.core.chat.state import ConversationState, LogEntry


class InMemoryCatalogRepository:
    """Products per tenant in dicts; same counting rules as PostgreSQL."""

    def __init__(self) -> None:
        self.products: dict[str, dict[str, ProductInput]] = {}
        self.hashes: dict[tuple[str, str], tuple[str, str, str | None, str | None]] = {}
        """(tenant, sku) → (content_hash, row_hash, embedded_hash, embed_job_id)."""
        self.vectors: dict[tuple[str, str], list[float]] = {}
        self.jobs: dict[str, CatalogJob] = {}

    async def upsert(
        self, tenant_id: str, job_id: str, products: Sequence[ProductInput], errors: Sequence[str] = ()
    ) -> tuple[CatalogJob, int]:
        """Write products and create their job."""
        job = CatalogJob(
            job_id=job_id,
            tenant_id=tenant_id,
            status="pending",
            total=len(products) + len(errors),
            errors=list(errors),
        )
        to_embed = 0
        for product in products:
            c_hash, r_hash = content_hash(product), row_hash(product)
            old = self.hashes.get((tenant_id, product.sku))
            if old is not None and old[1] == r_hash:
                job.unchanged += 1
                continue
            job.created += old is None
            job.updated += old is not None
            embed = product.is_active and (old is None or old[2] != c_hash)
            to_embed += embed
            self.products.setdefault(tenant_id, {})[product.sku] = product
            self.hashes[(tenant_id, product.sku)] = (
                c_hash,
                r_hash,
                old[2] if old else None,
                job_id if embed else (old[3] if old else None),
            )
        if not to_embed:
            job.status = "complete"
        self.jobs[job_id] = job
        return job.model_copy(), to_embed

    async def get_job(self, tenant_id: str, job_id: str) -> CatalogJob | None:
        """One job of the tenant."""
        job = self.jobs.get(job_id)
        return job.model_copy() if job and job.tenant_id == tenant_id else None

    async def list_jobs(self, tenant_id: str, limit: int = 20) -> list[CatalogJob]:
        """Newest first."""
        return [j.model_copy() for j in reversed(self.jobs.values()) if j.tenant_id == tenant_id][:limit]

    async def update_job(self, job: CatalogJob) -> None:
        """Persist progress."""
        self.jobs[job.job_id] = job.model_copy()

    async def pending_embeddings(
        self, tenant_id: str, job_id: str, limit: int
    ) -> list[tuple[ProductInput, str]]:
        """Products of the job still to embed."""
        out = []
        for (tenant, sku), (c_hash, _, embedded, job) in sorted(self.hashes.items()):
            if tenant == tenant_id and job == job_id and embedded != c_hash:
                out.append((self.products[tenant][sku], c_hash))
        return out[:limit]

    async def store_embeddings(self, tenant_id: str, items: Sequence[tuple[str, str, list[float]]]) -> int:
        """Attach vectors whose content did not change meanwhile."""
        stored = 0
        for sku, c_hash, vector in items:
            current = self.hashes.get((tenant_id, sku))
            if current and current[0] == c_hash:
                self.hashes[(tenant_id, sku)] = (c_hash, current[1], c_hash, current[3])
                self.vectors[(tenant_id, sku)] = vector
                stored += 1
        return stored

    async def claim_job(self, tenant_id: str, job_id: str) -> CatalogJob | None:
        """Mark a pending or failed job `embedding` (one process: nothing else can hold it)."""
        job = self.jobs.get(job_id)
        if job is None or job.tenant_id != tenant_id or job.status == "complete":
            return None
        job.status, job.completed_at = "embedding", None
        job.started_at = job.started_at or datetime.now(UTC)
        return job.model_copy()

    async def release_job(self, tenant_id: str, job_id: str) -> None:
        """Nothing to release: the in-memory repository lives in one process."""

    async def unfinished_jobs(self, *, include_failed: bool = True) -> list[tuple[str, str]]:
        """Jobs to resume: pending or running, or (`include_failed`) failed with products still waiting."""
        waiting = {
            job for (tenant, _), (c_hash, _, embedded, job) in self.hashes.items() if embedded != c_hash
        }
        return [
            (j.tenant_id, j.job_id)
            for j in self.jobs.values()
            if j.status in ("pending", "embedding")
            or (include_failed and j.status == "failed" and j.job_id in waiting)
        ]

    async def stale_search_tenants(self) -> list[str]:
        """None: the in-memory engine derives its terms at query time."""
        return []

    async def reindex(self, tenant_id: str, batch: int = 1000) -> int:  # noqa: ARG002
        """Nothing to rebuild (see `stale_search_tenants`)."""
        return 0

    async def count_active(self, tenant_id: str) -> int:
        """Active products with a vector."""
        return sum(
            1
            for sku, p in self.products.get(tenant_id, {}).items()
            if p.is_active and (tenant_id, sku) in self.vectors
        )

    async def has_catalog(self, tenant_id: str) -> bool:
        """At least one active product (searchable by text before its vector is there)."""
        return any(p.is_active for p in self.products.get(tenant_id, {}).values())

    async def get_products(self, tenant_id: str, skus: Sequence[str]) -> dict[str, ProductInput]:
        """Catalog data by SKU."""
        products = self.products.get(tenant_id, {})
        return {s: products[s] for s in skus if s in products}

    async def export_page(
        self, tenant_id: str, after_sku: str, limit: int
    ) -> list[tuple[ProductInput, list[float] | None]]:
        """Products in SKU order after `after_sku`, each with its vector."""
        products = self.products.get(tenant_id, {})
        skus = sorted(s for s in products if s > after_sku)[:limit]
        return [(products[s], self.vectors.get((tenant_id, s))) for s in skus]


class InMemoryConversationLog:
    """Entries in a dict, in order."""

    def __init__(self, usage: InMemoryUsageRecorder | None = None) -> None:
        self.conversations: dict[tuple[str, str], ConversationState] = {}
        self.log: dict[tuple[str, str], list[LogEntry]] = {}
        self.usage = usage or InMemoryUsageRecorder()
        """The ledger that receives the LLM calls appended with a turn's entries."""

    async def start(self, state: ConversationState) -> None:
        """Record a new conversation."""
        self.conversations.setdefault((state.tenant_id, state.conversation_id), state.model_copy())

    async def append(
        self,
        tenant_id: str,
        conversation_id: str,
        entries: Sequence[LogEntry],
        usage: Sequence[UsageRecord] = (),
    ) -> None:
        """Append in order; the LLM calls go to the ledger."""
        self.log.setdefault((tenant_id, conversation_id), []).extend(entries)
        for record in usage:
            await self.usage.record(record)

    async def entries(self, tenant_id: str, conversation_id: str) -> list[LogEntry]:
        """Every entry in order."""
        return list(self.log.get((tenant_id, conversation_id), []))


class InMemoryTenantRepository:
    """Tenants in a dict."""

    def __init__(self) -> None:
        self.tenants: dict[str, Tenant] = {}

    async def get(self, tenant_id: str) -> Tenant | None:
        """A copy of the tenant."""
        tenant = self.tenants.get(tenant_id)
        return tenant.model_copy(deep=True) if tenant else None

    def add(self, tenant: Tenant) -> Tenant:
        """Store a tenant (test and dev set-up)."""
        self.tenants[tenant.id] = tenant
        return tenant


class InMemoryKeyRepository:
    """Raw keys hashed into a dict, like the database keeps them."""

    def __init__(self) -> None:
        self.keys: dict[str, Principal] = {}

    def add(self, raw_key: str, principal: Principal) -> None:
        """Store a key."""
        self.keys[hash_key(raw_key)] = principal

    async def authenticate(self, raw_key: str) -> Principal | None:
        """The principal of a known key."""
        return self.keys.get(hash_key(raw_key))


class InMemoryUsageRecorder:
    """Recorded calls in a list, priced like the PostgreSQL ledger."""

    def __init__(self, prices: dict[str, ModelPrice] | None = None) -> None:
        self.records: list[UsageRecord] = []
        self._prices = prices or {}

    async def record(self, record: UsageRecord) -> None:
        """Keep the call with its cost."""
        self.records.append(record.model_copy(update={"cost": price_of(record, self._prices)}))


class InMemoryProfileRepository:
    """Profiles in a dict."""

    def __init__(self) -> None:
        self.profiles: dict[tuple[str, str], UserProfile] = {}

    async def get(self, tenant_id: str, user_id: str) -> UserProfile | None:
        """A copy of the profile."""
        profile = self.profiles.get((tenant_id, user_id))
        return profile.model_copy(deep=True) if profile else None

    async def save(self, tenant_id: str, profile: UserProfile) -> None:
        """Store a copy."""
        self.profiles[(tenant_id, profile.user_id)] = profile.model_copy(deep=True)
