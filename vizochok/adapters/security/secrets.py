"""Encryption at rest of secrets the platform must use later (webhook signing secrets)."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken


class SecretBox:
    """Fernet (AES-128-CBC with HMAC-SHA256) under a key derived from `VIZOCHOK_SECRET_KEY`."""

    def __init__(self, master_key: str) -> None:
        digest = hashlib.sha256(b"vizochok-secretbox\0" + master_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def encrypt(self, plaintext: str) -> str:
        """Ciphertext safe to store."""
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        """The plaintext; raises `ValueError` when the key is not the one that encrypted it."""
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken as exc:
            msg = "cannot decrypt a stored secret: VIZOCHOK_SECRET_KEY differs from the one that encrypted it"
            raise ValueError(msg) from exc
