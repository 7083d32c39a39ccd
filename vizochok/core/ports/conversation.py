"""Ports: a shopper's conversation: live session, turn bookkeeping, durable log, profile."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from vizochok.core.chat.state import ConversationState, LogEntry
    from vizochok.core.chat.turns import TurnBegun, TurnEnd, TurnLease, TurnStart
    from vizochok.core.profile import UserProfile
    from vizochok.core.usage.pricing import UsageRecord


@runtime_checkable
class SessionStore(Protocol):
    """Live conversation state with an inactivity TTL, and the one-turn-at-a-time lease."""

    async def load(self, tenant_id: str, conversation_id: str) -> ConversationState | None:
        """The session, or None once it expired."""
        ...

    async def save(self, state: ConversationState, ttl_seconds: int) -> None:
        """Store the session and restart its inactivity clock."""
        ...

    def turn_lease(
        self, tenant_id: str, conversation_id: str, lease_seconds: float
    ) -> AbstractAsyncContextManager[bool]:
        """Hold the conversation's turn lock; yields False when another turn holds it."""
        ...


@runtime_checkable
class TurnStore(Protocol):
    """A turn's work in the shared cache: everything before it in one step, everything after it in one step."""

    async def begin(self, start: TurnStart) -> TurnBegun:
        """Tier 1, tiers 2 and 3, the lease, the session, then the count; the first refusal stops the rest.

        The user's daily counters are checked and counted atomically, and only when the turn holds the
        lease and its session exists (an expired session is returned as None, leased, uncounted).
        """
        ...

    async def end(self, lease: TurnLease, end: TurnEnd) -> None:
        """Save the session, add the tokens, take back a refused count, then release the lease."""
        ...


@runtime_checkable
class ConversationLog(Protocol):
    """Durable record of conversations: messages, tool calls and results, emitted frames."""

    async def start(self, state: ConversationState) -> None:
        """Record a new conversation."""
        ...

    async def append(
        self,
        tenant_id: str,
        conversation_id: str,
        entries: Sequence[LogEntry],
        usage: Sequence[UsageRecord] = (),
    ) -> None:
        """Append entries in order, and store the LLM calls in `usage` (priced) in the same transaction."""
        ...

    async def entries(self, tenant_id: str, conversation_id: str) -> list[LogEntry]:
        """Every entry in order."""
        ...


@runtime_checkable
class ProfileRepository(Protocol):
    """Shoppers' profiles, per tenant."""

    async def get(self, tenant_id: str, user_id: str) -> UserProfile | None:
        """The profile, or None."""
        ...

    async def save(self, tenant_id: str, profile: UserProfile) -> None:
        """Create or replace the profile."""
        ...


__all__ = (
    "ConversationLog",
    "ProfileRepository",
    "SessionStore",
    "TurnStore",
)
