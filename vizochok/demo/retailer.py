"""A reference retailer backend: the three webhooks, with signature checks, stock, promos and a cart per session.

It is what the demo talks to, and it is meant to be read by a retailer's engineer as an example.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from litestar import Request, Response, Router, get, post

from vizochok.webhooks import IDEMPOTENCY_HEADER, verify_request


def load_retailer_data() -> dict[str, Any]:
    """Prices, stock and promos of the demo store."""
    return json.loads(resources.files("vizochok.demo.data").joinpath("retailer.json").read_text("utf-8"))  # type: ignore[no-any-return]


@dataclass
class DemoRetailer:
    """In-memory store state; `secret` is set once the demo tenant exists."""

    products: dict[str, dict[str, Any]]
    names: dict[str, str] = field(default_factory=dict)
    secret: str = ""
    carts: dict[tuple[str, str], dict[str, float]] = field(default_factory=dict)
    _replies: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[dict[str, Any]] = field(default_factory=list)
    """Every verified request, newest last (the tests read it)."""

    # --- the three webhooks -------------------------------------------------------------------

    def products_answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """Live price and stock of each known SKU; unknown SKUs are left out."""
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
        """Apply a cart operation, or refuse it with a documented reason."""
        action, store, session = body.get("action"), body.get("store_id"), body.get("session_id")
        if not action or not store or not session:
            return {"ok": False, "reason": "missing_params"}
        cart = self.carts.setdefault((store, session), {})
        if action == "clear":
            cart.clear()
            return {"ok": True}
        sku = body.get("sku")
        if not sku:
            return {"ok": False, "reason": "missing_sku"}
        item = self.products.get(sku)
        if item is None:
            return {"ok": False, "reason": "product_not_found"}
        if action == "remove":
            if sku not in cart:
                return {"ok": False, "reason": "not_in_cart"}
            del cart[sku]
            return {"ok": True}
        quantity = float(body.get("quantity") or 1)
        if action == "update_quantity" and sku not in cart:
            return {"ok": False, "reason": "not_in_cart"}
        wanted = quantity if action == "update_quantity" else cart.get(sku, 0) + quantity
        if item["stock"] <= 0:
            return {"ok": False, "reason": "out_of_stock"}
        if wanted > item["stock"]:
            return {"ok": False, "reason": "quantity_exceeded"}
        if action not in ("add", "update_quantity"):
            return {"ok": False, "reason": "missing_params"}
        cart[sku] = round(wanted, 3)
        return {"ok": True}

    def cart_items(self, store: str, session: str) -> dict[str, Any]:
        """The cart as the cart GET webhook returns it."""
        items = []
        for sku, quantity in self.carts.get((store, session), {}).items():
            item = self.products[sku]
            items.append(
                {"sku": sku, "name": self.names.get(sku, sku), "price": item["price"], "promo_price": item.get("promo_price"), "quantity": quantity}
            )
        return {"items": items}

    # --- HTTP ---------------------------------------------------------------------------------

    async def _verified(self, request: Request[Any, Any, Any]) -> tuple[bytes, Response[Any] | None]:
        body = await request.body()
        if not self.secret or not verify_request(self.secret, body, dict(request.headers)):
            return body, Response({"error": "invalid signature"}, status_code=401)
        return body, None

    def router(self, path: str = "/demo-retailer") -> Router:
        """Litestar routes for the three webhooks, plus a read-only cart view for the storefront page."""

        @post("/products", status_code=200)
        async def products(request: Request[Any, Any, Any]) -> Response[Any]:
            body, refusal = await self._verified(request)
            if refusal:
                return refusal
            data = json.loads(body)
            self.requests.append({"webhook": "products", **data})
            return Response(self.products_answer(data))

        @post("/cart", status_code=200)
        async def cart(request: Request[Any, Any, Any]) -> Response[Any]:
            body, refusal = await self._verified(request)
            if refusal:
                return refusal
            key = request.headers.get(IDEMPOTENCY_HEADER.lower())
            if key and key in self._replies:
                return Response(self._replies[key])  # a retry of an operation already applied
            data = json.loads(body)
            self.requests.append({"webhook": "cart", **data})
            reply = self.cart_answer(data)
            if key:
                self._replies[key] = reply
            return Response(reply)

        @get("/cart/items")
        async def cart_items(request: Request[Any, Any, Any]) -> Response[Any]:
            _, refusal = await self._verified(request)
            if refusal:
                return refusal
            store_id, session_id = request.query_params.get("store_id", ""), request.query_params.get("session_id", "")
            self.requests.append({"webhook": "cart_get", "store_id": store_id, "session_id": session_id})
            return Response(self.cart_items(store_id, session_id))

        @get("/storefront/cart")
        async def storefront_cart(request: Request[Any, Any, Any]) -> dict[str, Any]:
            # The shop's own page reads its cart here; the platform never calls this.
            return self.cart_items(request.query_params.get("store_id", ""), request.query_params.get("session_id", ""))

        return Router(path=path, route_handlers=[products, cart, cart_items, storefront_cart], include_in_schema=False)
