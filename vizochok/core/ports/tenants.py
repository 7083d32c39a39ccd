"""Ports: Tenants and their API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from vizochok.core.models import Principal, Tenant


@runtime_checkable
class TenantRepository(Protocol):
    """Tenants and their settings."""

    async def get(self, tenant_id: str) -> Tenant | None:
        """The tenant with its webhook secret decrypted, or None."""
        ...


@runtime_checkable
class KeyRepository(Protocol):
    """API keys, stored as SHA-256 hashes."""

    async def authenticate(self, raw_key: str) -> Principal | None:
        """The key's principal, or None when it is unknown or revoked."""
        ...


__all__ = (
    "KeyRepository",
    "TenantRepository",
)
