"""The retailer's webhooks answered in-process by a retailer object (no HTTP), for dev mode and tests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from vizochok.core.models import CartItem, CartOperation, CartResult, LivePrice, Tenant
from vizochok.core.webhooks.signing import WebhookFailure

if TYPE_CHECKING:
    from collections.abc import Sequence


class RetailerAnswers(Protocol):
    """What a retailer's backend answers to each webhook's body, without the HTTP around it.

    `vizochok.testing.RetailerState` and the demo's reference retailer both have this shape.
    """

    def products_answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """`{"products": [...]}` for `{"skus", "store_id"}`."""
        ...

    def cart_answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """`{"ok": true}` or `{"ok": false, "reason"}` for one cart operation."""
        ...

    def cart_items(self, store: str, session: str) -> dict[str, Any]:
        """`{"items": [...]}`: one shopper's cart."""
        ...


class InMemoryRetailerWebhooks:
    """Same answers as the HTTP client gets from the retailer's backend, and a switch to make calls fail."""

    def __init__(self, retailer: RetailerAnswers) -> None:
        self.retailer = retailer
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.fail_with: str | None = None
        """Set to `webhook_timeout` or `webhook_error` to simulate an unreachable retailer."""

    def _check(self) -> None:
        if self.fail_with is not None:
            raise WebhookFailure(self.fail_with)  # type: ignore[arg-type]

    async def fetch_prices(self, tenant: Tenant, store_id: str, skus: Sequence[str]) -> dict[str, LivePrice]:  # noqa: ARG002
        """Prices from the retailer."""
        body = {"skus": list(skus), "store_id": store_id}
        self.sent.append(("products", body))
        self._check()
        return {p["sku"]: LivePrice(**p) for p in self.retailer.products_answer(body)["products"]}

    async def cart_operation(
        self,
        tenant: Tenant,
        store_id: str,
        session_id: str,
        operation: CartOperation,
    ) -> CartResult:
        """The retailer's yes or no."""
        body = {"action": operation.action, "store_id": store_id, "session_id": session_id}
        body.update(operation.model_dump(exclude_none=True, exclude={"action"}))
        self.sent.append(("cart", body))
        if self.fail_with is not None:
            return CartResult(ok=False, reason=self.fail_with)
        return CartResult(**self.retailer.cart_answer(body))

    async def get_cart(self, tenant: Tenant, store_id: str, session_id: str) -> list[CartItem]:  # noqa: ARG002
        """The retailer's cart."""
        self.sent.append(("cart_get", {"store_id": store_id, "session_id": session_id}))
        self._check()
        return [CartItem(**i) for i in self.retailer.cart_items(store_id, session_id)["items"]]
