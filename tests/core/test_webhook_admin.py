"""The admin webhooks use cases with hand-written fakes and the real save-time SSRF guard."""

from __future__ import annotations

from typing import Any

import pytest

from vizochok.adapters.webhook.guard import ResolvingURLGuard
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.models import Tenant, WebhookConfig
from vizochok.core.webhooks.service import SAMPLE_SKUS, WebhookAdminService, WebhookPatch
from vizochok.core.webhooks.signing import WebhookTestReport

pytestmark = pytest.mark.asyncio


class FakeTenants:
    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.writes: list[dict[str, Any]] = []

    async def get(self, tenant_id: str) -> Tenant | None:
        return self.tenant if tenant_id == self.tenant.id else None

    async def update_webhooks(self, tenant_id: str, **changes: Any) -> None:
        assert tenant_id == self.tenant.id
        self.writes.append(changes)
        self.tenant = self.tenant.model_copy(
            update={"webhooks": self.tenant.webhooks.model_copy(update=changes)}
        )


class FakeHealth:
    def __init__(self) -> None:
        self.resets: list[str] = []
        self.probed: list[list[str]] = []

    async def status(self, tenant_id: str) -> dict[str, Any]:
        return {"tenant": tenant_id}

    async def reset(self, tenant_id: str) -> None:
        self.resets.append(tenant_id)

    async def probe(self, tenant: Tenant, skus: list[str]) -> WebhookTestReport:
        self.probed.append(skus)
        return WebhookTestReport(ok=True, url=tenant.webhooks.products_url, status=200, latency_ms=1.0)


def service(
    answers: dict[str, list[str]], secret: str | None = None
) -> tuple[WebhookAdminService, FakeTenants, FakeHealth]:
    async def resolver(host: str, port: int) -> list[str]:
        return answers.get(host, [])

    tenants = FakeTenants(
        Tenant(id="tnt_1", name="Shop", store_id="s1", webhooks=WebhookConfig(secret=secret))
    )
    health = FakeHealth()
    guard = ResolvingURLGuard(allow_private=False, resolver=resolver)
    return WebhookAdminService(tenants, guard, health, health), tenants, health


async def test_secret_is_generated_once_and_never_shown_again() -> None:
    admin, tenants, health = service({"shop.example": ["93.184.216.34"]})
    first = await admin.update("tnt_1", WebhookPatch(products_url="https://shop.example/p"))
    assert first["ok"] is True and first["has_secret"] is True
    assert len(first["secret"]) >= 40
    assert tenants.tenant.webhooks.secret == first["secret"]
    second = await admin.update("tnt_1", WebhookPatch(cart_url="https://shop.example/c"))
    assert "secret" not in second
    view = await admin.view("tnt_1")
    assert view == {"products_url": "https://shop.example/p", "cart_url": "https://shop.example/c", "cart_get_url": "",
                    "has_secret": True, "timeout_seconds": 5.0}  # fmt: skip
    assert first["secret"] not in repr(view)
    assert health.resets == ["tnt_1", "tnt_1"]


async def test_given_secret_replaces_and_is_not_echoed() -> None:
    admin, tenants, _ = service({}, secret="old-secret-0123456789")
    answer = await admin.update("tnt_1", WebhookPatch(secret="retailer-chosen-secret-42", timeout_seconds=3))
    assert answer == {"ok": True, "has_secret": True}
    assert tenants.tenant.webhooks.secret == "retailer-chosen-secret-42"
    assert tenants.tenant.webhooks.timeout_seconds == 3
    with pytest.raises(VizochokError) as caught:
        await admin.update("tnt_1", WebhookPatch(secret="short"))
    assert caught.value.code == ErrorCode.VALIDATION_ERROR
    assert "short" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "answers", "why"),
    [
        ("http://shop.example/p", {"shop.example": ["93.184.216.34"]}, "https://"),
        ("https://shop.example/p", {"shop.example": ["10.0.0.8"]}, "private"),
        ("https://shop.example/p", {"shop.example": ["93.184.216.34", "::ffff:127.0.0.1"]}, "loopback"),
        ("https://shop.example/p", {}, "does not resolve"),
        ("https://169.254.169.254/latest", {}, "cloud metadata"),
    ],
)
async def test_unsafe_urls_are_rejected_and_nothing_is_saved(
    url: str, answers: dict[str, list[str]], why: str
) -> None:
    admin, tenants, _ = service(answers, secret="x" * 20)
    with pytest.raises(VizochokError) as caught:
        await admin.update("tnt_1", WebhookPatch(cart_url="", products_url=url, timeout_seconds=2))
    assert caught.value.code == ErrorCode.WEBHOOK_URL_REJECTED
    assert caught.value.http_status == 422
    assert why in caught.value.detail
    assert caught.value.extra == {"field": "products_url"}
    assert tenants.writes == []


async def test_empty_string_clears_a_url_and_absent_keeps_it() -> None:
    admin, tenants, _ = service({"shop.example": ["93.184.216.34"]}, secret="x" * 20)
    await admin.update(
        "tnt_1", WebhookPatch(products_url="https://shop.example/p", cart_get_url="https://shop.example/g")
    )
    await admin.update("tnt_1", WebhookPatch(cart_get_url=""))
    assert (tenants.tenant.webhooks.products_url, tenants.tenant.webhooks.cart_get_url) == (
        "https://shop.example/p",
        "",
    )


async def test_test_needs_a_url_and_a_secret_and_defaults_to_sample_skus() -> None:
    admin, _, health = service({"shop.example": ["93.184.216.34"]})
    with pytest.raises(VizochokError, match="products_url is not set"):
        await admin.test("tnt_1")
    await admin.update("tnt_1", WebhookPatch(products_url="https://shop.example/p"))
    report = await admin.test("tnt_1")
    assert report.ok is True
    assert await admin.test("tnt_1", ["milk-1"])
    assert health.probed == [list(SAMPLE_SKUS), ["milk-1"]]
    with pytest.raises(VizochokError) as caught:
        await admin.view("tnt_other")
    assert caught.value.code == ErrorCode.NOT_FOUND
