"""Shopper identity verification: the retailer's backend vouches for the customer id.

The anchors are Intercom's identity verification (an HMAC of the user id under a per-workspace
secret) and Zendesk's signed JWT for messaging. A public `pk_` key lives in every browser, so a
`user_id` it brings proves nothing: anyone could name a customer and read or clear that
customer's cart. The retailer's backend, which knows who is signed in, signs the id with the
tenant's identity secret; the widget passes the signature in `auth` as

- `user_hash`: lowercase hex HMAC-SHA256 of the exact `user_id` bytes (UTF-8), or
- `user_token`: a short-lived HS256 JWT whose `sub` is the customer id and whose `exp` is at most
  `MAX_TOKEN_LIFETIME_SECONDS` ahead.

Whatever fails to verify never acts as the named customer (see `resolve_identity`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Sequence

MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600
"""A `user_token` whose `exp` lies further ahead than this is refused: tokens are meant to be short-lived."""
CLOCK_LEEWAY_SECONDS = 60
"""Clock drift tolerated between the retailer's backend and the platform."""
ANONYMOUS_ID = re.compile(r"^(?:anon|vz)_[A-Za-z0-9]{12,64}$")
"""Ids the widget (`vz_…`) or the server (`anon_…`) generated at random: guests, never a customer."""

Verification = Literal["verified", "anonymous", "trusted"]


@dataclass(frozen=True)
class Identity:
    """Who the socket acts for."""

    user_id: str
    verification: Verification
    """`verified`: signed by the retailer (or named by a server-side `sk_` key); `anonymous`: a guest
    id; `trusted`: an unsigned id the tenant chose to accept (`identity_required` off)."""
    replaced: bool = False
    """True when the server replaced the `user_id` the client named with a fresh anonymous id."""


def new_anonymous_id() -> str:
    """A fresh guest id, unguessable, in the anonymous namespace."""
    return f"anon_{secrets.token_hex(12)}"


def user_hash(secret: str, user_id: str) -> str:
    """The `user_hash` a retailer's backend sends for `user_id`."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def verify_hash(keys: Sequence[str], user_id: str, given: str) -> bool:
    """True when `given` is the hash of `user_id` under one of `keys`; False for anything malformed."""
    if not given.isascii() or len(given) != 64:  # noqa: PLR2004 - hex SHA-256
        return False
    candidate = given.lower().encode()
    return any(hmac.compare_digest(user_hash(key, user_id).encode(), candidate) for key in keys)


def _b64url(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _hs256_parts(token: str) -> tuple[dict[str, Any], bytes, bytes] | None:
    """The payload, signature and signed bytes of a well-formed HS256 token; None for any other."""
    if not token.isascii() or token.count(".") != 2:  # noqa: PLR2004 - header.payload.signature
        return None
    header_b64, payload_b64, signature_b64 = token.split(".")
    try:
        header = json.loads(_b64url(header_b64))
        payload = json.loads(_b64url(payload_b64))
        signature = _b64url(signature_b64)
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        return None
    # Only HS256: "none" and asymmetric algorithms are refused whatever the header says.
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(payload, dict):
        return None
    return payload, signature, f"{header_b64}.{payload_b64}".encode()


def verify_token(keys: Sequence[str], token: str, now: float | None = None) -> str | None:
    """The `sub` of a valid HS256 `user_token`, or None (bad form, signature, algorithm or expiry)."""
    parts = _hs256_parts(token)
    if parts is None:
        return None
    payload, signature, signed = parts
    if not any(
        hmac.compare_digest(hmac.new(k.encode(), signed, hashlib.sha256).digest(), signature) for k in keys
    ):
        return None
    sub, exp = payload.get("sub"), payload.get("exp")
    if not isinstance(sub, str) or not sub or isinstance(exp, bool) or not isinstance(exp, int | float):
        return None
    now = time.time() if now is None else now
    if exp + CLOCK_LEEWAY_SECONDS < now or exp - now > MAX_TOKEN_LIFETIME_SECONDS + CLOCK_LEEWAY_SECONDS:
        return None
    return sub


def sign_token(secret: str, user_id: str, lifetime_seconds: int = 3600, now: float | None = None) -> str:
    """A `user_token` for `user_id` (what the docs' snippets do; used by the demo and the tests)."""

    def enc(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    issued = int(time.time() if now is None else now)
    header = enc(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = enc(
        json.dumps(
            {"sub": user_id, "iat": issued, "exp": issued + lifetime_seconds}, separators=(",", ":")
        ).encode()
    )
    signature = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{enc(signature)}"


def resolve_identity(  # noqa: PLR0911 - one return per documented case
    *,
    user_id: str | None,
    user_hash: str | None,
    user_token: str | None,
    keys: Sequence[str],
    required: bool,
    server_side: bool,
) -> Identity:
    """Who a socket acts for (docs/identity.md, "What the server does").

    - An `sk_` key lives on the retailer's servers: its `user_id` is taken as given.
    - A valid `user_token` or `user_hash` → the signed customer id.
    - A signature that does not verify (wrong, expired, or the tenant has no secret) → a fresh
      anonymous id: a forged signature never acts as the customer, whatever the setting.
    - No signature: the widget's own random guest ids are kept; any other id is kept only while the
      tenant does not require verification, and replaced by a fresh anonymous id when it does.
    """
    if server_side:
        return Identity(user_id or new_anonymous_id(), "verified" if user_id else "anonymous", replaced=False)
    if user_token is not None:
        sub = verify_token(keys, user_token) if keys else None
        if sub is not None and (user_id is None or user_id == sub):
            return Identity(sub, "verified")
        return Identity(new_anonymous_id(), "anonymous", replaced=True)
    if user_hash is not None:
        if keys and user_id is not None and verify_hash(keys, user_id, user_hash):
            return Identity(user_id, "verified")
        return Identity(new_anonymous_id(), "anonymous", replaced=True)
    if user_id is None:
        return Identity(new_anonymous_id(), "anonymous")
    if ANONYMOUS_ID.match(user_id):
        return Identity(user_id, "anonymous")
    if required:
        return Identity(new_anonymous_id(), "anonymous", replaced=True)
    return Identity(user_id, "trusted")
