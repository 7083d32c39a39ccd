"""A short-lived cache in front of the tenant repository, by wrapping (STYLE §2).

Every socket's handshake reads its tenant; under load that is one PostgreSQL round trip per
connection for data that changes rarely. Changes show up within `ttl_seconds`.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

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
