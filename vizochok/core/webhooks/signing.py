"""Webhook signing (DECISIONS §2), the failure type of webhook calls and the admin test report. No I/O."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Literal

from pydantic import BaseModel, Field

SIGNATURE_HEADER = "X-VIZOCHOK-Signature"
TIMESTAMP_HEADER = "X-VIZOCHOK-Timestamp"
IDEMPOTENCY_HEADER = "X-VIZOCHOK-Idempotency-Key"
TOLERANCE_SECONDS = 300

FailureReason = Literal["webhook_timeout", "webhook_error"]


class WebhookFailure(Exception):  # noqa: N818 - a domain outcome, named for what the agent sees
    """The retailer could not be asked: the reason is what the agent and the shopper see."""

    def __init__(self, reason: FailureReason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: FailureReason = reason
        self.detail = detail


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Signature headers for `body`: HMAC-SHA256 over `f"{ts}."` followed by the exact bytes."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return {SIGNATURE_HEADER: f"sha256={digest}", TIMESTAMP_HEADER: str(ts)}


def verify(
    secret: str,
    body: bytes,
    signature: str | None,
    timestamp: str | None,
    *,
    now: float | None = None,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """Check a request the platform signed; the retailer's side of `sign`.

    Rejects a missing header, a timestamp more than `tolerance` seconds away in either
    direction, and any digest that differs, comparing in constant time. Never raises: a
    malformed header (non-ASCII, not a string, "²" as a timestamp) is simply a mismatch.
    """
    if (
        not isinstance(signature, str)
        or not isinstance(timestamp, str)
        or not signature.startswith("sha256=")
    ):
        return False
    if not signature.isascii() or not timestamp.isascii() or not timestamp.isdigit():
        return False  # hmac.compare_digest raises TypeError on non-ASCII text
    ts = int(timestamp)
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.removeprefix("sha256="))


class WebhookTestReport(BaseModel):
    """What the admin "Test" found when it sent a signed sample products request."""

    ok: bool
    """True when the answer came with HTTP 200 and matched the documented schema."""
    url: str
    status: int | None = None
    """HTTP status, or None when no answer came."""
    latency_ms: float
    problems: list[str] = Field(default_factory=list)
    """Schema problems of the answer, one line each."""
    error: FailureReason | None = None
    """What a shopper's call would have failed with."""
    detail: str = ""
