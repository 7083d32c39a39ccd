"""A circuit breaker per tenant: after repeated failures the webhook is skipped for a cool-down."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from vizochok.adapters.webhook._base import Webhook, WebhooksWrapper
from vizochok.core.webhooks.signing import WebhookFailure

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from vizochok.core.models import Tenant
    from vizochok.core.ports import RetailerWebhooks

_T = TypeVar("_T")


@dataclass
class _Circuit:
    failures: int = 0
    """Consecutive failed calls."""
    opened_at: float | None = None
    trial: bool = False
    """A half-open trial call is in flight; other calls keep being skipped until it ends."""
    skipped: int = 0
    opened: int = 0
    """How many times the circuit opened since the process started."""


class CircuitBreakerWebhooks(WebhooksWrapper):
    """Closed → open after `threshold` consecutive failures → half-open after `cooldown` → closed on success.

    While open, calls fail at once with `webhook_error` instead of making every shopper wait for a
    timeout. State lives in this process (each worker has its own breaker).
    """

    def __init__(
        self,
        inner: RetailerWebhooks,
        *,
        threshold: int = 5,
        cooldown_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(inner)
        self._threshold = threshold
        self._cooldown = cooldown_seconds
        self._clock = clock
        self._circuits: dict[str, _Circuit] = {}

    async def _around(self, tenant: Tenant, webhook: Webhook, call: Callable[[], Awaitable[_T]]) -> _T:  # noqa: ARG002
        circuit = self._circuits.setdefault(tenant.id, _Circuit())
        trial = False
        if circuit.opened_at is not None:
            if circuit.trial or self._clock() - circuit.opened_at < self._cooldown:
                circuit.skipped += 1
                raise WebhookFailure(
                    "webhook_error", "circuit open: the retailer's webhook is skipped for now"
                )
            circuit.trial = trial = True
        try:
            result = await call()
        except WebhookFailure:
            circuit.failures += 1
            if trial or (circuit.opened_at is None and circuit.failures >= self._threshold):
                circuit.opened_at = self._clock()
                circuit.opened += 1
            raise
        finally:
            if trial:
                circuit.trial = False
        circuit.failures, circuit.opened_at = 0, None
        return result

    def state(self, tenant_id: str) -> dict[str, Any]:
        """`closed`, `open` or `half_open`, with the counts behind it."""
        circuit = self._circuits.get(tenant_id, _Circuit())
        retry_in = 0.0
        if circuit.opened_at is None:
            name = "closed"
        else:
            retry_in = max(0.0, self._cooldown - (self._clock() - circuit.opened_at))
            name = "half_open" if retry_in == 0 else "open"
        return {
            "state": name,
            "consecutive_failures": circuit.failures,
            "threshold": self._threshold,
            "retry_in_seconds": round(retry_in, 1),
            "times_opened": circuit.opened,
            "skipped_calls": circuit.skipped,
        }

    def reset(self, tenant_id: str) -> None:
        """Close the circuit, e.g. after the tenant changed its webhook settings."""
        self._circuits.pop(tenant_id, None)
