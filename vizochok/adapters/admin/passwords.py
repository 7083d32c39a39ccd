"""Argon2id password hashing."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()


class Argon2Passwords:
    """Hashes and checks passwords in a worker thread: argon2 is deliberately slow."""

    async def hash(self, password: str) -> str:
        """A salted argon2id hash."""
        return await asyncio.to_thread(_HASHER.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether `password` matches."""
        try:
            return await asyncio.to_thread(_HASHER.verify, password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
