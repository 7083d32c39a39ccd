"""`/api/v1/admin/llm/keys` over real HTTP on the demo server, stored in the real PostgreSQL."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from vizochok.core.admin.model import AdminIdentity
from vizochok.core.errors import VizochokError
from vizochok.core.llm.keys import LLMKeyService

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tests.helpers import ThreadedServer
    from vizochok.adapters.db import Database
    from vizochok.adapters.db.tenants import PostgresTenantRepository

pytestmark = pytest.mark.asyncio

PATH = "/api/v1/admin/llm/keys"
KEY = "sk-ant-tenant-0wn-5ecret-key"


@pytest.fixture
async def api(demo_server: ThreadedServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=demo_server.base_url) as client:
        yield client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_a_key_is_stored_encrypted_used_by_the_tenant_and_never_returned_or_logged(
    api: httpx.AsyncClient,
    make_tenant: Any,
    tenant_repo: PostgresTenantRepository,
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    tenant = await make_tenant()
    auth = bearer(tenant["sk"])
    assert (await api.get(PATH, headers=auth)).json() == [
        {"provider": "anthropic", "has_key": False}, {"provider": "openai", "has_key": False},
    ]  # fmt: skip

    answer = await api.put(f"{PATH}/anthropic", headers=auth, json={"api_key": KEY})
    assert (answer.status_code, answer.json()) == (200, {"provider": "anthropic", "has_key": True})
    listed = await api.get(PATH, headers=auth)
    assert {"provider": "anthropic", "has_key": True} in listed.json()
    settings = await api.get("/api/v1/admin/settings", headers=auth)
    audit = await api.get("/api/v1/admin/audit", headers=auth)
    for text in (answer.text, listed.text, settings.text, audit.text, caplog.text):
        assert KEY not in text
    assert "llm_key.set" in audit.text

    # At rest: ciphertext only. In memory: the tenant the chat reads carries the key.
    async with database.tenant(tenant["tenant_id"]) as conn:
        row = await (
            await conn.execute(
                "SELECT llm_keys_enc::text AS raw FROM tenants WHERE id = %s", (tenant["tenant_id"],)
            )
        ).fetchone()
    assert row is not None
    assert "anthropic" in row["raw"]
    assert KEY not in row["raw"]
    loaded = await tenant_repo.get(tenant["tenant_id"])
    assert loaded is not None
    assert loaded.llm_keys["anthropic"].get_secret_value() == KEY
    assert KEY not in repr(loaded)
    assert "llm_keys" not in loaded.model_dump()

    replaced = await api.put(f"{PATH}/anthropic", headers=auth, json={"api_key": KEY + "-2"})
    assert replaced.status_code == 200
    loaded = await tenant_repo.get(tenant["tenant_id"])
    assert loaded is not None
    assert loaded.llm_keys["anthropic"].get_secret_value() == KEY + "-2"

    gone = await api.delete(f"{PATH}/anthropic", headers=auth)
    assert gone.json() == {"provider": "anthropic", "has_key": False}
    again = await api.delete(f"{PATH}/anthropic", headers=auth)
    assert (again.status_code, again.json()["code"]) == (404, "not_found")
    loaded = await tenant_repo.get(tenant["tenant_id"])
    assert loaded is not None
    assert loaded.llm_keys == {}


@pytest.mark.parametrize(
    ("provider", "body"),
    [
        ("openrouter", {"api_key": KEY}),  # no such provider
        ("offline", {"api_key": KEY}),  # needs no key
        ("openai", {}),
        ("openai", {"api_key": ""}),
        ("openai", {"api_key": 42}),
        ("openai", {"api_key": KEY + "\nX-Injected: 1"}),
        ("openai", {"api_key": KEY + " with spaces"}),
        ("openai", {"api_key": "k" * 1001}),
        ("openai", {"api_key": KEY, "base_url": "http://169.254.169.254/v1"}),  # a tenant never picks the URL
    ],
)
async def test_bad_input_is_a_validation_error_that_quotes_no_key(
    api: httpx.AsyncClient,
    make_tenant: Any,
    tenant_repo: PostgresTenantRepository,
    provider: str,
    body: dict[str, Any],
) -> None:
    tenant = await make_tenant()
    answer = await api.put(f"{PATH}/{provider}", headers=bearer(tenant["sk"]), json=body)
    assert (answer.status_code, answer.json()["code"]) == (422, "validation_error")
    assert KEY not in answer.text
    loaded = await tenant_repo.get(tenant["tenant_id"])
    assert loaded is not None
    assert loaded.llm_keys == {}


async def test_needs_an_admin_key(api: httpx.AsyncClient, make_tenant: Any) -> None:
    tenant = await make_tenant()
    for headers, status in (({}, 401), (bearer(tenant["pk"]), 403)):
        for method in ("GET", "PUT", "DELETE"):
            url = PATH if method == "GET" else f"{PATH}/openai"
            answer = await api.request(
                method, url, headers=headers, json={"api_key": KEY} if method == "PUT" else None
            )
            assert answer.status_code == status, (method, headers)


class MemoryStore:
    def __init__(self) -> None:
        self.keys: dict[str, str] = {}

    async def providers(self, _tenant_id: str) -> list[str]:
        return sorted(self.keys)

    async def set(self, _tenant_id: str, provider: str, key: str) -> None:
        self.keys[provider] = key

    async def delete(self, _tenant_id: str, provider: str) -> bool:
        return self.keys.pop(provider, None) is not None


class NoAudit:
    async def audit(self, *_args: Any, **_kwargs: Any) -> None:
        return None


@pytest.mark.parametrize("role", ["viewer", "editor"])
async def test_only_owners_set_or_delete_keys(role: str) -> None:
    store = MemoryStore()
    service = LLMKeyService(store, NoAudit(), lambda: ["offline", "openai", "anthropic"])  # type: ignore[arg-type]
    identity = AdminIdentity(actor="user:u", tenant_id="t", role=role)
    assert await service.view(identity) == [
        {"provider": "anthropic", "has_key": False},
        {"provider": "openai", "has_key": False},
    ]
    for call in (service.set(identity, "openai", KEY), service.delete(identity, "openai")):
        with pytest.raises(VizochokError) as caught:
            await call
        assert caught.value.code == "forbidden"
    assert store.keys == {}
    owner = identity.model_copy(update={"role": "owner"})
    await service.set(owner, "openai", KEY)
    assert store.keys == {"openai": KEY}
