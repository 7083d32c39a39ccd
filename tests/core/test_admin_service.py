"""The rules the HTTP handlers used to decide, now the services': who calls, on which tenant, what is shown.

In memory and fast: `InMemoryTenantRepository` and `InMemoryKeyRepository` (the twins the contract tests
hold equal to PostgreSQL), and small fakes of the admin store, sessions, throttle and password hasher.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from vizochok.adapters.db.memory import (
    InMemoryCatalogRepository,
    InMemoryKeyRepository,
    InMemoryTenantRepository,
)
from vizochok.core.admin.access import server_key, tenant_of_key
from vizochok.core.admin.model import AdminIdentity
from vizochok.core.admin.service import AdminService
from vizochok.core.catalog.service import CatalogService
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.models import IdentityConfig, Principal, Tenant, WebhookConfig

pytestmark = pytest.mark.asyncio

OWNER = AdminIdentity(actor="user:usr_o", tenant_id="tnt_a", role="owner", email="o@shop.ua")
OPERATOR = AdminIdentity(actor="user:usr_op", tenant_id=None, role="operator", email="op@vizochok.dev")


class Store:
    """The few `AdminStore` methods these rules reach: the audit log and the keys of a new tenant."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str, str, dict[str, Any]]] = []

    async def audit(
        self, tenant_id: str, actor: str, action: str, target: str = "", details: dict[str, Any] | None = None
    ) -> None:
        self.entries.append((tenant_id, actor, action, target, details or {}))

    async def create_key(self, tenant_id: str, kind: str, scopes: list[str], name: str) -> tuple[Any, str]:
        return None, f"{kind}_{tenant_id}_{secrets.token_hex(4)}"

    async def update_settings(self, tenant_id: str, patch: Any) -> None:
        return None

    async def plan_of(self, tenant_id: str) -> str:
        return "standard"

    async def ledger(self, tenant_id: str, start: Any, end: Any) -> list[Any]:
        return []

    async def activity(self, tenant_id: str, start: Any, end: Any) -> list[Any]:
        return []


class Sessions:
    """Admin sessions in a dict."""

    def __init__(self) -> None:
        self.live: dict[str, tuple[AdminIdentity, str]] = {}

    async def create(self, identity: AdminIdentity) -> tuple[str, str]:
        token, csrf = secrets.token_hex(8), secrets.token_hex(8)
        self.live[token] = (identity, csrf)
        return token, csrf

    async def get(self, token: str) -> tuple[AdminIdentity, str] | None:
        return self.live.get(token)

    async def delete(self, token: str) -> None:
        self.live.pop(token, None)


class Unused:
    """The password hasher and the login throttle: none of these rules signs anyone in."""


def admin_service() -> tuple[AdminService, Store, Sessions, InMemoryTenantRepository]:
    store, sessions, tenants = Store(), Sessions(), InMemoryTenantRepository()
    tenants.add(
        Tenant(id="tnt_a", name="A", store_id="a", webhooks=WebhookConfig(secret="s3cret-webhook-value-123"))
    )
    tenants.add(Tenant(id="tnt_b", name="B", store_id="b"))
    return AdminService(store, tenants, Unused(), sessions, Unused()), store, sessions, tenants  # type: ignore[arg-type]


# --- who calls --------------------------------------------------------------------------------------


async def test_a_session_needs_a_live_token() -> None:
    admin, _, sessions, _ = admin_service()
    for token in (None, "", "forged"):
        with pytest.raises(VizochokError) as caught:
            await admin.session_identity(token, csrf=None, changes=False, acting_for=None)
        assert caught.value.code == ErrorCode.UNAUTHORIZED
    token, _ = await sessions.create(OWNER)
    assert await admin.session_identity(token, csrf=None, changes=False, acting_for=None) == OWNER


async def test_changes_need_the_session_s_csrf_token_and_reads_do_not() -> None:
    admin, _, sessions, _ = admin_service()
    token, csrf = await sessions.create(OWNER)
    for sent in (None, "", "forged", csrf[:-1]):
        with pytest.raises(VizochokError) as caught:
            await admin.session_identity(token, csrf=sent, changes=True, acting_for=None)
        assert caught.value.code == ErrorCode.FORBIDDEN
    assert await admin.session_identity(token, csrf=csrf, changes=True, acting_for=None) == OWNER
    assert await admin.session_identity(token, csrf=None, changes=False, acting_for=None) == OWNER


async def test_only_an_operator_acts_for_the_tenant_it_names() -> None:
    admin, _, sessions, _ = admin_service()
    operator, _ = await sessions.create(OPERATOR)
    acting = await admin.session_identity(operator, csrf=None, changes=False, acting_for="tnt_b")
    assert (acting.tenant_id, acting.role, acting.actor) == ("tnt_b", "operator", OPERATOR.actor)
    owner, _ = await sessions.create(OWNER)  # an owner naming another tenant stays on its own
    assert (
        await admin.session_identity(owner, csrf=None, changes=False, acting_for="tnt_b")
    ).tenant_id == "tnt_a"
    unnamed = await admin.session_identity(operator, csrf=None, changes=False, acting_for=None)
    with pytest.raises(VizochokError) as caught:  # an operator that names no tenant is told how
        await admin.settings_view(unnamed)
    assert caught.value.code == ErrorCode.VALIDATION_ERROR and "X-Vizochok-Tenant" in caught.value.detail


async def test_logout_ends_the_session() -> None:
    admin, _, sessions, _ = admin_service()
    token, _ = await sessions.create(OWNER)
    await admin.logout(token)
    await admin.logout(None)
    with pytest.raises(VizochokError):
        await admin.session_identity(token, csrf=None, changes=False, acting_for=None)


