"""The retailer's webhooks answered in-process by the reference retailer (no HTTP), for dev mode and tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.core.models import CartItem, CartOperation, CartResult, LivePrice, Tenant
from vizochok.core.webhooks import WebhookFailure

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vizochok.demo.retailer import DemoRetailer


class InMemoryRetailerWebhooks:
    """Same answers as the HTTP client gets from `DemoRetailer`, and a switch to make calls fail."""

    def __init__(self, retailer: DemoRetailer) -> None:
        self.retailer = retailer
        self.sent: list[tuple[str, dict[str, object]]] = []
        self.fail_with: str | None = None
        """Set to `webhook_timeout` or `webhook_error` to simulate an unreachable retailer."""

    def _check(self) -> None:
        if self.fail_with is not None:
            raise WebhookFailure(self.fail_with)  # type: ignore[arg-type]

    async def fetch_prices(self, tenant: Tenant, store_id: str, skus: Sequence[str]) -> dict[str, LivePrice]:  # noqa: ARG002
        """Prices from the reference retailer."""
        body = {"skus": list(skus), "store_id": store_id}
        self.sent.append(("products", body))
        self._check()
        return {p["sku"]: LivePrice(**p) for p in self.retailer.products_answer(body)["products"]}

    async def cart_operation(
        self, tenant: Tenant, store_id: str, session_id: str, operation: CartOperation  # noqa: ARG002
    ) -> CartResult:
        """The reference retailer's yes or no."""
        body = {"action": operation.action, "store_id": store_id, "session_id": session_id}
        body.update(operation.model_dump(exclude_none=True, exclude={"action"}))
        self.sent.append(("cart", body))
        if self.fail_with is not None:
            return CartResult(ok=False, reason=self.fail_with)
        return CartResult(**self.retailer.cart_answer(body))

    async def get_cart(self, tenant: Tenant, store_id: str, session_id: str) -> list[CartItem]:  # noqa: ARG002
        """The reference retailer's cart."""
        self.sent.append(("cart_get", {"store_id": store_id, "session_id": session_id}))
        self._check()
        return [CartItem(**i) for i in self.retailer.cart_items(store_id, session_id)["items"]]
