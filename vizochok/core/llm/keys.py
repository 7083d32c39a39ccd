"""A tenant's own LLM provider keys: set, list and delete through the admin API; never shown again.

A tenant that picks a provider other than the deployment's needs its own key for it (otherwise
that provider's public endpoint is called with no key and answers 401). A tenant may also bring
its own key for the deployment's provider, to be billed on its own account. The key is
encrypted at rest, decrypted only into the tenant read by the chat, and never returned, logged or
written to the audit log (only which provider got a key, and by whom).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol

from vizochok.core.admin.model import require
from vizochok.core.admin.service import tenant_of
from vizochok.core.errors import ErrorCode, VizochokError

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from vizochok.core.admin.model import AdminIdentity
    from vizochok.core.admin.service import AdminService

MAX_KEY_LENGTH = 1000
_KEY_SHAPE = re.compile(r"^[\x21-\x7e]+$")
"""Printable ASCII without spaces: what every provider's keys look like, and safe in a header."""


class LLMKeyStore(Protocol):
    """Where the encrypted keys live."""

    async def providers(self, tenant_id: str) -> list[str]: ...  # noqa: D102
    async def set(self, tenant_id: str, provider: str, key: str) -> None: ...  # noqa: D102
    async def delete(self, tenant_id: str, provider: str) -> bool: ...  # noqa: D102


class LLMKeyService:
    """Owners manage the keys; viewers may see which providers have one."""

    def __init__(
        self, store: LLMKeyStore, admin: AdminService, providers: Callable[[], Collection[str]]
    ) -> None:
        self._store = store
        self._admin = admin
        self._providers = providers
        """Names of the LLM providers that can take a key (the registry's, without `offline`)."""

    def _check_provider(self, provider: str) -> None:
        known = sorted(p for p in self._providers() if p != "offline")
        if provider not in known:
            raise VizochokError(ErrorCode.VALIDATION_ERROR, f"provider must be one of {', '.join(known)}")

    async def view(self, identity: AdminIdentity) -> list[dict[str, object]]:
        """`[{provider, has_key}]` for every provider that can take a key."""
        require(identity, "viewer")
        have = set(await self._store.providers(tenant_of(identity)))
        return [{"provider": p, "has_key": p in have} for p in sorted(self._providers()) if p != "offline"]

    async def set(self, identity: AdminIdentity, provider: str, key: object) -> dict[str, object]:
        """Store the tenant's key for `provider`; the answer never holds it."""
        require(identity, "owner")
        self._check_provider(provider)
        # The message never quotes the value: a key pasted with a stray newline must not end up in a log.
        if not isinstance(key, str) or not key:
            raise VizochokError(ErrorCode.VALIDATION_ERROR, "api_key: a non-empty string is required")
        if len(key) > MAX_KEY_LENGTH or not _KEY_SHAPE.match(key):
            raise VizochokError(
                ErrorCode.VALIDATION_ERROR,
                f"api_key: printable characters without spaces, at most {MAX_KEY_LENGTH}",
            )
        tenant_id = tenant_of(identity)
        await self._store.set(tenant_id, provider, key)
        await self._admin.audit(identity, "llm_key.set", provider)
        return {"provider": provider, "has_key": True}

    async def delete(self, identity: AdminIdentity, provider: str) -> dict[str, object]:
        """Forget the tenant's key for `provider`."""
        require(identity, "owner")
        self._check_provider(provider)
        if not await self._store.delete(tenant_of(identity), provider):
            raise VizochokError(ErrorCode.NOT_FOUND, f"no key stored for {provider}")
        await self._admin.audit(identity, "llm_key.delete", provider)
        return {"provider": provider, "has_key": False}
