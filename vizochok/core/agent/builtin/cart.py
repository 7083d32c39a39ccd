"""Cart tools: every change goes to the retailer first and lands only on `ok:true`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pydantic import Field

from vizochok.core.agent.builtin.args import NoArgs, ProductLine, SkuArgs
from vizochok.core.agent.tools import ToolError, ToolResult, tool
from vizochok.core.frames import CartChangeAction, CartChanged
from vizochok.core.models import CartItem, CartOperation

if TYPE_CHECKING:
    from vizochok.core.agent.tools import Turn
    from vizochok.core.models import CartResult, ProductInput

_EPS = 1e-9


def check_quantity(product: ProductInput | None, quantity: float) -> None:
    """Refuse quantities the product cannot be sold in (unit, minimum, step)."""
    unit = product.unit if product else "pcs"
    step = (product.quantity_step if product else None) or (1.0 if unit == "pcs" else None)
    minimum = (product.min_quantity if product else None) or step or 0.0
    if quantity <= 0:
        raise ToolError("quantity must be positive")
    if quantity + _EPS < minimum:
        raise ToolError(f"minimum quantity is {minimum:g} {unit}")
    if step:
        ratio = quantity / step
        if not math.isclose(ratio, round(ratio), abs_tol=1e-6):
            raise ToolError(f"quantity must be a multiple of {step:g} {unit}")


async def apply(
    turn: Turn, operation: CartOperation, change: CartChangeAction, item: CartItem | None
) -> CartResult:
    """Ask the retailer; on yes, change the selection and queue `cart_changed`."""
    await turn.emitter.status("updating_cart")
    result = await turn.services.webhooks.cart_operation(
        turn.tenant, turn.store_id, turn.session_id, operation
    )
    if not result.ok:
        return result
    selection = turn.state.selection
    removed_name = _name(turn, operation.sku)
    if operation.action == "clear":
        selection.clear()
    elif operation.action == "remove":
        selection[:] = [i for i in selection if i.sku != operation.sku]
    elif item is not None:
        existing = next((i for i in selection if i.sku == item.sku), None)
        if existing is None:
            selection.append(item)
        else:
            existing.quantity = item.quantity
            existing.price, existing.promo_price = item.price, item.promo_price
    frame = CartChanged(
        action=change,
        sku=operation.sku,
        name=item.name if item else removed_name,
        quantity=item.quantity if item else (0 if operation.action == "remove" else None),
        price=item.price if item else None,
        items=[i.model_copy() for i in selection],
        total=turn.state.selection_total(),
    )
    turn.emitter.ui(frame)
    if turn.services.observer is not None:
        await turn.services.observer.cart_changed(turn.tenant.id, turn.state.conversation_id, frame.dump())
    return result


def _name(turn: Turn, sku: str | None) -> str | None:
    return next((i.name for i in turn.state.selection if i.sku == sku), None)


def _in_selection(turn: Turn, sku: str) -> CartItem:
    item = next((i for i in turn.state.selection if i.sku == sku), None)
    if item is None:
        raise ToolError(f"{sku!r} is not in the cart")
    return item


async def add_product(turn: Turn, sku: str, quantity: float) -> dict[str, object]:
    """Shared by the tool and the card's Add button."""
    turn.require_seen(sku)
    product = (await turn.catalog_data([sku])).get(sku)
    check_quantity(product, quantity)
    price = (await turn.live_prices([sku])).get(sku)
    if product is None or price is None:
        return {"ok": False, "reason": "webhook_error" if turn.prices_failed else "product_not_found"}
    if not price.in_stock:
        return {"ok": False, "reason": "out_of_stock"}
    current = next((i.quantity for i in turn.state.selection if i.sku == sku), 0.0)
    item = CartItem(
        sku=sku, name=product.name, price=price.price, promo_price=price.promo_price, brand=product.brand,
        quantity=round(current + quantity, 3),
    )  # fmt: skip
    operation = CartOperation(action="add", sku=sku, name=product.name, quantity=quantity, price=price.price)
    result = await apply(turn, operation, "item_selected", item)
    return {
        "ok": result.ok,
        "reason": result.reason,
        "sku": sku,
        "name": product.name,
        "quantity": item.quantity,
    }


class AddArgs(ProductLine):  # noqa: D101 - a docstring would reach the model as the schema's description
    quantity: float = Field(default=1, gt=0)


@tool(
    "add_to_selection",
    AddArgs,
    description=(
        "Add a product to the cart. The retailer confirms or refuses with a reason "
        "(out_of_stock, quantity_exceeded, …); tell the shopper what happened."
    ),
)
async def add_to_selection(turn: Turn, args: AddArgs) -> ToolResult:
    """Validate, ask the retailer, report."""
    return ToolResult(await add_product(turn, args.sku, args.quantity))


@tool("remove_from_selection", SkuArgs, description="Remove a product from the cart.")
async def remove_from_selection(turn: Turn, args: SkuArgs) -> ToolResult:
    """Ask the retailer to remove the line."""
    item = _in_selection(turn, args.sku)
    result = await apply(turn, CartOperation(action="remove", sku=args.sku), "item_removed", None)
    return ToolResult({"ok": result.ok, "reason": result.reason, "sku": args.sku, "name": item.name})


@tool(
    "update_selection_quantity",
    ProductLine,
    description="Set the absolute quantity of a product already in the cart.",
)
async def update_selection_quantity(turn: Turn, args: ProductLine) -> ToolResult:
    """Validate the quantity and ask the retailer."""
    item = _in_selection(turn, args.sku)
    check_quantity((await turn.catalog_data([args.sku])).get(args.sku), args.quantity)
    updated = item.model_copy(update={"quantity": args.quantity})
    operation = CartOperation(action="update_quantity", sku=args.sku, quantity=args.quantity)
    result = await apply(turn, operation, "quantity_updated", updated)
    return ToolResult({"ok": result.ok, "reason": result.reason, "sku": args.sku, "quantity": args.quantity})


@tool("clear_selection", NoArgs, description="Remove everything from the cart.")
async def clear_selection(turn: Turn, args: NoArgs) -> ToolResult:  # noqa: ARG001 - the contract passes args
    """Ask the retailer to clear the cart."""
    result = await apply(turn, CartOperation(action="clear"), "cart_cleared", None)
    return ToolResult({"ok": result.ok, "reason": result.reason})
