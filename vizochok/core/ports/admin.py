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
class AdminStore(Protocol):
    """Everything the admin API reads and writes, scoped to one tenant per call."""

    async def login_record(self, email: str) -> dict[str, Any] | None: ...  # noqa: D102
    async def create_user(
        self, tenant_id: str | None, email: str, password_hash: str, role: str
    ) -> AdminUser: ...
    async def list_users(self, tenant_id: str) -> list[AdminUser]: ...  # noqa: D102
    async def set_user_disabled(self, tenant_id: str, user_id: str, disabled: bool) -> bool: ...  # noqa: D102
    async def audit(
        self, tenant_id: str, actor: str, action: str, target: str = "", details: dict[str, Any] | None = None
    ) -> None: ...
    async def audit_entries(self, tenant_id: str, limit: int = 100) -> list[AuditEntry]: ...  # noqa: D102
    async def list_keys(self, tenant_id: str) -> list[ApiKeyInfo]: ...  # noqa: D102
    async def create_key(
        self, tenant_id: str, kind: str, scopes: list[str], name: str
    ) -> tuple[ApiKeyInfo, str]: ...
    async def revoke_key(self, tenant_id: str, key_id: str) -> bool: ...  # noqa: D102
    async def rotate_key(
        self, tenant_id: str, key_id: str, overlap_seconds: int
    ) -> tuple[ApiKeyInfo, str] | None: ...
    async def update_settings(self, tenant_id: str, patch: SettingsPatch) -> None: ...  # noqa: D102
    async def plan_of(self, tenant_id: str) -> str: ...  # noqa: D102
    async def list_tenants(self) -> list[dict[str, Any]]: ...  # noqa: D102
    async def conversations(self, tenant_id: str, query: str | None, limit: int) -> list[dict[str, Any]]: ...  # noqa: D102
    async def transcript(self, tenant_id: str, conversation_id: str) -> dict[str, Any] | None: ...  # noqa: D102
    async def ledger(self, tenant_id: str, start: date, end: date) -> list[LedgerRow]: ...  # noqa: D102
    async def activity(self, tenant_id: str, start: date, end: date) -> list[DailyActivity]: ...  # noqa: D102
