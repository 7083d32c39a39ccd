"""Ports of the administration use cases."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from vizochok.core.admin.model import (
        AdminIdentity,
        AdminUser,
        ApiKeyInfo,
        AuditEntry,
        DailyActivity,
        LedgerRow,
        SettingsPatch,
    )
    from vizochok.core.models import Tenant


@runtime_checkable
class PasswordHasher(Protocol):
    """Slow, salted password hashes."""

    async def hash(self, password: str) -> str:
        """A hash to store."""
        ...

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether the password matches."""
        ...


@runtime_checkable
class AdminSessions(Protocol):
    """Signed-in admin sessions with their CSRF tokens."""

    async def create(self, identity: AdminIdentity) -> tuple[str, str]:
        """`(cookie token, csrf token)`."""
        ...

    async def get(self, token: str) -> tuple[AdminIdentity, str] | None:
        """The identity and CSRF token of a live session."""
        ...

    async def delete(self, token: str) -> None:
        """Sign out."""
        ...


@runtime_checkable
class LoginThrottle(Protocol):
    """Limits failed logins; checking and counting an attempt are one atomic step."""

    async def attempt(self, email: str, address: str) -> int:
        """Count an attempt unless one of its limits is reached: seconds to wait (0: allowed, counted)."""
        ...

    async def succeeded(self, email: str, address: str) -> None:
        """The attempt was right: it no longer counts as a failure."""
        ...


@runtime_checkable
class TenantAdmin(Protocol):
    """Tenants as the admin use cases see them: read, create, and a new shopper identity secret.

    The chat reads tenants through the narrow `TenantRepository` (`get` only); the admin API also creates
    them and rotates their identity secret, so its port says so (both twins in `adapters/db` have them).
    """

    async def get(self, tenant_id: str) -> Tenant | None:
        """The tenant, or None."""
        ...

    async def create(self, name: str, store_id: str, **settings: Any) -> Tenant:
        """A new tenant; a `store_id` already in use raises `core.admin.store_id_taken` (never a driver error)."""
        ...

    async def rotate_identity_secret(self, tenant_id: str, overlap_seconds: int) -> str:
        """A new identity secret, returned once; the old one keeps verifying for `overlap_seconds`."""
        ...


@runtime_checkable
class Auditor(Protocol):
    """Records who changed what (the admin service is one); services outside administration audit through it."""

    async def audit(
        self, identity: AdminIdentity, action: str, target: str = "", details: dict[str, Any] | None = None
    ) -> None:
        """One audit entry for the identity's tenant."""
        ...


@runtime_checkable
class AdminStore(Protocol):
    """Everything the admin API reads and writes, scoped to one tenant per call."""

    async def login_record(self, email: str) -> dict[str, Any] | None:
        """The user's id, tenant, role, password hash and state, across tenants; None for an unknown e-mail."""
        ...

    async def create_user(
        self, tenant_id: str | None, email: str, password_hash: str, role: str
    ) -> AdminUser:
        """A tenant's user, or an operator (`tenant_id` None); an e-mail in use raises `email_taken`."""
        ...

    async def list_users(self, tenant_id: str) -> list[AdminUser]:
        """The tenant's users."""
        ...

    async def set_user_disabled(self, tenant_id: str, user_id: str, disabled: bool) -> bool:
        """Disable or enable a user; False when the tenant has no such user."""
        ...

    async def audit(
        self, tenant_id: str, actor: str, action: str, target: str = "", details: dict[str, Any] | None = None
    ) -> None:
        """Record who changed what."""
        ...

    async def audit_entries(self, tenant_id: str, limit: int = 100) -> list[AuditEntry]:
        """The audit log, newest first."""
        ...

    async def list_keys(self, tenant_id: str) -> list[ApiKeyInfo]:
        """Every key of the tenant, never the key itself."""
        ...

    async def create_key(
        self, tenant_id: str, kind: str, scopes: list[str], name: str
    ) -> tuple[ApiKeyInfo, str]:
        """A new key and the raw key, which is returned once and never stored."""
        ...

    async def revoke_key(self, tenant_id: str, key_id: str) -> bool:
        """Revoke at once; False when the tenant has no such key."""
        ...

    async def rotate_key(
        self, tenant_id: str, key_id: str, overlap_seconds: int
    ) -> tuple[ApiKeyInfo, str] | None:
        """A successor key; the old one works for `overlap_seconds` more. None for no live key."""
        ...

    async def update_settings(self, tenant_id: str, patch: SettingsPatch) -> None:
        """Apply the fields the patch sets."""
        ...

    async def plan_of(self, tenant_id: str) -> str:
        """The tenant's plan name."""
        ...

    async def list_tenants(self) -> list[dict[str, Any]]:
        """Every tenant, for operators."""
        ...

    async def conversations(self, tenant_id: str, query: str | None, limit: int) -> list[dict[str, Any]]:
        """Recent conversations, optionally those whose messages contain `query`."""
        ...

    async def transcript(self, tenant_id: str, conversation_id: str) -> dict[str, Any] | None:
        """The conversation, its log entries in order and its LLM usage; None when there is none."""
        ...

    async def ledger(self, tenant_id: str, start: date, end: date) -> list[LedgerRow]:
        """Tokens and cost per day and model, `start` <= day < `end` (UTC)."""
        ...

    async def activity(self, tenant_id: str, start: date, end: date) -> list[DailyActivity]:
        """Conversations started, messages sent and products added, per day."""
        ...
