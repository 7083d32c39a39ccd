"""The tool contract and the per-turn context tools work in.

A tool is declared once, with `@tool`: its name, the description the model reads, and a pydantic
argument model, which is the single source of the JSON schema the model gets, of the validation of
every call, and of the calls the keyless planner writes (`Tool.call`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from vizochok.core.chat.state import PendingTool
from vizochok.core.llm.messages import ToolSpec
from vizochok.core.webhooks.signing import WebhookFailure

if TYPE_CHECKING:
    from vizochok.core.agent.emitter import TurnEmitter
    from vizochok.core.chat.state import ConversationState, LogEntry
    from vizochok.core.models import LivePrice, ProductInput, SearchHit, Tenant
    from vizochok.core.ports import CatalogRepository, CatalogSearch, Observer, RetailerWebhooks
    from vizochok.core.profile import UserProfile
    from vizochok.core.usage.pricing import UsageRecord

A = TypeVar("A", bound=BaseModel)

_log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Tool(Generic[A]):
    """A capability the model may call; declare one with `@tool`, register it through `register_tools`."""

    name: str
    description: str
    """What the model reads to decide when to call it."""
    args: type[A]
    """The arguments' model: the JSON schema sent to the model and the validation of every call."""
    run: Callable[[Turn, A], Awaitable[ToolResult]]
    """Does the work; raises `ToolError` for arguments the model should correct."""
    interactive: bool = False
    """Interactive tools draw a frame and pause the turn until the shopper answers."""

    def spec(self) -> ToolSpec:
        """The tool as a model request offers it."""
        return ToolSpec(name=self.name, description=self.description, parameters=_schema(self.args))

    def parse(self, arguments: dict[str, Any]) -> A:
        """The model's arguments as the tool's model; raises pydantic's `ValidationError`."""
        return self.args.model_validate(arguments)

    def call(self, **arguments: Any) -> tuple[str, dict[str, Any]]:
        """A call of this tool as a planner writes it, `(name, arguments)`, checked against the argument model.

        Arguments the model refuses are written as they are: the agent loop answers them with the
        validation errors, as it answers any model's invalid call, so a planner never fails a turn.
        """
        try:
            parsed = self.args.model_validate(arguments)
        except ValidationError as exc:
            _log.warning(
                "a planned %s call has invalid arguments: %s", self.name, exc.errors(include_url=False)
            )
            return self.name, arguments
        return self.name, parsed.model_dump(mode="json", exclude_unset=True)


@functools.cache
def _schema(args: type[BaseModel]) -> dict[str, Any]:
    """A tool's JSON schema, built once per model: pydantic takes milliseconds to build one."""
    return args.model_json_schema()


def tool(
    name: str, args: type[A], *, description: str, interactive: bool = False
) -> Callable[[Callable[[Turn, A], Awaitable[ToolResult]]], Tool[A]]:
    """Declare a tool: decorate `async def run(turn, args) -> ToolResult` with its name and argument model.

    ```python
    @tool("get_delivery_slots", SlotsArgs, description="Free delivery windows for a day.")
    async def delivery_slots(turn: Turn, args: SlotsArgs) -> ToolResult: ...
    ```
    """

    def declare(run: Callable[[Turn, A], Awaitable[ToolResult]]) -> Tool[A]:
        return Tool(name=name, description=description, args=args, run=run, interactive=interactive)

    return declare


@dataclass
class AgentServices:
    """What tools may use."""

    search: CatalogSearch
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
