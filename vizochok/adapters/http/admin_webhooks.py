"""Admin webhooks API (vizochok-docs §8, DECISIONS §3): an admin session or an `sk_` key with the `admin` scope."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vizochok.adapters.http.admin import admin_identity
from vizochok.core.admin import AdminIdentity, Role, require
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.ports import KeyRepository
from vizochok.core.services.admin import AdminService, tenant_of
from vizochok.core.services.webhooks import WebhookAdminService, WebhookPatch


class _TestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    skus: list[str] = Field(default_factory=list, max_length=10)


def _parse(model: type[BaseModel], data: dict[str, Any] | None) -> Any:
    try:
        return model.model_validate(data or {})
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise VizochokError(ErrorCode.VALIDATION_ERROR, detail) from None


async def _tenant_of(
    request: Request[Any, Any, Any], keys: KeyRepository, admin: AdminService, role: Role = "viewer"
) -> tuple[str, AdminIdentity]:
    # The one place that decides who may call these endpoints: reading needs a viewer, changing an editor.
    identity = await admin_identity(request, admin, keys)
    require(identity, role)
    return tenant_of(identity), identity


class AdminWebhooksController(Controller):
    """Read, change and test the calling tenant's webhooks; the secret is never returned after it is made."""

    path = "/api/v1/admin/webhooks"
    tags = ["admin"]  # noqa: RUF012 - Litestar reads it as a class attribute
    signature_namespace = {  # noqa: RUF012
        "KeyRepository": KeyRepository, "WebhookAdminService": WebhookAdminService, "AdminService": AdminService,
    }  # fmt: skip

    @get("/")
    async def read(
        self, request: Request[Any, Any, Any], keys: KeyRepository, webhook_admin: WebhookAdminService, admin: AdminService
    ) -> dict[str, Any]:
        """`{products_url, cart_url, cart_get_url, has_secret, timeout_seconds}`."""
        tenant_id, _ = await _tenant_of(request, keys, admin)
        return await webhook_admin.view(tenant_id)

    @patch("/")
    async def change(
        self,
        request: Request[Any, Any, Any],
        keys: KeyRepository,
        webhook_admin: WebhookAdminService,
        admin: AdminService,
        data: dict[str, Any],
    ) -> dict[str, Any]:
        """`{ok, has_secret}`, plus `secret` once when the platform generated it."""
        tenant_id, identity = await _tenant_of(request, keys, admin, "editor")
        change = _parse(WebhookPatch, data)
        answer = await webhook_admin.update(tenant_id, change)
        details = {k: v for k, v in (data or {}).items() if k != "secret"}
        if "secret" in data or "secret" in answer:
            details["secret"] = "set" if "secret" in data else "generated"
        await admin.audit(identity, "webhooks.update", tenant_id, details)
        return answer

    @post("/test", status_code=200)
    async def test(
        self,
        request: Request[Any, Any, Any],
        keys: KeyRepository,
        webhook_admin: WebhookAdminService,
        admin: AdminService,
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send a signed sample products request; `{ok, url, status, latency_ms, problems, error, detail}`."""
        tenant_id, _ = await _tenant_of(request, keys, admin, "editor")
        report = await webhook_admin.test(tenant_id, _parse(_TestBody, data).skus)
        return report.model_dump()

    @get("/status")
    async def status(
        self, request: Request[Any, Any, Any], keys: KeyRepository, webhook_admin: WebhookAdminService, admin: AdminService
    ) -> dict[str, Any]:
        """Circuit breaker state, concurrency and per-webhook latency and failure counters of this process."""
        tenant_id, _ = await _tenant_of(request, keys, admin)
        return await webhook_admin.status(tenant_id)
