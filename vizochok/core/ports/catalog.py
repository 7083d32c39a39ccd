"""Ports: the catalog's store: products, their vectors and upload jobs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from vizochok.core.models import CatalogJob, ProductInput


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


__all__ = ("CatalogRepository",)
