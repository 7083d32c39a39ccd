"""What search learns from a tenant's own catalog, built in the background, never on the query path.

A tenant's profile (catalog language, category index, vocabulary) is read from the engine
(`CatalogFacts`) and takes from tens of milliseconds to seconds: 50k names to tokenise, category
paths to embed. A search never waits for it. It uses the profile there is, or the empty profile
(no corrections, no category leg, Ukrainian unless the tenant names its language) while the first
one is built, and a build starts:

- at start-up for the tenants the caller names (`warm`);
- after a catalog upload (`refresh`: the previous profile serves until the new one is ready);
- when the profile is older than `PROFILE_TTL` (other processes' uploads show up that way);
- at a tenant's first search in the process, when nothing above started one.

Builds run one or two at a time (`concurrency`), so warming every tenant at start-up does not take
the database's connections or the embedder from shoppers. Callers that need the real profile
before going on (evaluation, benches, tests) await `ready`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vizochok.core.query.analyze import term
from vizochok.core.query.categories import CategoryIndex
from vizochok.core.query.language import catalog_language
from vizochok.core.query.learned import LearnedNeeds
from vizochok.core.query.vocabulary import Vocabulary

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from vizochok.core.catalog.needs import LearnedNeedsStore
    from vizochok.core.ports import CatalogFacts, Embedder

PROFILE_TTL = 300.0
"""Seconds a tenant's profile is reused before it is read again (in the background)."""
_RETRY_AFTER = 10.0
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TenantProfile:
    """What search learns from a tenant's own catalog."""

    categories: CategoryIndex = field(default_factory=CategoryIndex)
    vocabulary: Vocabulary = field(default_factory=lambda: Vocabulary({}))
    language: str = "uk"
    learned: LearnedNeeds = field(default_factory=LearnedNeeds)
    """Purpose and "without" phrases of the tenant's product texts, learned after its last catalog job."""


EMPTY_PROFILE = TenantProfile()
"""The fallback while a tenant's first profile is built, and for engines that cannot describe a catalog."""


@dataclass
class _Entry:
    profile: TenantProfile | None = None
    built_generation: int = -1
    expires: float = 0.0
    generation: int = 0
    """Bumped by `refresh`: a profile built from an older generation is stale."""
    task: asyncio.Task[bool] | None = None
    retry_at: float = 0.0
    """After a failed build, searches start no other before this time."""


class TenantProfiles:
    """Each tenant's profile, built off the query path (see the module docstring)."""

    def __init__(
        self,
        facts: CatalogFacts | None,
        embedder: Embedder,
        *,
        ttl: float = PROFILE_TTL,
        concurrency: int = 2,
        clock: Callable[[], float] = time.monotonic,
        needs: LearnedNeedsStore | None = None,
    ) -> None:
        self._facts = facts
        self._needs = needs
        self._embedder = embedder
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._category_vectors: dict[str, list[float]] = {}
        self._slots = asyncio.Semaphore(concurrency)

    def current(self, tenant_id: str) -> TenantProfile:
        """The profile to search with now: never waits; starts a build when there is none or it is stale."""
        if self._facts is None and self._needs is None:
            return EMPTY_PROFILE
        entry = self._entries.setdefault(tenant_id, _Entry())
        now = self._clock()
        stale = entry.profile is None or entry.built_generation < entry.generation or entry.expires < now
        if stale and entry.retry_at <= now:
            self._start(tenant_id, entry)
        return entry.profile or EMPTY_PROFILE

    def refresh(self, tenant_id: str) -> None:
        """The tenant's catalog changed: build its profile again; the old one serves meanwhile."""
        if self._facts is None and self._needs is None:
            return
        entry = self._entries.setdefault(tenant_id, _Entry())
        entry.generation += 1
        self._start(tenant_id, entry)

    def warm(self, tenant_ids: Iterable[str]) -> None:
        """Start building these tenants' profiles (at start-up), a few at a time."""
        for tenant_id in tenant_ids:
            self.current(tenant_id)

    async def ready(self, tenant_id: str) -> TenantProfile:
        """The profile of the tenant's current catalog, waiting for its build when needed."""
        if self._facts is None and self._needs is None:
            return EMPTY_PROFILE
        entry = self._entries.setdefault(tenant_id, _Entry())
        while entry.profile is None or entry.built_generation < entry.generation:
            self._start(tenant_id, entry)
            assert entry.task is not None  # noqa: S101 - started just above
            if not await asyncio.shield(entry.task):
                raise RuntimeError(f"search profile of {tenant_id} could not be built")
        return entry.profile

    async def close(self) -> None:
        """Stop builds in flight (at shutdown)."""
        tasks = [e.task for e in self._entries.values() if e.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _start(self, tenant_id: str, entry: _Entry) -> None:
        if entry.task is None:
            entry.task = asyncio.create_task(self._build(tenant_id, entry))

    async def _build(self, tenant_id: str, entry: _Entry) -> bool:
        """Build, and again while an upload came in meanwhile; whether it worked."""
        try:
            while True:
                generation = entry.generation
                async with self._slots:
                    profile = await self._read(tenant_id)
                entry.profile, entry.built_generation = profile, generation
                entry.expires = self._clock() + self._ttl
                if generation == entry.generation:
                    return True
        except Exception:  # noqa: BLE001 - any failure: the previous profile keeps serving, a later search retries
            _log.exception("search profile of %s not built", tenant_id)
            entry.retry_at = self._clock() + _RETRY_AFTER
            return False
        finally:
            entry.task = None

    async def _read(self, tenant_id: str) -> TenantProfile:
        learned = LearnedNeeds.from_json(await self._needs.learned_needs(tenant_id)) if self._needs else None
        if self._facts is None:
            return TenantProfile(learned=learned) if learned else EMPTY_PROFILE
        categories, names = await self._facts.catalog_facts(tenant_id)
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
