"""The admin webhooks API (vizochok-docs §8, DECISIONS §3): read, change and test a tenant's webhooks."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.webhooks.ssrf import UnsafeDestination

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vizochok.core.models import Tenant
    from vizochok.core.ports import URLGuard, WebhookConfigStore, WebhookHealth, WebhookProbe
    from vizochok.core.webhooks.signing import WebhookTestReport

SAMPLE_SKUS = ("vizochok-test-1", "vizochok-test-2", "vizochok-test-3")
"""What the test asks for when the caller names no SKUs; the retailer answers with the ones it knows."""
MIN_SECRET_LENGTH = 16
MAX_TIMEOUT_SECONDS = 30.0
_URL_FIELDS = ("products_url", "cart_url", "cart_get_url")


class WebhookPatch(BaseModel):
    """Body of `PATCH /api/v1/admin/webhooks`; a field left out keeps its value, `""` clears a URL."""

    model_config = ConfigDict(extra="forbid")

    products_url: str | None = Field(default=None, max_length=2000)
    cart_url: str | None = Field(default=None, max_length=2000)
    cart_get_url: str | None = Field(default=None, max_length=2000)
    secret: str | None = Field(default=None, max_length=200, repr=False)
    """A secret of the retailer's choice; `""` or absent keeps the current one."""
    timeout_seconds: float | None = Field(default=None, gt=0, le=MAX_TIMEOUT_SECONDS)


class WebhookAdminService:
    """Use cases of the admin webhooks API for the key's own tenant."""

    def __init__(
        self, tenants: WebhookConfigStore, guard: URLGuard, probe: WebhookProbe, health: WebhookHealth
    ) -> None:
        self._tenants = tenants
        self._guard = guard
        self._probe = probe
        self._health = health

    async def view(self, tenant_id: str) -> dict[str, Any]:
        """The documented GET answer; the secret itself never leaves."""
        hooks = (await self._tenant(tenant_id)).webhooks
        return {
            "products_url": hooks.products_url,
            "cart_url": hooks.cart_url,
            "cart_get_url": hooks.cart_get_url,
            "has_secret": bool(hooks.secret),
            "timeout_seconds": hooks.timeout_seconds,
        }

    async def update(self, tenant_id: str, patch: WebhookPatch) -> dict[str, Any]:
        """Check and save; a secret generated here is in this answer and nowhere else, ever."""
        tenant = await self._tenant(tenant_id)
        changes: dict[str, Any] = {}
        for name in _URL_FIELDS:
            url = getattr(patch, name)
            if url is None:
                continue
            url = url.strip()
            if url:
                await self._check(name, url)
            changes[name] = url
        if patch.timeout_seconds is not None:
            changes["timeout_seconds"] = patch.timeout_seconds
        generated = None
        if patch.secret:
            if len(patch.secret) < MIN_SECRET_LENGTH or patch.secret != patch.secret.strip():
                raise VizochokError(
                    ErrorCode.VALIDATION_ERROR,
                    f"secret: at least {MIN_SECRET_LENGTH} characters, no surrounding spaces",
                )
            changes["secret"] = patch.secret
        elif not tenant.webhooks.secret:
            generated = changes["secret"] = secrets.token_urlsafe(32)
        await self._tenants.update_webhooks(tenant_id, **changes)
        # New settings deserve a fresh start: an open circuit would otherwise hide the fix.
        await self._health.reset(tenant_id)
        answer: dict[str, Any] = {"ok": True, "has_secret": True}
        if generated is not None:
            answer["secret"] = generated
        return answer

    async def test(self, tenant_id: str, skus: Sequence[str] = ()) -> WebhookTestReport:
        """Send a signed sample products request and report status, latency and schema problems."""
        tenant = await self._tenant(tenant_id)
        if not tenant.webhooks.products_url:
            raise VizochokError(ErrorCode.VALIDATION_ERROR, "products_url is not set")
        if not tenant.webhooks.secret:
            raise VizochokError(ErrorCode.VALIDATION_ERROR, "no webhook secret yet: PATCH the webhooks first")
        return await self._probe.probe(tenant, list(skus) or list(SAMPLE_SKUS))

    async def status(self, tenant_id: str) -> dict[str, Any]:
        """Circuit breaker state and per-webhook latency and failure counters."""
        return await self._health.status(tenant_id)

    async def _check(self, name: str, url: str) -> None:
        try:
            await self._guard.check(url)
        except UnsafeDestination as exc:
            raise VizochokError(ErrorCode.WEBHOOK_URL_REJECTED, f"{name}: {exc.reason}", field=name) from exc

    async def _tenant(self, tenant_id: str) -> Tenant:
        tenant = await self._tenants.get(tenant_id)
        if tenant is None:
            raise VizochokError(ErrorCode.NOT_FOUND, "tenant not found")
        return tenant
