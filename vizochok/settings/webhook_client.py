"""Settings of the platform's calls to retailer webhooks (`VIZOCHOK_WEBHOOKS__*`)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class WebhookSettings(BaseModel):
    """Global webhook client behaviour; the timeout itself is per tenant."""

    allow_private_hosts: bool = False
    """Lift the https-only and private-address rules. Development and the demo only."""
    default_timeout_seconds: float = Field(default=5.0, gt=0)
    """Timeout when a tenant has set none."""
    retry_delay_seconds: float = Field(default=1.0, ge=0)
    """Pause before the single retry on 5xx, timeout or refused connection."""
    max_response_bytes: int = Field(default=1_048_576, gt=0)
    """Larger answers are treated as `webhook_error`."""
    max_concurrent_per_tenant: int = Field(default=20, gt=0)
    """Calls of one tenant in flight at once, per process."""
    concurrency_wait_seconds: float = Field(default=2.0, ge=0)
    """How long a call waits for a free slot before it fails with `webhook_error`."""
    breaker_failure_threshold: int = Field(default=5, gt=0)
    """Consecutive failed calls that open a tenant's circuit."""
    breaker_cooldown_seconds: float = Field(default=30.0, ge=0)
    """How long an open circuit skips the webhook before one trial call."""
    latency_window: int = Field(default=200, gt=0)
    """Recent calls per tenant and webhook that the latency percentiles cover."""
