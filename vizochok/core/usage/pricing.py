"""What each LLM call cost: tokens as the provider reported them, priced from a per-model table."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field


class ModelPrice(BaseModel):
    """Price of a model in currency units per million tokens."""

    prompt: float = Field(ge=0)
    completion: float = Field(ge=0)


class UsageRecord(BaseModel):
    """One LLM call."""

    tenant_id: str
    conversation_id: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))


def price_of(record: UsageRecord, prices: dict[str, ModelPrice]) -> float:
    """Cost of a call; unknown models cost 0 and the operator sees them in the ledger by name."""
    price = prices.get(record.model)
    if price is None:
        return 0.0
    return round(
        (record.prompt_tokens * price.prompt + record.completion_tokens * price.completion) / 1_000_000, 8
    )


class UsageSnapshot(BaseModel):
    """The counters the tier-2 and tier-3 checks read before a turn."""

    user_messages: int = 0
    """Messages of this user today (UTC)."""
    user_conversations: int = 0
    """Conversations this user started today (UTC)."""
    tenant_tokens_day: int = 0
    """Tokens the tenant used today (UTC)."""
    tenant_tokens_month: int = 0
    """Tokens the tenant used this calendar month (UTC)."""
