"""Interactive tools: they draw UI in the widget and pause the turn until the shopper answers."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, Field, field_validator

from vizochok.core.agent.tools import ToolError, ToolResult
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


def _pause(turn: Turn, tool: str, frame: ServerFrame) -> ToolResult:
    turn.emitter.ui(frame)
    return ToolResult(
        {"status": "waiting_for_shopper"}, pause=True, pending=PendingTool(tool=tool, payload=frame.dump())
    )


class Option(BaseModel):
    label: str = Field(min_length=1, max_length=120)
    value: str = Field(min_length=1, max_length=200)


class AskUserArgs(BaseModel):
    question: str = Field(min_length=1, max_length=500)
    options: list[Option] = Field(min_length=2, max_length=MAX_OPTIONS)

    @field_validator("options", mode="before")
    @classmethod
    def _plain_strings(cls, value: object) -> object:
        # Models often send options as plain strings; each becomes its own label and value.
        if isinstance(value, list):
            return [{"label": v, "value": v} if isinstance(v, str) else v for v in value]
        return value


class AskUser:
    """Ask the shopper to choose; the answer comes back as this tool's result."""

    name: ClassVar[str] = "ask_user"
    description: ClassVar[str] = (
        "Ask the shopper a question with 2-8 short options (quick-reply buttons) when the request is "
        "ambiguous. The turn pauses; the shopper's choice arrives as this tool's result {answer}."
    )
    args: ClassVar[type[BaseModel]] = AskUserArgs
    interactive: ClassVar[bool] = True

    async def run(self, turn: Turn, args: AskUserArgs) -> ToolResult:
        """Show quick replies and wait."""
        frame = QuickReplies(
            question=args.question, options=[QuickReplyOption(**o.model_dump()) for o in args.options]
        )
        return _pause(turn, self.name, frame)


class ChecklistLine(BaseModel):
    sku: str = Field(min_length=1)
    quantity: float = Field(gt=0)


class ChecklistArgs(BaseModel):
    recipe: str = Field(min_length=1, max_length=200)
    servings: int = Field(ge=1, le=50)
    items: list[ChecklistLine] = Field(min_length=1, max_length=40)


class ShowRecipeChecklist:
    """A recipe's ingredients as a checkable list; the checked ones go into the cart on submit."""

    name: ClassVar[str] = "show_recipe_checklist"
    description: ClassVar[str] = (
        "Show a recipe's ingredients (SKUs from search results, quantities in each product's unit) as a "
        "checklist. The shopper unticks what they already have and submits; the rest is added to the cart."
    )
    args: ClassVar[type[BaseModel]] = ChecklistArgs
    interactive: ClassVar[bool] = True

    async def run(self, turn: Turn, args: ChecklistArgs) -> ToolResult:
        """Price every line with the retailer; lines it cannot sell are left out and reported."""
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
            turn, self.name, IngredientChecklist(recipe=args.recipe, servings=args.servings, items=items)
        )
        result.content["not_available"] = missing
        return result


class MealLineArgs(BaseModel):
    sku: str = Field(min_length=1)
    quantity: float = Field(gt=0)


class MealArgs(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    items: list[MealLineArgs] = Field(default_factory=list, max_length=20)


class DayArgs(BaseModel):
    day: str = Field(min_length=1, max_length=60)
    meals: list[MealArgs] = Field(min_length=1, max_length=6)


class MealPlanArgs(BaseModel):
    days: list[DayArgs] = Field(min_length=1, max_length=14)


class ShowMealPlan:
    """A multi-day plan the shopper approves (everything goes into the cart) or asks to change."""

    name: ClassVar[str] = "show_meal_plan"
    description: ClassVar[str] = (
        "Show a meal plan: days, meals, and for each meal the products (SKUs from search results) with "
        "quantities. The shopper approves it (all products go into the cart) or asks for changes, which "
        "arrive as this tool's result {modify}."
    )
    args: ClassVar[type[BaseModel]] = MealPlanArgs
    interactive: ClassVar[bool] = True

    async def run(self, turn: Turn, args: MealPlanArgs) -> ToolResult:
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
                            )  # fmt: skip
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
        return _pause(turn, self.name, MealPlan(days=days, total=total))


def _round_to_step(quantity: float, step: float | None, unit: str) -> float:
    step = step or (1.0 if unit == "pcs" else None)
    if not step:
        return quantity
    return round(max(step, math.ceil(quantity / step - 1e-9) * step), 3)
