"""The tool contract and the per-turn context tools work in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import BaseModel

from vizochok.core.chat.state import PendingTool
from vizochok.core.webhooks.signing import WebhookFailure

if TYPE_CHECKING:
    from vizochok.core.agent.emitter import TurnEmitter
    from vizochok.core.chat.state import ConversationState, LogEntry
    from vizochok.core.models import LivePrice, ProductInput, SearchHit, Tenant
    from vizochok.core.ports import CatalogRepository, Observer, RetailerWebhooks
    from vizochok.core.profile import UserProfile
    from vizochok.core.search.service import SearchService
    from vizochok.core.usage.pricing import UsageRecord


class ToolError(Exception):
    """A tool refused its arguments; the message goes back to the model, which may try again."""


@dataclass
class ToolResult:
    """What a tool hands back to the model."""

    content: dict[str, Any]
    pause: bool = False
    """Interactive tools pause the turn until the shopper answers."""
    pending: PendingTool | None = None
    """What the widget must redraw after a reconnect while the turn is paused."""


class Tool(Protocol):
    """A capability the model may call; registered through the `register_tools` hook."""

    name: ClassVar[str]
    description: ClassVar[str]
    args: ClassVar[type[BaseModel]]
    interactive: ClassVar[bool]

    async def run(self, turn: Turn, args: Any) -> ToolResult:
        """Do the work; raise `ToolError` for arguments the model should correct."""
        ...


@dataclass
class AgentServices:
    """What tools may use."""

    search: SearchService
    webhooks: RetailerWebhooks
    catalog: CatalogRepository
    observer: Observer | None = None


@dataclass
class Turn:
    """One turn of one conversation: the state tools read and change."""

    tenant: Tenant
    state: ConversationState
    store_id: str
    services: AgentServices
    emitter: TurnEmitter
    number: int = 0
    log: list[LogEntry] = field(default_factory=list)
    prices: dict[str, LivePrice] = field(default_factory=dict)
    """Live prices asked for in this turn; the only source of prices on cards."""
    products: dict[str, SearchHit] = field(default_factory=dict)
    """Catalog data of products found in this turn."""
    prices_failed: bool = False
    profile: UserProfile | None = None
    """The shopper's profile when the socket named a user and one exists."""
    usage: list[UsageRecord] = field(default_factory=list)
    """This turn's LLM calls, stored with its log entries in one transaction."""

    @property
    def session_id(self) -> str:
        """The shopper's id as the cart webhook knows it."""
        return self.state.user_id

    def require_seen(self, sku: str) -> None:
        """Refuse SKUs this conversation was never shown: the model must not invent products."""
        if sku not in self.state.seen_skus:
            msg = f"unknown sku {sku!r}: use a sku from search results or the cart"
            raise ToolError(msg)

    async def live_prices(self, skus: list[str]) -> dict[str, LivePrice]:
        """Prices for `skus`, asking the retailer once per turn for any not yet known."""
        missing = [s for s in skus if s not in self.prices]
        if missing:
            await self.emitter.status("checking_prices")
            try:
                self.prices.update(
                    await self.services.webhooks.fetch_prices(self.tenant, self.store_id, missing)
                )
            except WebhookFailure:
                self.prices_failed = True
        return {s: self.prices[s] for s in skus if s in self.prices}

    async def catalog_data(self, skus: list[str]) -> dict[str, ProductInput]:
        """Descriptive data of SKUs from the catalog."""
        return await self.services.catalog.get_products(self.tenant.id, skus)
