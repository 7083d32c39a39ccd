"""Ports: Usage counters behind the limits, and the ledger of LLM calls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from vizochok.core.usage.pricing import UsageRecord, UsageSnapshot


@runtime_checkable
class UsageLimiter(Protocol):
    """Counters behind the three limit tiers and the per-key socket cap, shared by every process."""

    async def hit_window(self, tenant_id: str, scope: str, limit: int, window_seconds: float) -> float:
        """Record one event in the tenant's `scope` sliding window; 0 when allowed, else seconds until one would be.

        The tenant is part of the window's identity so that a cache can keep it with the tenant's
        other keys (one slot of a cluster), as the turn's one-step start needs.
        """
        ...

    async def snapshot(self, tenant_id: str, user_id: str, day: str, month: str) -> UsageSnapshot:
        """The user's daily counters and the tenant's token counters, read in one round trip."""
        ...

    async def count_user(
        self, tenant_id: str, user_id: str, day: str, *, messages: int, conversations: int
    ) -> None:
        """Add to the user's daily counters (they expire 25 h after the day's first write)."""
        ...

    async def add_tokens(self, tenant_id: str, day: str, month: str, tokens: int) -> None:
        """Add to the tenant's daily and monthly token counters."""
        ...

    async def open_socket(self, key_id: str, socket_id: str, limit: int, stale_seconds: float) -> bool:
        """Register a socket under its key; False when `limit` live sockets already hold it."""
        ...

    async def refresh_socket(self, key_id: str, socket_id: str) -> None:
        """Mark the socket alive now (heartbeat)."""
        ...

    async def close_socket(self, key_id: str, socket_id: str) -> None:
        """Forget the socket."""
        ...


@runtime_checkable
class UsageRecorder(Protocol):
    """The ledger of LLM calls: tokens and cost per tenant, conversation and model."""

    async def record(self, record: UsageRecord) -> None:
        """Store one call (priced by the adapter from the settings' price table)."""
        ...


__all__ = (
    "UsageLimiter",
    "UsageRecorder",
)
