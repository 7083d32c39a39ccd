"""Interactive tools: they draw UI in the widget and pause the turn until the shopper answers."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, field_validator

from vizochok.core.agent.builtin.args import ProductLine
from vizochok.core.agent.tools import ToolError, ToolResult, tool
from vizochok.core.chat.state import PendingTool
from vizochok.core.frames import (
    ChecklistItem,
    IngredientChecklist,
    Meal,
    MealDay,
    MealItem,
    MealPlan,
    QuickReplies,
    QuickReplyOption,
)

if TYPE_CHECKING:
    from vizochok.core.agent.tools import Turn
    from vizochok.core.frames import ServerFrame

MAX_OPTIONS = 8
MAX_LABEL = 120
"""Characters of a quick-reply button's label."""


def _pause(turn: Turn, tool: str, frame: ServerFrame) -> ToolResult:
    turn.emitter.ui(frame)
    return ToolResult(
        {"status": "waiting_for_shopper"}, pause=True, pending=PendingTool(tool=tool, payload=frame.dump())
    )


class Option(BaseModel):  # noqa: D101 - a docstring would reach the model as the schema's description
    label: str = Field(min_length=1, max_length=MAX_LABEL)
    value: str = Field(min_length=1, max_length=200)


class AskUserArgs(BaseModel):  # noqa: D101 - a docstring would reach the model as the schema's description
    question: str = Field(min_length=1, max_length=500)
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)

    @field_validator("options", mode="before")
    @classmethod
    def _plain_strings(cls, value: object) -> object:
        # Models often send options as plain strings; each becomes its own label and value.
        if isinstance(value, list):
            return [{"label": v, "value": v} if isinstance(v, str) else v for v in value]
        return value


@tool(
    "ask_user",
    AskUserArgs,
    description=(
        "Ask the shopper a question with 2-8 short options (quick-reply buttons) when the request is "
        "ambiguous. The turn pauses; the shopper's choice arrives as this tool's result {answer}."
    ),
    interactive=True,
)
async def ask_user(turn: Turn, args: AskUserArgs) -> ToolResult:
    """Show quick replies and wait; the shopper's choice comes back as this tool's result."""
    frame = QuickReplies(
        question=args.question, options=[QuickReplyOption(**o.model_dump()) for o in args.options]
    )
    return _pause(turn, ask_user.name, frame)


class ChecklistArgs(BaseModel):  # noqa: D101 - a docstring would reach the model as the schema's description
    recipe: str = Field(min_length=1, max_length=200)
    servings: int = Field(ge=1, le=50)
    items: list[ProductLine] = Field(min_length=1, max_length=40)


@tool(
    "show_recipe_checklist",
    ChecklistArgs,
    description=(
        "Show a recipe's ingredients (SKUs from search results, quantities in each product's unit) as a "
        "checklist. The shopper unticks what they already have and submits; the rest is added to the cart."
    ),
    interactive=True,
)
async def show_recipe_checklist(turn: Turn, args: ChecklistArgs) -> ToolResult:
    """A recipe's ingredients as a checklist priced by the retailer; lines it cannot sell are left out and reported."""
    for line in args.items:
        turn.require_seen(line.sku)
    skus = list(dict.fromkeys(line.sku for line in args.items))
    prices = await turn.live_prices(skus)
    catalog = await turn.catalog_data(skus)
    items, missing = [], []
    for line in args.items:
        price, product = prices.get(line.sku), catalog.get(line.sku)
        if price is None or not price.in_stock or product is None:
            missing.append(line.sku)
            continue
        quantity = _round_to_step(line.quantity, product.quantity_step, product.unit)
        items.append(
            ChecklistItem(
                sku=line.sku, name=product.name, quantity=quantity, unit=product.unit, price=price.price,
                promo_price=price.promo_price, checked=True,
            )
        )  # fmt: skip
    if not items:
        raise ToolError("none of these products can be sold right now; search again")
    result = _pause(
        turn,
        show_recipe_checklist.name,
        IngredientChecklist(recipe=args.recipe, servings=args.servings, items=items),
    )
    result.content["not_available"] = missing
    return result


class MealArgs(BaseModel):  # noqa: D101 - a docstring would reach the model as the schema's description
    name: str = Field(min_length=1, max_length=120)
    items: list[ProductLine] = Field(default_factory=list, max_length=20)


class DayArgs(BaseModel):  # noqa: D101 - a docstring would reach the model as the schema's description
    day: str = Field(min_length=1, max_length=60)
    meals: list[MealArgs] = Field(min_length=1, max_length=6)


class MealPlanArgs(BaseModel):  # noqa: D101 - a docstring would reach the model as the schema's description
    days: list[DayArgs] = Field(min_length=1, max_length=14)


@tool(
    "show_meal_plan",
    MealPlanArgs,
    description=(
        "Show a meal plan: days, meals, and for each meal the products (SKUs from search results) with "
        "quantities. The shopper approves it (all products go into the cart) or asks for changes, which "
        "arrive as this tool's result {modify}."
    ),
    interactive=True,
)
async def show_meal_plan(turn: Turn, args: MealPlanArgs) -> ToolResult:
    """Draw the plan with catalog names and units."""
    skus = list(dict.fromkeys(i.sku for d in args.days for m in d.meals for i in m.items))
    for sku in skus:
        turn.require_seen(sku)
    catalog = await turn.catalog_data(skus)
    prices = await turn.live_prices(skus)

    def unit_price(sku: str) -> float | None:
        price = prices.get(sku)
        if price is None:
            return None
        return price.promo_price if price.promo_price is not None else price.price

    days = [
        MealDay(
            day=d.day,
            meals=[
                Meal(
                    name=m.name,
                    items=[
                        MealItem(
                            sku=i.sku,
                            name=catalog[i.sku].name,
                            quantity=i.quantity,
                            unit=catalog[i.sku].unit,
                            price=unit_price(i.sku),
                        )
                        for i in m.items
                        if i.sku in catalog
                    ],
                )
                for m in d.meals
            ],
        )
        for d in args.days
    ]
    # The shopper sees what approving costs before approving it.
    total = round(sum((i.price or 0.0) * i.quantity for d in days for m in d.meals for i in m.items), 2)
    return _pause(turn, show_meal_plan.name, MealPlan(days=days, total=total))


def _round_to_step(quantity: float, step: float | None, unit: str) -> float:
    step = step or (1.0 if unit == "pcs" else None)
    if not step:
        return quantity
    return round(max(step, math.ceil(quantity / step - 1e-9) * step), 3)
