"""What a turn asks of the shared cache as it starts and as it ends (the `TurnStore` port).

A turn's bookkeeping in the cache — tier 1, tiers 2 and 3, the conversation's lease, the session,
the counters — is gathered into one request at each end, so that an adapter can do each in one
round trip, and so that checking a user's daily cap and counting the message is one atomic step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from vizochok.core.chat.state import ConversationState

Refusal = Literal["window", "user_messages", "user_conversations", "tokens_day", "tokens_month", "busy"]
"""Why a turn may not start, in the order the checks run (tier 1, tier 2, tier 3, `agent_busy`)."""


@dataclass(frozen=True, slots=True)
class WindowHit:
    """Tier 1: one hit in a sliding window, counted even when refused."""

    scope: str
    limit: int
    window_seconds: float


@dataclass(frozen=True, slots=True)
class DailyQuota:
    """Tiers 2 and 3 for a turn the model answers: checked and, once admitted, counted in one step."""

    user_id: str
    day: str
    """UTC date, `YYYY-MM-DD`."""
    month: str
    """UTC month, `YYYY-MM`."""
    new_conversation: bool
    """The message starts a conversation that `user_conversations_per_day` has not counted yet."""
    user_messages_per_day: int
    user_conversations_per_day: int
    tenant_tokens_per_day: int
    tenant_tokens_per_month: int


@dataclass(frozen=True, slots=True)
class TurnStart:
    """Everything checked, taken and read before a turn runs, in this order."""

    tenant_id: str
    conversation_id: str
    lease_seconds: float
    window: WindowHit | None = None
    """None when tier 1 was already checked, or no limits apply."""
    quota: DailyQuota | None = None
    """None for card actions (tier 1 only) and when no limits apply."""


@dataclass(slots=True)
class TurnLease:
    """A started turn: it holds the conversation's lock until `TurnStore.end`."""

    tenant_id: str
    conversation_id: str
    token: str
    counted: DailyQuota | None
    """What `begin` counted (only when the session was found), so that `end` can take it back."""


@dataclass(slots=True)
class TurnBegun:
    """The answer to `TurnStore.begin`: a refusal, or the lease and the session (None once it expired)."""

    refused: Refusal | None = None
    retry_after: float = 0.0
    """Seconds until tier 1 would allow a frame (with `refused == "window"`)."""
    lease: TurnLease | None = None
    state: ConversationState | None = None


@dataclass(frozen=True, slots=True)
class TurnEnd:
    """What a finished turn writes back before its lock is released."""

    save: ConversationState | None
    """The session to store (None: leave it as it was)."""
    ttl_seconds: int
    tokens: int = 0
    """Model tokens of this turn, added to the tenant's budgets of `day` and `month`."""
    day: str = ""
    month: str = ""
    uncount: bool = False
    """The turn was refused after `begin` counted it (`session_token_limit`): take the count back."""
