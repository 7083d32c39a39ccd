"""A third-party tool: the model can offer the shopper delivery slots for a day.

A real plugin would ask the retailer's logistics API; this one computes slots so that it can
run anywhere. It shows the contract: a pydantic argument model, `run(turn, args)`, and a
`register_tools` hook implementation.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, Field

from vizochok.core.agent.tools import ToolError, ToolResult
from vizochok.plugins import hookimpl

if TYPE_CHECKING:
    from vizochok.core.agent.tools import Turn

SLOTS = ("09:00-11:00", "11:00-13:00", "15:00-17:00", "18:00-20:00")


class SlotsArgs(BaseModel):  # noqa: D101 - a docstring would reach the model as the schema's description
    day: date = Field(description="Delivery day, YYYY-MM-DD.")


class DeliverySlots:
    """Free delivery windows for a day in the next two weeks."""

    name: ClassVar[str] = "get_delivery_slots"
    description: ClassVar[str] = "Free delivery time windows for a day (YYYY-MM-DD) within the next 14 days."
    args: ClassVar[type[BaseModel]] = SlotsArgs
    interactive: ClassVar[bool] = False

    async def run(self, turn: Turn, args: SlotsArgs) -> ToolResult:
        """Weekends have fewer slots; past days and days too far ahead are refused."""
        today = date.today()  # noqa: DTZ011 - the calendar day where the server (the store) is
        if not today <= args.day <= today + timedelta(days=14):
            msg = "choose a day from today to 14 days ahead"
            raise ToolError(msg)
        slots: list[Any] = list(SLOTS[1:3] if args.day.weekday() >= 5 else SLOTS)  # noqa: PLR2004
        return ToolResult({"day": args.day.isoformat(), "store_id": turn.store_id, "slots": slots})


@hookimpl
def register_tools(register: Any) -> None:
    """Contribute the tool; tenants that do not want it list it in `disabled_tools`."""
    register(DeliverySlots())
