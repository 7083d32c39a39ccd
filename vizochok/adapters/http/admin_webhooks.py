"""Admin webhooks API (vizochok-docs §8, DECISIONS §3); needs an `sk_` key with the `admin` scope."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, patch, post
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vizochok.adapters.http.auth import authorize
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.ports import KeyRepository
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


async def _tenant_of(request: Request[Any, Any, Any], keys: KeyRepository) -> str:
    # The one place that decides who may call these endpoints: an sk_ key with the admin scope.
    return (await authorize(request, keys, "admin")).tenant_id


class AdminWebhooksController(Controller):
    """Read, change and test the calling tenant's webhooks; the secret is never returned after it is made."""

    path = "/api/v1/admin/webhooks"
    tags = ["admin"]  # noqa: RUF012 - Litestar reads it as a class attribute
    signature_namespace = {"KeyRepository": KeyRepository, "WebhookAdminService": WebhookAdminService}  # noqa: RUF012

    @get("/")
    async def read(
        self, request: Request[Any, Any, Any], keys: KeyRepository, webhook_admin: WebhookAdminService
    ) -> dict[str, Any]:
        """`{products_url, cart_url, cart_get_url, has_secret, timeout_seconds}`."""
        return await webhook_admin.view(await _tenant_of(request, keys))

    @patch("/")
    async def change(
        self,
        request: Request[Any, Any, Any],
        keys: KeyRepository,
        webhook_admin: WebhookAdminService,
        data: dict[str, Any],
    ) -> dict[str, Any]:
        """`{ok, has_secret}`, plus `secret` once when the platform generated it."""
        return await webhook_admin.update(await _tenant_of(request, keys), _parse(WebhookPatch, data))

    @post("/test", status_code=200)
    async def test(
        self,
        request: Request[Any, Any, Any],
        keys: KeyRepository,
        webhook_admin: WebhookAdminService,
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Send a signed sample products request; `{ok, url, status, latency_ms, problems, error, detail}`."""
        tenant_id = await _tenant_of(request, keys)
        report = await webhook_admin.test(tenant_id, _parse(_TestBody, data).skus)
        return report.model_dump()

    @get("/status")
    async def status(
        self, request: Request[Any, Any, Any], keys: KeyRepository, webhook_admin: WebhookAdminService
    ) -> dict[str, Any]:
        """Circuit breaker state, concurrency and per-webhook latency and failure counters of this process."""
        return await webhook_admin.status(await _tenant_of(request, keys))
