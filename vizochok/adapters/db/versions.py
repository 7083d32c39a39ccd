"""Tenant settings versions in Valkey: a change made in one process is seen by every process at once.

Each process keeps tenants in a short cache on the chat path (`cached.CachedTenantRepository`).
Every write to a tenant's settings bumps `tenant:ver:{tenant_id}`; a cached tenant is used only
while its version is still the current one, so the next request in any worker reads the change.
That costs one Valkey GET per cached read, instead of a PostgreSQL query and a decryption.
"""

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from valkey.asyncio import Valkey

_log = logging.getLogger(__name__)


def _key(tenant_id: str) -> str:
    return f"tenant:ver:{tenant_id}"


class ValkeyTenantVersions:
    """The current settings version of each tenant (absent = 0)."""

    def __init__(self, valkey: Valkey) -> None:
        self._valkey = valkey

    async def current(self, tenant_id: str) -> int:
        """The version now; raises when Valkey does not answer (the caller then reads afresh)."""
        value = await self._valkey.get(_key(tenant_id))
        return int(value or 0)

    async def bump(self, tenant_id: str) -> None:
        """Mark the tenant's settings changed (no expiry: a version must never go back)."""
        await self._valkey.incr(_key(tenant_id))


TENANT_WRITES = frozenset({
    "update_webhooks",  # PostgresTenantRepository
    "update_settings", "create_key", "revoke_key", "rotate_key",  # PostgresAdminStore (create_key: both)
})  # fmt: skip
"""Methods that change what a cached `Tenant` holds. A new writer of tenant settings belongs here."""


class BumpOnWrite:
    """A repository whose writes (`TENANT_WRITES`) bump the tenant's version after they succeed.

    The tenant is the first argument of each of those methods (`tenant_id`). Everything else
    goes straight to the wrapped repository.
    """

    def __init__(
        self, inner: Any, versions: ValkeyTenantVersions, writes: frozenset[str] = TENANT_WRITES
    ) -> None:
        self._inner = inner
        self._versions = versions
        self._writes = writes

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name not in self._writes:
            return attribute

        @functools.wraps(attribute)
        async def write(*args: Any, **kwargs: Any) -> Any:
            result = await attribute(*args, **kwargs)
            tenant_id = kwargs.get("tenant_id", args[0] if args else None)
            if isinstance(tenant_id, str):
                await self._versions.bump(tenant_id)
            return result

        return write


__all__ = ("TENANT_WRITES", "BumpOnWrite", "ValkeyTenantVersions")
