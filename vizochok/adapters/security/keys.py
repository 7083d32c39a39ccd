"""API keys: `pk_live_…` and `sk_live_…`, stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
from typing import Literal


def generate_key(kind: Literal["pk", "sk"]) -> str:
    """A new random key of the given kind."""
    return f"{kind}_live_{secrets.token_urlsafe(24)}"


def hash_key(raw: str) -> str:
    """The hash kept in the database; keys are long and random, so no salt or stretching is needed."""
    return hashlib.sha256(raw.encode()).hexdigest()


def display_prefix(raw: str) -> str:
    """Enough of a key to recognise it in a list, never enough to use it."""
    return raw[:12] + "…"
