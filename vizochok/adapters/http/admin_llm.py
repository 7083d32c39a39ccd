"""`/api/v1/admin/llm/keys`: a tenant's own LLM provider keys; set once, never returned.

The request body (`{"api_key": …}`) is read here and passed on; no error message, log line or
audit entry quotes it.
"""

from __future__ import annotations

from litestar import Controller, delete, get, put

from vizochok.adapters.http.auth import ADMIN
from vizochok.adapters.http.schemas import ADMIN_AUTH, ADMIN_ERRORS, LLMKeyInput, LLMKeyState, errors
from vizochok.core.admin.model import AdminIdentity
from vizochok.core.llm.keys import LLMKeyService


class AdminLLMKeysController(Controller):
    """List which providers have a key, set one (owner), delete one (owner)."""

    path = "/api/v1/admin/llm/keys"
    tags = ["admin"]  # noqa: RUF012 - Litestar reads it as a class attribute
    dependencies = ADMIN
    signature_namespace = {"LLMKeyService": LLMKeyService, "AdminIdentity": AdminIdentity}  # noqa: RUF012

    @get("/", security=ADMIN_AUTH, responses=errors(401, 403))
    async def list_keys(self, llm_keys: LLMKeyService, identity: AdminIdentity) -> list[LLMKeyState]:
        """`[{provider, has_key}]`."""
        return [LLMKeyState.model_validate(row) for row in await llm_keys.view(identity)]

    @put("/{provider:str}", status_code=200, security=ADMIN_AUTH, responses=errors(*ADMIN_ERRORS, 404))
    async def set_key(
        self, provider: str, llm_keys: LLMKeyService, identity: AdminIdentity, data: LLMKeyInput
    ) -> LLMKeyState:
        """`{"api_key": "…"}` → `{provider, has_key: true}`; replaces an earlier key."""
        return LLMKeyState.model_validate(await llm_keys.set(identity, provider, data.api_key))

    @delete("/{provider:str}", status_code=200, security=ADMIN_AUTH, responses=errors(*ADMIN_ERRORS, 404))
    async def delete_key(
        self, provider: str, llm_keys: LLMKeyService, identity: AdminIdentity
    ) -> LLMKeyState:
        """`{provider, has_key: false}`; 404 `not_found` when there was no key."""
        return LLMKeyState.model_validate(await llm_keys.delete(identity, provider))
