"""`/api/v1/admin/llm/keys`: a tenant's own LLM provider keys; set once, never returned.

The request body (`{"api_key": …}`) is read here and passed on; no error message, log line or
audit entry quotes it.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, put

from vizochok.adapters.http.admin import admin_identity
from vizochok.adapters.http.schemas import ADMIN_AUTH, ADMIN_ERRORS, LLMKeyInput, LLMKeyState, errors
from vizochok.core.admin.service import AdminService
from vizochok.core.llm.keys import LLMKeyService
from vizochok.core.ports import KeyRepository


class AdminLLMKeysController(Controller):
    """List which providers have a key, set one (owner), delete one (owner)."""

    path = "/api/v1/admin/llm/keys"
    tags = ["admin"]  # noqa: RUF012 - Litestar reads it as a class attribute
    signature_namespace = {  # noqa: RUF012
        "KeyRepository": KeyRepository,
        "AdminService": AdminService,
        "LLMKeyService": LLMKeyService,
    }

    @get("/", security=ADMIN_AUTH, responses=errors(401, 403))
    async def list_keys(
        self,
        request: Request[Any, Any, Any],
        keys: KeyRepository,
        admin: AdminService,
        llm_keys: LLMKeyService,
    ) -> list[LLMKeyState]:
        """`[{provider, has_key}]`."""
        rows = await llm_keys.view(await admin_identity(request, admin, keys))
        return [LLMKeyState.model_validate(row) for row in rows]

    @put("/{provider:str}", status_code=200, security=ADMIN_AUTH, responses=errors(*ADMIN_ERRORS, 404))
    async def set_key(  # noqa: PLR0917 - Litestar passes parameters by name
        self,
        request: Request[Any, Any, Any],
        provider: str,
        keys: KeyRepository,
        admin: AdminService,
        llm_keys: LLMKeyService,
        data: LLMKeyInput,
    ) -> LLMKeyState:
        """`{"api_key": "…"}` → `{provider, has_key: true}`; replaces an earlier key."""
        identity = await admin_identity(request, admin, keys)
        return LLMKeyState.model_validate(await llm_keys.set(identity, provider, data.api_key))

    @delete("/{provider:str}", status_code=200, security=ADMIN_AUTH, responses=errors(*ADMIN_ERRORS, 404))
    async def delete_key(
        self,
        request: Request[Any, Any, Any],
        provider: str,
        keys: KeyRepository,
        admin: AdminService,
        llm_keys: LLMKeyService,
    ) -> LLMKeyState:
        """`{provider, has_key: false}`; 404 `not_found` when there was no key."""
        return LLMKeyState.model_validate(
            await llm_keys.delete(await admin_identity(request, admin, keys), provider)
        )
