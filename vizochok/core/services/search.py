"""Catalog search for a tenant: embed the query once, apply the tenant's fusion options."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.core.search import SearchFilters, SearchRequest

if TYPE_CHECKING:
    from vizochok.core.models import SearchHit, Tenant
    from vizochok.core.ports import Embedder, ProductSearch


class SearchService:
    """Hybrid retrieval; prices are not its business (the agent asks the retailer)."""

    def __init__(self, engine: ProductSearch, embedder: Embedder, rrf_k: int = 60) -> None:
        self._engine = engine
        self._embedder = embedder
        self._rrf_k = rrf_k

    async def search(
        self, tenant: Tenant, text: str, limit: int = 10, filters: SearchFilters | None = None
    ) -> list[SearchHit]:
        """Hits best first, from this tenant's catalog only."""
        options = tenant.search
        request = SearchRequest(
            text=text,
            limit=limit,
            filters=filters or SearchFilters(),
            vector=await self._embedder.embed_query(text),
            weights=dict(options.get("weights", {})),
            rrf_k=int(options.get("rrf_k", self._rrf_k)),
        )
        return await self._engine.search(tenant.id, request)
