"""Shopper actions that need no model: card buttons act on the cart directly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.core.agent.builtin.cart import add_product, apply, check_quantity
from vizochok.core.agent.builtin.interactive import show_meal_plan, show_recipe_checklist
from vizochok.core.agent.pending import answer_pending
from vizochok.core.agent.phrases import number, phrase
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
    if isinstance(action, AddToCartAction):
        await _add(turn, action.sku, action.quantity)
    elif isinstance(action, ChecklistSubmitAction):
        await _submit_checklist(turn, action)
    elif isinstance(action, MealPlanApproveAction):
        await _approve_meal_plan(turn)
    elif isinstance(action, RemoveFromCartAction):
        await _remove(turn, action.sku)
    elif isinstance(action, UpdateQuantityAction):
        await _update(turn, action.sku, action.quantity)
    else:
        await turn.emitter.text(phrase("invalid", turn.state.language, reason=action.action))


async def _submit_checklist(turn: Turn, action: ChecklistSubmitAction) -> None:
    pending = turn.state.pending_tool
    if pending is None or pending.tool != show_recipe_checklist.name:
        await turn.emitter.text(phrase("invalid", turn.state.language, reason="no checklist to submit"))
        return
    # Bounded fan-out: only SKUs of the checklist shown, each once, however the frame repeats them
    # (one frame listing a SKU 2,727 times used to send 2,727 cart webhooks).
    quantities = {i["sku"]: i["quantity"] for i in pending.payload.get("items", [])}
    chosen = [sku for sku in dict.fromkeys(action.skus) if sku in quantities]
    await _add_many(turn, [(sku, quantities[sku]) for sku in chosen])


async def _approve_meal_plan(turn: Turn) -> None:
    pending = turn.state.pending_tool
    if pending is None or pending.tool != show_meal_plan.name:
        await turn.emitter.text(phrase("invalid", turn.state.language, reason="no meal plan to approve"))
        return
    totals: dict[str, float] = {}
    for day in pending.payload.get("days", []):
        for meal in day.get("meals", []):
            for item in meal.get("items", []):
                totals[item["sku"]] = totals.get(item["sku"], 0) + item["quantity"]
    await _add_many(turn, list(totals.items()))


async def _remove(turn: Turn, sku: str) -> None:
    item = _line(turn, sku)
    result = await apply(turn, CartOperation(action="remove", sku=sku), "item_removed", None)
    await _say(turn, result.ok, "removed", reason=result.reason, name=item.name)


async def _update(turn: Turn, sku: str, quantity: float) -> None:
    if quantity == 0:
        await _remove(turn, sku)
        return
    item = _line(turn, sku)
    check_quantity((await turn.catalog_data([sku])).get(sku), quantity)
    updated = item.model_copy(update={"quantity": quantity})
    operation = CartOperation(action="update_quantity", sku=sku, quantity=quantity)
    result = await apply(turn, operation, "quantity_updated", updated)
    await _say(
        turn, result.ok, "updated", reason=result.reason, name=item.name,
        quantity=number(quantity, turn.state.language),
    )  # fmt: skip


async def _add_many(turn: Turn, lines: list[tuple[str, float | None]]) -> None:
    """Add several products (a submitted checklist or an approved plan) and answer the paused tool."""
    outcomes = []
    for sku, quantity in lines:
        try:
            outcomes.append(await add_product(turn, sku, quantity or await _default_quantity(turn, sku)))
        except ToolError as exc:
            outcomes.append({"ok": False, "sku": sku, "reason": str(exc)})
    if turn.state.pending_tool is not None and turn.state.pending_tool.tool in (
        show_recipe_checklist.name,
        show_meal_plan.name,
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
    reason = outcome.get("reason")
    await _say(
        turn, bool(outcome["ok"]), "added", reason=reason if isinstance(reason, str) else None,
        name=outcome.get("name", sku),
        quantity=number(float(quantity or default), turn.state.language),
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
