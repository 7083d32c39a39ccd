"""A cap on concurrent webhook calls per tenant, so one slow retailer cannot take every connection."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, TypeVar

from vizochok.adapters.webhook._base import Webhook, WebhooksWrapper
from vizochok.core.webhooks.signing import WebhookFailure

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from vizochok.core.models import Tenant
    from vizochok.core.ports import RetailerWebhooks

_T = TypeVar("_T")


class ConcurrencyLimitedWebhooks(WebhooksWrapper):
    """At most `limit` calls of one tenant in flight; a call waits up to `wait_seconds` for a slot."""

    def __init__(self, inner: RetailerWebhooks, *, limit: int = 20, wait_seconds: float = 2.0) -> None:
        super().__init__(inner)
        self._limit = limit
        self._wait = wait_seconds
        self._slots: dict[str, asyncio.Semaphore] = {}
        self.rejected: dict[str, int] = {}
        """Calls refused per tenant because no slot freed up in time."""

    async def _around(self, tenant: Tenant, webhook: Webhook, call: Callable[[], Awaitable[_T]]) -> _T:  # noqa: ARG002
        slots = self._slots.setdefault(tenant.id, asyncio.Semaphore(self._limit))
        try:
            async with asyncio.timeout(self._wait):
                await slots.acquire()
        except TimeoutError:
            self.rejected[tenant.id] = self.rejected.get(tenant.id, 0) + 1
            raise WebhookFailure(
                "webhook_error", f"more than {self._limit} calls in flight for this tenant"
            ) from None
        try:
            return await call()
        finally:
            slots.release()

    def in_flight(self, tenant_id: str) -> int:
        """Calls of this tenant running now."""
        slots = self._slots.get(tenant_id)
        return 0 if slots is None else self._limit - slots._value  # noqa: SLF001 - asyncio offers no public count

    def state(self, tenant_id: str) -> dict[str, int]:
        """The cap, what uses it now, and how often it refused."""
        return {
            "limit": self._limit,
            "in_flight": self.in_flight(tenant_id),
            "rejected": self.rejected.get(tenant_id, 0),
        }
