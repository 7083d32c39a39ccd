"""Shopper actions that need no model: card buttons act on the cart directly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.core.agent.builtin.cart import add_product, apply, check_quantity
from vizochok.core.agent.pending import answer_pending
from vizochok.core.agent.phrases import format_quantity, phrase
from vizochok.core.agent.tools import ToolError
from vizochok.core.frames import (
    AddToCartAction,
    ChecklistSubmitAction,
    MealPlanApproveAction,
    RemoveFromCartAction,
    UpdateQuantityAction,
)
from vizochok.core.models import CartOperation

if TYPE_CHECKING:
    from vizochok.core.agent.tools import Turn
    from vizochok.core.frames import Action
    from vizochok.core.models import CartItem


async def run_action(turn: Turn, action: Action) -> None:
    """Carry out a card action and say what happened; other actions are answered as messages."""
    lang = turn.state.language
    if isinstance(action, AddToCartAction):
        await _add(turn, action.sku, action.quantity)
    elif isinstance(action, ChecklistSubmitAction):
        pending = turn.state.pending_tool
        if pending is None or pending.tool != "show_recipe_checklist":
            await turn.emitter.text(phrase("invalid", lang, reason="no checklist to submit"))
            return
        # Bounded fan-out: only SKUs of the checklist shown, each once, however the frame repeats them
        # (one frame listing a SKU 2,727 times used to send 2,727 cart webhooks).
        quantities = {i["sku"]: i["quantity"] for i in pending.payload.get("items", [])}
        chosen = [sku for sku in dict.fromkeys(action.skus) if sku in quantities]
        await _add_many(turn, [(sku, quantities[sku]) for sku in chosen])
    elif isinstance(action, MealPlanApproveAction):
        pending = turn.state.pending_tool
        if pending is None or pending.tool != "show_meal_plan":
            await turn.emitter.text(phrase("invalid", lang, reason="no meal plan to approve"))
            return
        totals: dict[str, float] = {}
        for day in pending.payload.get("days", []):
            for meal in day.get("meals", []):
                for item in meal.get("items", []):
                    totals[item["sku"]] = totals.get(item["sku"], 0) + item["quantity"]
        await _add_many(turn, list(totals.items()))
    elif isinstance(action, RemoveFromCartAction):
        item = _line(turn, action.sku)
        result = await apply(turn, CartOperation(action="remove", sku=action.sku), "item_removed", None)
        await _say(turn, result.ok, "removed", reason=result.reason, name=item.name)
    elif isinstance(action, UpdateQuantityAction):
        item = _line(turn, action.sku)
        if action.quantity == 0:
            result = await apply(turn, CartOperation(action="remove", sku=action.sku), "item_removed", None)
            await _say(turn, result.ok, "removed", reason=result.reason, name=item.name)
            return
        check_quantity((await turn.catalog_data([action.sku])).get(action.sku), action.quantity)
        updated = item.model_copy(update={"quantity": action.quantity})
        operation = CartOperation(action="update_quantity", sku=action.sku, quantity=action.quantity)
        result = await apply(turn, operation, "quantity_updated", updated)
        await _say(
            turn,
            result.ok,
            "updated",
            reason=result.reason,
            name=item.name,
            quantity=format_quantity(action.quantity),
        )
    else:
        await turn.emitter.text(phrase("invalid", lang, reason=action.action))


async def _add_many(turn: Turn, lines: list[tuple[str, float | None]]) -> None:
    """Add several products (a submitted checklist or an approved plan) and answer the paused tool."""
    outcomes = []
    for sku, quantity in lines:
        try:
            outcomes.append(await add_product(turn, sku, quantity or await _default_quantity(turn, sku)))
        except ToolError as exc:
            outcomes.append({"ok": False, "sku": sku, "reason": str(exc)})
    if turn.state.pending_tool is not None and turn.state.pending_tool.tool in (
        "show_recipe_checklist",
        "show_meal_plan",
    ):
        answer_pending(
            turn,
            {
                "added": [o["sku"] for o in outcomes if o["ok"]],
                "failed": [o for o in outcomes if not o["ok"]],
            },
        )
    added = sum(1 for o in outcomes if o["ok"])
    await turn.emitter.text(phrase("checklist_added", turn.state.language, count=added, total=len(lines)))


async def _default_quantity(turn: Turn, sku: str) -> float:
    product = (await turn.catalog_data([sku])).get(sku)
    return (product.min_quantity or product.quantity_step or 1.0) if product else 1.0


async def _add(turn: Turn, sku: str, quantity: float | None) -> None:
    product = (await turn.catalog_data([sku])).get(sku)
    default = (product.min_quantity or product.quantity_step or 1.0) if product else 1.0
    outcome = await add_product(turn, sku, quantity or default)
    await _say(
        turn, bool(outcome["ok"]), "added", reason=outcome.get("reason"), name=outcome.get("name", sku),
        quantity=format_quantity(float(quantity or default)),
    )  # fmt: skip


def _line(turn: Turn, sku: str) -> CartItem:
    turn.require_seen(sku)
    item = next((i for i in turn.state.selection if i.sku == sku), None)
    if item is None:
        raise ToolError(phrase("refused", turn.state.language, reason="not_in_cart"))
    return item


async def _say(turn: Turn, ok: bool, key: str, reason: str | None, **values: object) -> None:
    lang = turn.state.language
    await turn.emitter.text(phrase(key, lang, **values) if ok else phrase("refused", lang, reason=reason))
