"""Admin webhooks API (vizochok-docs §8, DECISIONS §3): an admin session or an `sk_` key with the `admin` scope."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post

from vizochok.adapters.http.admin import admin_identity
from vizochok.adapters.http.schemas import (
    ADMIN_AUTH,
    ADMIN_ERRORS,
    WebhookSaved,
    WebhookStatus,
    WebhookTestInput,
    WebhookView,
    errors,
)
from vizochok.core.admin.model import AdminIdentity, Role, require
from vizochok.core.admin.service import AdminService, tenant_of
from vizochok.core.ports import KeyRepository
from vizochok.core.webhooks.service import WebhookAdminService, WebhookPatch
from vizochok.core.webhooks.signing import WebhookTestReport


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
    security = ADMIN_AUTH
    signature_namespace = {  # noqa: RUF012
        "KeyRepository": KeyRepository, "WebhookAdminService": WebhookAdminService, "AdminService": AdminService,
        "WebhookPatch": WebhookPatch, "WebhookTestInput": WebhookTestInput, "WebhookTestReport": WebhookTestReport,
    }  # fmt: skip

    @get("/", responses=errors(401, 403, 404))
    async def read(
        self,
        request: Request[Any, Any, Any],
        keys: KeyRepository,
        webhook_admin: WebhookAdminService,
        admin: AdminService,
    ) -> WebhookView:
        """`{products_url, cart_url, cart_get_url, has_secret, timeout_seconds}`."""
        tenant_id, _ = await _tenant_of(request, keys, admin)
        return WebhookView.model_validate(await webhook_admin.view(tenant_id))

    @patch("/", responses=errors(*ADMIN_ERRORS, 404))
    async def change(
        self,
        request: Request[Any, Any, Any],
        keys: KeyRepository,
        webhook_admin: WebhookAdminService,
        admin: AdminService,
        data: WebhookPatch,
    ) -> WebhookSaved:
        """`{ok, has_secret}`, plus `secret` once when the platform generated it."""
        tenant_id, identity = await _tenant_of(request, keys, admin, "editor")
        answer = await webhook_admin.update(tenant_id, data)
        sent = data.model_dump(exclude_unset=True)
        details = {k: v for k, v in sent.items() if k != "secret"}
        if "secret" in sent or "secret" in answer:
            details["secret"] = "set" if "secret" in sent else "generated"
        await admin.audit(identity, "webhooks.update", tenant_id, details)
        return WebhookSaved.model_validate(answer)

    @post("/test", status_code=200, responses=errors(*ADMIN_ERRORS, 404))
    async def test(
        self,
        request: Request[Any, Any, Any],
        keys: KeyRepository,
        webhook_admin: WebhookAdminService,
        admin: AdminService,
        data: WebhookTestInput | None = None,
    ) -> WebhookTestReport:
        """Send a signed sample products request; `{ok, url, status, latency_ms, problems, error, detail}`."""
        tenant_id, _ = await _tenant_of(request, keys, admin, "editor")
        return await webhook_admin.test(tenant_id, data.skus if data else [])

    @get("/status", responses=errors(401, 403))
    async def status(
        self,
        request: Request[Any, Any, Any],
        keys: KeyRepository,
        webhook_admin: WebhookAdminService,
        admin: AdminService,
    ) -> WebhookStatus:
        """Circuit breaker state, concurrency and per-webhook latency and failure counters of this process."""
        tenant_id, _ = await _tenant_of(request, keys, admin)
        return WebhookStatus.model_validate(await webhook_admin.status(tenant_id))
