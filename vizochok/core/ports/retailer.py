"""Ports: the retailer's backend (its webhooks) and the settings, checks and health of those calls."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from vizochok.core.models import CartItem, CartOperation, CartResult, LivePrice, Tenant
    from vizochok.core.webhooks.signing import WebhookTestReport


@runtime_checkable
class RetailerWebhooks(Protocol):
    """The retailer's backend: the source of truth for prices, stock and the cart."""

    async def fetch_prices(self, tenant: Tenant, store_id: str, skus: Sequence[str]) -> dict[str, LivePrice]:
        """Live prices of the SKUs the retailer knows. Raises `WebhookFailure` when the call fails."""
        ...

    async def cart_operation(
        self, tenant: Tenant, store_id: str, session_id: str, operation: CartOperation
    ) -> CartResult:
        """Ask the retailer to change the cart; failures come back as `ok:false` with a reason."""
        ...

    async def get_cart(self, tenant: Tenant, store_id: str, session_id: str) -> list[CartItem]:
        """The retailer's current cart. Raises `WebhookFailure` when the call fails."""
        ...


@runtime_checkable
class WebhookConfigStore(Protocol):
    """Where a tenant's webhook settings live; the admin API reads and changes them here."""

    async def get(self, tenant_id: str) -> Tenant | None:
        """The tenant with its webhook secret decrypted, or None."""
        ...

    async def update_webhooks(
        self,
        tenant_id: str,
        *,
        products_url: str | None = None,
        cart_url: str | None = None,
        cart_get_url: str | None = None,
        timeout_seconds: float | None = None,
        secret: str | None = None,
    ) -> None:
        """Change the given webhook fields; `None` leaves a field as it is."""
        ...


@runtime_checkable
class URLGuard(Protocol):
    """The SSRF rules for a webhook URL at save time (the client applies them again at connect time)."""

    async def check(self, url: str) -> None:
        """Raise `UnsafeDestination` when the platform must not call `url`."""
        ...


@runtime_checkable
class WebhookProbe(Protocol):
    """The admin "Test": one signed sample products request, reported rather than raised."""

    async def probe(self, tenant: Tenant, skus: Sequence[str]) -> WebhookTestReport:
        """Status, latency and schema problems of the retailer's answer."""
        ...


@runtime_checkable
class WebhookHealth(Protocol):
    """What the webhook client's safeguards know about a tenant."""

    async def status(self, tenant_id: str) -> dict[str, Any]:
        """Circuit breaker state, concurrency, latency and failure counters."""
        ...

    async def reset(self, tenant_id: str) -> None:
        """Forget the tenant's failures (its webhook settings changed)."""
        ...


__all__ = (
    "RetailerWebhooks",
    "URLGuard",
    "WebhookConfigStore",
    "WebhookHealth",
    "WebhookProbe",
)
