"""Ports: Search engines over a tenant's catalog, their mirrors and rerankers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from vizochok.core.models import ProductInput, SearchHit
    from vizochok.core.query import QueryAnalysis
    from vizochok.core.search.request import SearchRequest


@runtime_checkable
class ProductSearch(Protocol):
    """Retrieval over one tenant's catalog."""

    async def search(self, tenant_id: str, request: SearchRequest) -> list[SearchHit]:
        """Hits best first, never from another tenant."""
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
class Reranker(Protocol):
    """Re-orders fused hits; registered by plugins (`register_rerankers`) and chosen per tenant by name."""

    async def rerank(
        self, query: QueryAnalysis, hits: list[SearchHit], options: dict[str, Any]
    ) -> list[SearchHit]:
        """The same hits (or a subset), best first; `options` is the tenant's `search["reranker_options"]`."""
        ...


__all__ = (
    "CatalogFacts",
    "MirrorRebuild",
    "ProductSearch",
    "Reranker",
    "SearchMirror",
)
