"""The short caches in front of the tenant and catalog repositories."""

from __future__ import annotations

import asyncio

import pytest

from vizochok.adapters.db.cached import CachedCatalogPresence, CachedTenantRepository
from vizochok.adapters.db.memory import InMemoryCatalogRepository, InMemoryTenantRepository
from vizochok.core.models import Tenant

pytestmark = pytest.mark.asyncio


async def test_tenant_is_cached_briefly_and_misses_are_not() -> None:
    inner = InMemoryTenantRepository()
    cached = CachedTenantRepository(inner, ttl_seconds=0.2)
    assert await cached.get("tnt_a") is None
    inner.add(Tenant(id="tnt_a", name="A", store_id="s"))
    first = await cached.get("tnt_a")
    assert first is not None
    inner.add(Tenant(id="tnt_a", name="renamed", store_id="s"))
    assert (await cached.get("tnt_a")) is first
    await asyncio.sleep(0.25)
    assert (await cached.get("tnt_a")).name == "renamed"  # type: ignore[union-attr]


async def test_catalog_presence_caches_only_yes() -> None:
    class Counting(InMemoryCatalogRepository):
        calls = 0
        answer = False

        async def has_catalog(self, tenant_id: str) -> bool:
            self.calls += 1
            return self.answer

    inner = Counting()
    cached = CachedCatalogPresence(inner, ttl_seconds=60)
    assert await cached.has_catalog("tnt_a") is False
    inner.answer = True
    assert await cached.has_catalog("tnt_a") is True
    assert await cached.has_catalog("tnt_a") is True
    assert inner.calls == 2
    assert await cached.count_active("tnt_a") == 0  # everything else goes through
