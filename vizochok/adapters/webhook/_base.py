"""Template for wrappers around the `RetailerWebhooks` port: one `_around` sees every call, of any webhook."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, TypeVar

from vizochok.core.models import CartResult
from vizochok.core.webhooks.signing import WebhookFailure

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from vizochok.core.models import CartItem, CartOperation, LivePrice, Tenant
    from vizochok.core.ports import RetailerWebhooks

Webhook = Literal["products", "cart", "cart_get"]
_T = TypeVar("_T")
_FAILURES = ("webhook_timeout", "webhook_error")


class WebhooksWrapper:
    """Forwards to `inner`; subclasses add behaviour in `_around`.

    The cart webhook reports a failed call as `ok:false` instead of raising; inside `_around` it is
    raised as `WebhookFailure` like the others, so that each wrapper handles failures in one place.
    """

    def __init__(self, inner: RetailerWebhooks) -> None:
        self.inner = inner

    async def _around(self, tenant: Tenant, webhook: Webhook, call: Callable[[], Awaitable[_T]]) -> _T:
        raise NotImplementedError

    async def fetch_prices(self, tenant: Tenant, store_id: str, skus: Sequence[str]) -> dict[str, LivePrice]:
        """As the inner client, wrapped."""
        return await self._around(tenant, "products", lambda: self.inner.fetch_prices(tenant, store_id, skus))

    async def get_cart(self, tenant: Tenant, store_id: str, session_id: str) -> list[CartItem]:
        """As the inner client, wrapped."""
        return await self._around(
            tenant, "cart_get", lambda: self.inner.get_cart(tenant, store_id, session_id)
        )

    async def cart_operation(
        self, tenant: Tenant, store_id: str, session_id: str, operation: CartOperation
    ) -> CartResult:
        """As the inner client, wrapped; a failure still comes back as `ok:false` with its reason."""

        async def call() -> CartResult:
            result = await self.inner.cart_operation(tenant, store_id, session_id, operation)
            if not result.ok and result.reason in _FAILURES:
                raise WebhookFailure(result.reason)  # type: ignore[arg-type]
            return result

        try:
            return await self._around(tenant, "cart", call)
        except WebhookFailure as failure:
            return CartResult(ok=False, reason=failure.reason)
