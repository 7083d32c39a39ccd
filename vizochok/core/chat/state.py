"""Conversation state and the messages exchanged with a language model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from vizochok.core.models import CartItem


class ToolCall(BaseModel):
    """A model's request to run one tool."""

    id: str
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)


class ChatMessage(BaseModel):
    """One message of the model-facing history."""

    role: Literal["user", "assistant", "tool"]
    content: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    tool_call_id: str | None = None
    name: str | None = None
    """Tool name, on `tool` messages."""


class PendingTool(BaseModel):
    """The last interactive frame the shopper has not answered."""

    tool: str
    payload: dict[str, Any]
    tool_call_id: str | None = None


class ConversationState(BaseModel):
    """Everything a conversation needs between turns; lives in the session store."""

    conversation_id: str
    tenant_id: str
    user_id: str
    store_id: str
    selection: list[CartItem] = Field(default_factory=list)
    pending_tool: PendingTool | None = None
    seen_skus: list[str] = Field(default_factory=list)
    """SKUs this conversation was shown in search results or found in the cart."""
    history: list[ChatMessage] = Field(default_factory=list)
    tokens_used: int = 0
    llm_calls: int = 0
    language: str | None = None
    stale: bool = Field(default=False, exclude=True)
    """Read back from a cache that restarted since it was written (an old snapshot may be behind the
    retailer): the selection is re-read from the retailer's cart before it is shown or used."""

    def remember_skus(self, skus: list[str]) -> None:
        """Mark SKUs as seen, so that tools may act on them."""
        known = set(self.seen_skus)
        for sku in skus:
            if sku not in known:
                known.add(sku)
                self.seen_skus.append(sku)

    def selection_total(self) -> float:
        """Cart value, using the promo price where there is one."""
        return round(
            sum(
                (i.promo_price if i.promo_price is not None else i.price) * i.quantity for i in self.selection
            ),
            2,
        )


LogKind = Literal["user_message", "assistant_message", "tool_call", "tool_result", "frame", "action"]


class LogEntry(BaseModel):
    """One durable record of a conversation, in the order it happened."""

    kind: LogKind
    payload: dict[str, Any]
    turn: int = 0
    created_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
