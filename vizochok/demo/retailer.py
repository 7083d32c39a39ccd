"""A reference retailer backend: the three webhooks vizochok calls, as a retailer would write them.

Read it as an example next to docs/webhooks.md, which states the contract. It keeps stock, promos and a cart per
shopper session in memory; the demo points its tenant's webhooks here. The rules it follows:

1. Verify the signature over the raw body bytes before anything else; answer 401 when it fails.
2. Answer the products webhook with the SKUs you know; leave unknown ones out.
3. Answer the cart webhook with `{"ok": true}` or `{"ok": false, "reason": ...}`, and apply an
   operation at most once per `X-VIZOCHOK-Idempotency-Key` (vizochok retries once on 5xx or timeout).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from litestar import Request, Response, Router, get, post

from vizochok.webhook_signature import IDEMPOTENCY_HEADER, verify_request

CART_ACTIONS = ("add", "remove", "update_quantity", "clear")


def load_retailer_data() -> dict[str, Any]:
    """Prices, stock and promos of the demo store."""
    return json.loads(resources.files("vizochok.demo.data").joinpath("retailer.json").read_text("utf-8"))  # type: ignore[no-any-return]


def _refuse(reason: str) -> dict[str, Any]:
    return {"ok": False, "reason": reason}


def _unauthorized() -> Response[Any]:
    # 4xx is final: vizochok does not retry it, and the shopper sees the store as unavailable.
    return Response(_refuse("invalid_signature"), status_code=401)


@dataclass
class DemoRetailer:
    """The store's state; `secret` is the tenant's webhook secret, set once the demo tenant exists."""

    products: dict[str, dict[str, Any]]
    """By SKU: `price`, `stock`, and optionally `promo_price` and `promo_label`."""
    names: dict[str, str] = field(default_factory=dict)
    secret: str = ""
    carts: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    """Quantity by SKU, per `(store_id, session_id)`."""
    requests: list[dict[str, Any]] = field(default_factory=list)
    """Every verified request, newest last (the tests read it)."""
    _replies: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Cart answers by idempotency key. A real backend would keep them for a day, not forever."""

    # --- what each webhook answers (no HTTP here) ----------------------------------------------

    def products_answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """Live price and stock of each requested SKU this store knows; unknown SKUs are left out."""
        answer = []
        for sku in body.get("skus", []):
            item = self.products.get(sku)
            if item is None:
                continue
            entry: dict[str, Any] = {"sku": sku, "price": item["price"], "in_stock": item["stock"] > 0}
            if item.get("promo_price") is not None:
                entry["promo_price"] = item["promo_price"]
                entry["promo_label"] = item.get("promo_label")
            answer.append(entry)
        return {"products": answer}

    def cart_answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """Apply one cart operation, or refuse it with one of the documented reasons."""
        action, store, session = body.get("action"), body.get("store_id"), body.get("session_id")
        if action not in CART_ACTIONS or not store or not session:
            return _refuse("missing_params")
        cart = self.carts.setdefault((store, session), {})
        if action == "clear":
            cart.clear()
            return {"ok": True}
        sku = body.get("sku")
        if not sku:
            return _refuse("missing_sku")
        item = self.products.get(sku)
        if item is None:
            return _refuse("product_not_found")
        if action in ("remove", "update_quantity") and sku not in cart:
            return _refuse("not_in_cart")
        if action == "remove":
            del cart[sku]
            return {"ok": True}
        quantity = float(body.get("quantity") or 1)
        wanted = quantity if action == "update_quantity" else cart.get(sku, 0) + quantity
        if item["stock"] <= 0:
            return _refuse("out_of_stock")
        if wanted > item["stock"]:
            return _refuse("quantity_exceeded")
        cart[sku] = round(wanted, 3)
        return {"ok": True}

    def cart_items(self, store: str, session: str) -> dict[str, Any]:
        """The cart as the cart GET webhook returns it."""
        items = []
        for sku, quantity in self.carts.get((store, session), {}).items():
            item = self.products[sku]
            items.append({"sku": sku, "name": self.names.get(sku, sku), "price": item["price"],
                          "promo_price": item.get("promo_price"), "quantity": quantity})  # fmt: skip
        return {"items": items}

    # --- HTTP ----------------------------------------------------------------------------------

    async def _verified_body(self, request: Request[Any, Any, Any]) -> bytes | None:
        """The raw body when the signature is valid; None otherwise. Never parse JSON before this."""
        body = await request.body()
        if not self.secret or not verify_request(self.secret, body, dict(request.headers)):
            return None
        return body

    def router(self, path: str = "/demo-retailer") -> Router:
        """Litestar routes for the three webhooks, plus a read-only cart view for the storefront page."""

        @post("/products", status_code=200)
        async def products(request: Request[Any, Any, Any]) -> Response[Any]:
            body = await self._verified_body(request)
            if body is None:
                return _unauthorized()
            data = json.loads(body)
            self.requests.append({"webhook": "products", **data})
            return Response(self.products_answer(data))

        @post("/cart", status_code=200)
        async def cart(request: Request[Any, Any, Any]) -> Response[Any]:
            body = await self._verified_body(request)
            if body is None:
                return _unauthorized()
            key = request.headers.get(IDEMPOTENCY_HEADER.lower())
            if key and key in self._replies:
                return Response(self._replies[key])  # vizochok's retry of an operation already applied
            data = json.loads(body)
            self.requests.append({"webhook": "cart", **data})
            reply = self.cart_answer(data)
            if key:
                self._replies[key] = reply
            return Response(reply)

        @get("/cart/items")
        async def cart_items(request: Request[Any, Any, Any]) -> Response[Any]:
            # A GET has an empty body; the signature covers f"{timestamp}." alone.
            if await self._verified_body(request) is None:
                return _unauthorized()
            store_id, session_id = (
                request.query_params.get("store_id", ""),
                request.query_params.get("session_id", ""),
            )
            self.requests.append({"webhook": "cart_get", "store_id": store_id, "session_id": session_id})
            return Response(self.cart_items(store_id, session_id))

        @get("/storefront/cart")
        async def storefront_cart(request: Request[Any, Any, Any]) -> dict[str, Any]:
            # The shop's own page reads its cart here; vizochok never calls this.
            return self.cart_items(
                request.query_params.get("store_id", ""), request.query_params.get("session_id", "")
            )

        return Router(
            path=path, route_handlers=[products, cart, cart_items, storefront_cart], include_in_schema=False
        )
