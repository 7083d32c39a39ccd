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
    """`TenantRepository` that remembers each answer for `ttl_seconds` (misses are not cached).

    With `versions`, a remembered tenant is used only while its settings version is unchanged:
    a change made through the admin API in any process applies to the very next request here.
    """

    def __init__(self, inner: TenantRepository, ttl_seconds: float = 5.0, versions: Any = None) -> None:
        self._inner = inner
        self._ttl = ttl_seconds
        self._versions = versions
        self._cache: dict[str, tuple[float, int, Tenant]] = {}

    async def get(self, tenant_id: str) -> Tenant | None:
        """The tenant, from the cache while it is fresh and its version current."""
        now = time.monotonic()
        version = -1
        if self._versions is not None:
            try:
                version = await self._versions.current(tenant_id)
            except Exception:  # noqa: BLE001 - Valkey away: read afresh rather than risk a stale tenant
                self._cache.pop(tenant_id, None)
                return await self._inner.get(tenant_id)
        hit = self._cache.get(tenant_id)
        if hit is not None and hit[0] > now and hit[1] == version:
            return hit[2]
        tenant = await self._inner.get(tenant_id)
        if tenant is not None:
            self._cache[tenant_id] = (now + self._ttl, version, tenant)
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
