"""A fake retailer: the three webhooks answered from memory, with the documented refusals and a failure switch."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vizochok.adapters.webhook.memory import InMemoryRetailerWebhooks

CART_ACTIONS = ("add", "remove", "update_quantity", "clear")


@dataclass
class RetailerState:
    """Stock, promos and one cart per `(store_id, session_id)`: what a retailer's backend keeps."""

    stock: dict[str, dict[str, Any]]
    """By SKU: `price`, `stock`, and optionally `promo_price` and `promo_label`."""
    names: dict[str, str] = field(default_factory=dict)
    carts: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)

    def products_answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """Price and stock of each requested SKU this store knows; unknown SKUs are left out."""
        answer = []
        for sku in body.get("skus", []):
            item = self.stock.get(sku)
            if item is None:
                continue
            entry: dict[str, Any] = {"sku": sku, "price": item["price"], "in_stock": item.get("stock", 0) > 0}
            if item.get("promo_price") is not None:
                entry["promo_price"] = item["promo_price"]
                entry["promo_label"] = item.get("promo_label")
            answer.append(entry)
        return {"products": answer}

    def cart_answer(self, body: dict[str, Any]) -> dict[str, Any]:  # noqa: PLR0911 - one return per documented answer
        """Apply one cart operation, or refuse it with a documented reason."""
        action, store, session = body.get("action"), body.get("store_id"), body.get("session_id")
        if action not in CART_ACTIONS or not store or not session:
            return {"ok": False, "reason": "missing_params"}
        cart = self.carts.setdefault((store, session), {})
        if action == "clear":
            cart.clear()
            return {"ok": True}
        sku = body.get("sku")
        item = self.stock.get(sku) if sku else None
        refusal = (
            "missing_sku" if not sku
            else "product_not_found" if item is None
            else "not_in_cart" if action in ("remove", "update_quantity") and sku not in cart
            else None
        )  # fmt: skip
        if refusal is not None or item is None or sku is None:
            return {"ok": False, "reason": refusal}
        if action == "remove":
            del cart[sku]
            return {"ok": True}
        quantity = float(body.get("quantity") or 1)
        wanted = quantity if action == "update_quantity" else cart.get(sku, 0) + quantity
        if item.get("stock", 0) <= 0:
            return {"ok": False, "reason": "out_of_stock"}
        if wanted > item["stock"]:
            return {"ok": False, "reason": "quantity_exceeded"}
        cart[sku] = round(wanted, 3)
        return {"ok": True}

    def cart_items(self, store: str, session: str) -> dict[str, Any]:
        """The cart as the cart GET webhook returns it."""
        items = []
        for sku, quantity in self.carts.get((store, session), {}).items():
            item = self.stock[sku]
            items.append(
                {"sku": sku, "name": self.names.get(sku, sku), "price": item["price"],
                 "promo_price": item.get("promo_price"), "quantity": quantity}
            )  # fmt: skip
        return {"items": items}


class FakeRetailer(InMemoryRetailerWebhooks):
    """The `RetailerWebhooks` port on a `RetailerState`: no HTTP, no signatures.

    `sent` records every call as `(webhook, body)`; set `fail_with` to `"webhook_timeout"` or
    `"webhook_error"` to make the retailer unreachable.
    """

    def __init__(self, stock: dict[str, dict[str, Any]], names: dict[str, str] | None = None) -> None:
        self.state = RetailerState(stock=stock, names=dict(names or {}))
        super().__init__(self.state)

    def cart(self, store_id: str, session_id: str) -> dict[str, float]:
        """Quantity by SKU in one shopper's cart."""
        return dict(self.state.carts.get((store_id, session_id), {}))
