"""Shopper actions that need no model: card buttons act on the cart directly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.core.agent.builtin.cart import add_product, apply, check_quantity
from vizochok.core.agent.phrases import format_quantity, phrase
from vizochok.core.agent.tools import ToolError
from vizochok.core.frames import (
    AddToCartAction,
    ChecklistSubmitAction,
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
        for sku in action.skus:
            await _add(turn, sku, None)
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
        await _say(turn, result.ok, "updated", reason=result.reason, name=item.name, quantity=format_quantity(action.quantity))
    else:
        await turn.emitter.text(phrase("invalid", lang, reason=action.action))


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
