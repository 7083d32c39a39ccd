"""A short-lived cache in front of the tenant repository, by wrapping (STYLE §2).

Every socket's handshake reads its tenant; under load that is one PostgreSQL round trip per
connection for data that changes rarely. Changes show up within `ttl_seconds`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vizochok.core.models import Tenant
    from vizochok.core.ports import TenantRepository


class CachedTenantRepository:
    """`TenantRepository` that remembers each answer for `ttl_seconds` (misses are not cached)."""

    def __init__(self, inner: TenantRepository, ttl_seconds: float = 5.0) -> None:
        self._inner = inner
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[float, Tenant]] = {}

    async def get(self, tenant_id: str) -> Tenant | None:
        """The tenant, from the cache while it is fresh."""
        now = time.monotonic()
        hit = self._cache.get(tenant_id)
        if hit is not None and hit[0] > now:
            return hit[1]
        tenant = await self._inner.get(tenant_id)
        if tenant is not None:
            self._cache[tenant_id] = (now + self._ttl, tenant)
        return tenant


class CachedCatalogPresence:
    """`CatalogRepository` whose `has_catalog` answer "yes" is remembered for `ttl_seconds`.

    The chat asks before every message whether the tenant has a searchable catalog; once it has
    one, it rarely stops having one. "No" is never cached, so a first import shows up at once.
    Every other method goes straight to the wrapped repository.
    """

    def __init__(self, inner: Any, ttl_seconds: float = 5.0) -> None:
        self._inner = inner
        self._ttl = ttl_seconds
        self._present: dict[str, float] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def has_catalog(self, tenant_id: str) -> bool:
        """Whether the tenant has at least one active, searchable product."""
        now = time.monotonic()
        if self._present.get(tenant_id, 0.0) > now:
            return True
        found = bool(await self._inner.has_catalog(tenant_id))
        if found:
            self._present[tenant_id] = now + self._ttl
        return found
