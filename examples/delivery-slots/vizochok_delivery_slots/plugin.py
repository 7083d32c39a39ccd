"""A third-party tool: the model can offer the shopper delivery slots for a day.

A real plugin would ask the retailer's logistics API; this one computes slots so that it can
run anywhere. It shows the contract: a pydantic argument model, an `async def` declared a tool
with `@tool`, and a `register_tools` hook implementation.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from vizochok.core.agent.tools import ToolError, ToolResult, tool
from vizochok.plugins import hookimpl

if TYPE_CHECKING:
    from vizochok.core.agent.tools import Turn

SLOTS = ("09:00-11:00", "11:00-13:00", "15:00-17:00", "18:00-20:00")


class SlotsArgs(BaseModel):  # noqa: D101 - a docstring would reach the model as the schema's description
    day: date = Field(description="Delivery day, YYYY-MM-DD.")


@tool(
    "get_delivery_slots",
    SlotsArgs,
    description="Free delivery time windows for a day (YYYY-MM-DD) within the next 14 days.",
)
async def delivery_slots(turn: Turn, args: SlotsArgs) -> ToolResult:
    """Free delivery windows for a day in the next two weeks; weekends have fewer, other days are refused."""
    today = date.today()  # noqa: DTZ011 - the example's day is the server's local day
    if not today <= args.day <= today + timedelta(days=14):
        msg = "choose a day from today to 14 days ahead"
        raise ToolError(msg)
    slots: list[Any] = list(SLOTS[1:3] if args.day.weekday() >= 5 else SLOTS)  # noqa: PLR2004
    return ToolResult({"day": args.day.isoformat(), "store_id": turn.store_id, "slots": slots})


@hookimpl
def register_tools(register: Any) -> None:
    """Contribute the tool; tenants that do not want it list it in `disabled_tools`."""
    register(delivery_slots)
