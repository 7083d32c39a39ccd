"""Catalog search for a tenant: read the query, embed it once, fuse the legs, rerank."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vizochok.core.cleaning import InputRefused, clean_text
from vizochok.core.query import Dictionary, analyze
from vizochok.core.search import SearchFilters, SearchRequest

if TYPE_CHECKING:
    from collections.abc import Callable

    from vizochok.core.models import SearchHit, Tenant
    from vizochok.core.ports import Embedder, ProductSearch, Reranker

RERANK_DEPTH = 30
"""Fused hits a reranker sees; it can promote a hit from this deep to the top."""


class SearchService:
    """Hybrid retrieval; prices are not its business (the agent asks the retailer).

    Per-tenant options live in `tenant.search`: `weights` (per leg), `rrf_k`, `candidates`, `trigram_below`, `head_bonus`,
    `reranker` (a registered name, `"none"` to switch off), `reranker_options`, `dictionary`
    (word → Ukrainian words) and `needs` (dish or occasion → groceries).
    """

    def __init__(
        self,
        engine: ProductSearch,
        embedder: Embedder,
        rrf_k: int = 60,
        rerankers: Callable[[str], Reranker] | None = None,
        default_reranker: str | None = None,
    ) -> None:
        self._engine = engine
        self._embedder = embedder
        self._rrf_k = rrf_k
        self._rerankers = rerankers
        self._default_reranker = default_reranker

    def request(self, tenant: Tenant, text: str, limit: int = 10, filters: SearchFilters | None = None) -> SearchRequest:
        """The engine request for a query under the tenant's options (without its vector yet)."""
        text = _searchable(text)
        options = tenant.search
        dictionary = Dictionary(options.get("dictionary"), options.get("needs"))
        return SearchRequest(
            text=text,
            limit=limit,
            filters=filters or SearchFilters(),
            weights=dict(options.get("weights", {})),
            rrf_k=int(options.get("rrf_k", self._rrf_k)),
            candidates=int(options.get("candidates", 50)),
            trigram_below=int(options.get("trigram_below", 5)),
            head_bonus=float(options.get("head_bonus", 0.3)),
            analysis=analyze(text, dictionary),
        )

    async def search(
        self, tenant: Tenant, text: str, limit: int = 10, filters: SearchFilters | None = None, *, rerank: bool = True
    ) -> list[SearchHit]:
        """Hits best first, from this tenant's catalog only."""
        request = self.request(tenant, text, limit, filters)
        reranker = self._reranker(tenant) if rerank else None
        if reranker is not None:
            request.limit = max(limit, RERANK_DEPTH)
        if request.weight("vector") > 0:
            request.vector = await self._embedder.embed_query(request.understood().vector_text)
        hits = await self._engine.search(tenant.id, request)
        if reranker is not None:
            options: dict[str, Any] = dict(tenant.search.get("reranker_options", {}))
            hits = await reranker.rerank(request.understood(), hits, options)
        return hits[:limit]

    def _reranker(self, tenant: Tenant) -> Reranker | None:
        name = tenant.search.get("reranker", self._default_reranker)
        if not name or name == "none" or self._rerankers is None:
            return None
        return self._rerankers(str(name))


def _searchable(text: str) -> str:
    """Query text every engine can take: no control characters, no lone surrogates, NFC.

    The edges clean what shoppers and API callers send; this also covers text from elsewhere (a
    model's tool call, a plugin), so no query can reach SQL with a NUL or an unencodable character.
    """
    try:
        return clean_text(text, "query")
    except InputRefused:
        return clean_text("".join(c for c in text if not 0xD800 <= ord(c) <= 0xDFFF), "query")
