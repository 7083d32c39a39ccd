"""The tenant's search profile is built off the query path: a first search never waits for it."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.core.models import Tenant
from vizochok.core.query.analyze import term
from vizochok.core.search.request import LegRankings
from vizochok.core.search.service import SearchService

if TYPE_CHECKING:
    from vizochok.core.search.request import SearchRequest

ENGLISH = ["organic whole milk", "organic bananas", "greek yogurt plain", "organic baby spinach"]


class BlockingFacts:
    """An engine whose catalog description takes as long as the test says (a slow profile build)."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.release = asyncio.Event()
        self.reads = 0
        self.requests: list[SearchRequest] = []

    async def catalog_facts(self, tenant_id: str) -> tuple[list[tuple[str, int]], list[str]]:
        self.reads += 1
        await self.release.wait()
        return [("dairy > milk", 1), ("produce > fruit", 1)], list(self.names)

    async def legs(self, tenant_id: str, request: SearchRequest) -> LegRankings:
        self.requests.append(request)
        return LegRankings()


TENANT = Tenant(id="t-profile", name="shop", store_id="shop")


async def test_a_first_search_does_not_wait_for_the_profile_build() -> None:
    engine = BlockingFacts(ENGLISH)
    service = SearchService(engine, HashingEmbedder())

    # The build blocks until released; the search answers meanwhile with the fallback profile.
    await asyncio.wait_for(service.search(TENANT, "oganic milk"), timeout=2)
    assert engine.reads == 1  # the search started the build, in the background
    first = engine.requests[-1]
    assert first.language == "uk"  # the fallback: nothing learnt from the catalog yet
    assert "organic" not in first.understood().vector_text

    engine.release.set()
    profile = await asyncio.wait_for(service.profile(TENANT.id), timeout=2)
    assert profile.language == "en"
    await service.search(TENANT, "oganic milk")
    assert engine.requests[-1].language == "en"
    assert engine.requests[-1].understood().vector_text == "organic milk"  # the vocabulary's correction
    assert engine.reads == 1  # built once, not once per search


async def test_an_upload_rebuilds_in_the_background_and_the_old_profile_serves_meanwhile() -> None:
    engine = BlockingFacts(ENGLISH)
    service = SearchService(engine, HashingEmbedder())
    service.warm([TENANT.id])  # at start-up
    engine.release.set()
    before = await service.profile(TENANT.id)

    engine.release.clear()
    engine.names = [*ENGLISH, "sparkling water lime"]
    service.forget(TENANT.id)  # the catalog changed
    await asyncio.wait_for(service.search(TENANT, "sparkling"), timeout=2)
    assert engine.requests[-1].language == "en"  # the previous profile, not the fallback
    assert not before.vocabulary.knows("sparkling", term("sparkling"))

    engine.release.set()
    after = await asyncio.wait_for(service.profile(TENANT.id), timeout=2)
    assert after.vocabulary.knows("sparkling", term("sparkling"))
    assert engine.reads == 2
