"""Identifiers with a readable prefix (`conv_…`, `job_…`)."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    """A random id such as `conv_5b1f0c9e2a7d4e11`."""
    return f"{prefix}_{secrets.token_hex(8)}"
