"""For retailers: verify that a webhook request really comes from vizochok.

    from vizochok.webhook_signature import verify_request
    if not verify_request(secret, raw_body, headers):   # raw bytes, before any JSON parsing
        return 401

`sign(secret, body)` makes the same headers, for testing your endpoint. The contract, with
Node.js and PHP versions of the check, is in docs/webhooks.md.
"""

from __future__ import annotations

from collections.abc import Mapping

from vizochok.core.webhooks.signing import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    TOLERANCE_SECONDS,
    sign,
    verify,
)


def verify_request(secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """True when the signature headers match `body` and the timestamp is within 5 minutes."""
    lowered = {k.lower(): v for k, v in headers.items()}
    return verify(secret, body, lowered.get(SIGNATURE_HEADER.lower()), lowered.get(TIMESTAMP_HEADER.lower()))


__all__ = (
    "IDEMPOTENCY_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "TOLERANCE_SECONDS",
    "sign",
    "verify",
    "verify_request",
)
