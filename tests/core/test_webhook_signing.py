"""HMAC-SHA256 over `"{ts}." + body` (DECISIONS §2), checked as a retailer would."""

from __future__ import annotations

import hashlib
import hmac

from vizochok.core.webhooks.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, verify
from vizochok.webhook_signature import verify_request

BODY = b'{"skus":["milk-001"],"store_id":"store-1"}'


def test_signature_is_hmac_of_timestamp_dot_body() -> None:
    headers = sign("s3cret", BODY, timestamp=1_700_000_000)
    expected = hmac.new(b"s3cret", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert headers == {SIGNATURE_HEADER: f"sha256={expected}", TIMESTAMP_HEADER: "1700000000"}


def test_empty_body_for_cart_get() -> None:
    headers = sign("k", b"", timestamp=5)
    assert headers[SIGNATURE_HEADER] == "sha256=" + hmac.new(b"k", b"5.", hashlib.sha256).hexdigest()


def test_verify_accepts_fresh_and_rejects_stale_or_tampered() -> None:
    headers = sign("k", BODY, timestamp=1000)
    sig, ts = headers[SIGNATURE_HEADER], headers[TIMESTAMP_HEADER]
    assert verify("k", BODY, sig, ts, now=1000 + 120)
    assert verify("k", BODY, sig, ts, now=1000 - 120)
    assert not verify("k", BODY, sig, ts, now=1000 + 600)
    assert not verify("k", BODY + b" ", sig, ts, now=1000)
    assert not verify("other", BODY, sig, ts, now=1000)
    assert not verify("k", BODY, None, ts, now=1000)
    assert not verify("k", BODY, sig.removeprefix("sha256="), ts, now=1000)


def test_helper_reads_headers_in_any_case() -> None:
    headers = {k.lower(): v for k, v in sign("k", BODY).items()}
    assert verify_request("k", BODY, headers)
    assert not verify_request("wrong", BODY, headers)
