"""Settings of the platform's calls to retailer webhooks."""

from __future__ import annotations

from pydantic import BaseModel


class WebhookSettings(BaseModel):
    """Global webhook client behaviour."""

    allow_private_hosts: bool = False
    """Lift the https-only and private-address rules. Development and the demo only."""
    default_timeout_seconds: float = 5.0
    """Timeout when a tenant has set none."""
    retry_delay_seconds: float = 1.0
    """Pause before the single retry on 5xx, timeout or refused connection."""
    max_response_bytes: int = 1_048_576
    """Larger answers are treated as `webhook_error`."""
