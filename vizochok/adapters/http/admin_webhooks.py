"""Admin webhooks API (vizochok-docs §8, DECISIONS §3): an admin session or an `sk_` key with the `admin` scope.

Who may read or change them, and what the audit log keeps of a change, is `WebhookAdminService`'s to decide.
"""

from __future__ import annotations

from litestar import Controller, get, patch, post

from vizochok.adapters.http.auth import ADMIN
from vizochok.adapters.http.schemas import (
    ADMIN_AUTH,
    ADMIN_ERRORS,
    WebhookSaved,
    WebhookStatus,
    WebhookTestInput,
    WebhookView,
    errors,
)
from vizochok.core.admin.model import AdminIdentity
from vizochok.core.webhooks.service import WebhookAdminService, WebhookPatch
from vizochok.core.webhooks.signing import WebhookTestReport


class AdminWebhooksController(Controller):
    """Read, change and test the calling tenant's webhooks; the secret is never returned after it is made."""

    path = "/api/v1/admin/webhooks"
    tags = ["admin"]  # noqa: RUF012 - Litestar reads it as a class attribute
    security = ADMIN_AUTH
    dependencies = ADMIN
    signature_namespace = {  # noqa: RUF012
        "WebhookAdminService": WebhookAdminService, "AdminIdentity": AdminIdentity, "WebhookPatch": WebhookPatch,
        "WebhookTestInput": WebhookTestInput, "WebhookTestReport": WebhookTestReport,
    }  # fmt: skip

    @get("/", responses=errors(401, 403, 404))
    async def read(self, webhook_admin: WebhookAdminService, identity: AdminIdentity) -> WebhookView:
        """`{products_url, cart_url, cart_get_url, has_secret, timeout_seconds}`."""
        return WebhookView.model_validate(await webhook_admin.view(identity))

    @patch("/", responses=errors(*ADMIN_ERRORS, 404))
    async def change(
        self, webhook_admin: WebhookAdminService, identity: AdminIdentity, data: WebhookPatch
    ) -> WebhookSaved:
        """`{ok, has_secret}`, plus `secret` once when the platform generated it."""
        return WebhookSaved.model_validate(await webhook_admin.update(identity, data))

    @post("/test", status_code=200, responses=errors(*ADMIN_ERRORS, 404))
    async def test(
        self,
        webhook_admin: WebhookAdminService,
        identity: AdminIdentity,
        data: WebhookTestInput | None = None,
    ) -> WebhookTestReport:
        """Send a signed sample products request; `{ok, url, status, latency_ms, problems, error, detail}`."""
        return await webhook_admin.test(identity, data.skus if data else [])

    @get("/status", responses=errors(401, 403))
    async def status(self, webhook_admin: WebhookAdminService, identity: AdminIdentity) -> WebhookStatus:
        """Circuit breaker state, concurrency and per-webhook latency and failure counters of this process."""
        return WebhookStatus.model_validate(await webhook_admin.status(identity))