async def test_server_keys_unknown_public_or_without_the_scope_are_refused() -> None:
    keys = InMemoryKeyRepository()
    keys.add("sk_admin", Principal(key_id="k1", tenant_id="tnt_a", kind="sk", scopes=["admin"]))
    keys.add("sk_catalog", Principal(key_id="k2", tenant_id="tnt_a", kind="sk", scopes=["catalog"]))
    keys.add("pk_chat", Principal(key_id="k3", tenant_id="tnt_a", kind="pk", scopes=["chat", "admin"]))
    refusals = {None: ErrorCode.UNAUTHORIZED, "": ErrorCode.UNAUTHORIZED, "sk_nope": ErrorCode.INVALID_API_KEY,
                "sk_catalog": ErrorCode.FORBIDDEN, "pk_chat": ErrorCode.FORBIDDEN}  # fmt: skip
    for token, code in refusals.items():
        with pytest.raises(VizochokError) as caught:
            await server_key(keys, token, "admin")
        assert caught.value.code == code, token
    principal = await server_key(keys, "sk_admin", "admin")
    assert AdminService.key_identity(principal) == AdminIdentity(
        actor="key:k1", tenant_id="tnt_a", role="owner"
    )


async def test_a_key_whose_tenant_is_gone_is_an_unknown_key() -> None:
    _, _, _, tenants = admin_service()
    principal = Principal(key_id="k1", tenant_id="tnt_a", kind="sk", scopes=["catalog"])
    assert (await tenant_of_key(tenants, principal)).id == "tnt_a"
    del tenants.tenants["tnt_a"]
    with pytest.raises(VizochokError) as caught:
        await tenant_of_key(tenants, principal)
    assert caught.value.code == ErrorCode.INVALID_API_KEY


# --- what is shown and done -------------------------------------------------------------------------


async def test_settings_show_that_a_webhook_secret_exists_never_the_secret() -> None:
    admin, _, _, tenants = admin_service()
    view = await admin.settings_view(OWNER)
    assert view["webhooks"]["has_secret"] is True and "secret" not in view["webhooks"]
    assert "s3cret-webhook-value-123" not in repr(view)
    assert view["plan"] == "standard" and view["identity"] == {"required": False, "configured": False}
    tenants.tenants["tnt_a"].identity = IdentityConfig(keys=["identity-secret"], configured=True)
    assert "identity-secret" not in repr(await admin.settings_view(OWNER))
    other = await admin.settings_view(OWNER.model_copy(update={"tenant_id": "tnt_b"}))
    assert other["webhooks"]["has_secret"] is False


async def test_a_store_id_in_use_is_refused_by_the_repository_as_a_domain_error() -> None:
    admin, store, _, _ = admin_service()
    created = await admin.create_tenant(OPERATOR, "Новий", "new-store", "free")
    assert created["store_id"] == "new-store" and len(created["webhook_secret"]) >= 32
    with pytest.raises(VizochokError) as caught:
        await admin.create_tenant(OPERATOR, "Двійник", "new-store", "free")
    assert (caught.value.code, caught.value.http_status) == (ErrorCode.VALIDATION_ERROR, 422)
    assert caught.value.detail == "store_id 'new-store' is already in use"
    assert [e[2] for e in store.entries] == ["tenant.create"]
    with pytest.raises(VizochokError) as refused:
        await admin.create_tenant(OWNER, "Чужий", "owner-store", "free")
    assert refused.value.code == ErrorCode.FORBIDDEN


async def test_the_identity_secret_rotates_through_the_port_and_is_audited() -> None:
    admin, store, _, tenants = admin_service()
    first = await admin.rotate_identity_secret(OWNER, 0)
    second = await admin.rotate_identity_secret(OWNER, 600)
    assert tenants.tenants["tnt_a"].identity.keys == [second, first]  # the previous one, for the overlap
    assert (await admin.identity_status(OWNER))["secrets_valid"] == 2
    assert [e[2:4] for e in store.entries] == [("identity.rotate", "tnt_a")] * 2
    assert first not in repr(store.entries) and second not in repr(store.entries)


async def test_recent_usage_is_a_range_of_1_to_366_days() -> None:
    admin, _, _, _ = admin_service()
    assert await admin.recent_usage(OWNER, 30) == {"lines": [], "activity": []}
    with pytest.raises(VizochokError) as caught:
        await admin.recent_usage(OWNER, 400)
    assert caught.value.code == ErrorCode.VALIDATION_ERROR


async def test_catalog_jobs_are_the_acting_tenant_s_and_an_unknown_job_is_not_found() -> None:
    repo = InMemoryCatalogRepository()
    catalog = CatalogService(repo, embedder=None)  # type: ignore[arg-type]
    job, _ = await catalog.upsert("tnt_a", [{"sku": "m1", "name": "Молоко"}], run_here=False)
    viewer = OWNER.model_copy(update={"role": "viewer"})
    assert [j.job_id for j in await catalog.jobs_for(viewer, 10)] == [job.job_id]
    assert await catalog.jobs_for(viewer.model_copy(update={"tenant_id": "tnt_b"}), 10) == []
    assert (await catalog.job("tnt_a", job.job_id)).job_id == job.job_id
    with pytest.raises(VizochokError) as caught:
        await catalog.job("tnt_b", job.job_id)
    assert caught.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(VizochokError) as unnamed:
        await catalog.jobs_for(OPERATOR, 10)
    assert unnamed.value.code == ErrorCode.VALIDATION_ERROR
