"""One set of cases for each in-memory repository (`adapters/db/memory.py`) and its PostgreSQL twin.

Dev mode and the core tests run on the in-memory ones, production on PostgreSQL: every case runs on both
(`[memory]`, `[postgres]`), so the two cannot drift apart without a test failing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.db.conversations import PostgresConversationLog
from vizochok.adapters.db.memory import (
    InMemoryCatalogRepository,
    InMemoryConversationLog,
    InMemoryKeyRepository,
    InMemoryProfileRepository,
    InMemoryTenantRepository,
    InMemoryUsageRecorder,
)
from vizochok.adapters.db.tenants import PostgresKeyRepository
from vizochok.adapters.db.usage import PostgresProfileRepository, PostgresUsageRecorder
from vizochok.core.chat.state import ConversationState, LogEntry
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.models import CatalogJob, ProductInput, Tenant
from vizochok.core.profile import UserProfile
from vizochok.core.usage.pricing import ModelPrice, UsageRecord

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from vizochok.adapters.db import Database
    from vizochok.adapters.db.tenants import PostgresTenantRepository

PRICES = {"big": ModelPrice(prompt=1.0, completion=2.0)}
MILK = ProductInput(sku="m1", name="Молоко 2,5%", brand="Галичина", volume=900)
BREAD = ProductInput(sku="b1", name="Хліб житній")
KEFIR = ProductInput(sku="k1", name="Кефір 1%")


@dataclass
class Backend:
    """The repositories of one technology, and the set-up steps that are not part of their ports."""

    name: str
    catalog: Any
    log: Any
    tenants: Any
    keys: Any
    profiles: Any
    usage: Any
    new_tenant: Callable[..., Awaitable[str]]
    new_key: Callable[[str, str, list[str]], Awaitable[str]]
    usage_calls: Callable[[str, str], Awaitable[list[UsageRecord]]]


def _memory() -> Backend:
    keys, usage = InMemoryKeyRepository(), InMemoryUsageRecorder(PRICES)
    # The memory profile creates tenants and keys as PostgreSQL does: through the same methods.
    tenants = InMemoryTenantRepository(keys)

    async def new_tenant(**settings: Any) -> str:
        return (await tenants.create("Test store", f"store-{secrets.token_hex(6)}", **settings)).id

    async def new_key(tenant_id: str, kind: str, scopes: list[str]) -> str:
        return (await tenants.create_key(tenant_id, kind, scopes))[1]

    async def usage_calls(tenant_id: str, conversation_id: str) -> list[UsageRecord]:
        return [r for r in usage.records if (r.tenant_id, r.conversation_id) == (tenant_id, conversation_id)]

    return Backend(
        "memory", InMemoryCatalogRepository(), InMemoryConversationLog(usage), tenants, keys,
        InMemoryProfileRepository(), usage, new_tenant, new_key, usage_calls,
    )  # fmt: skip


def _postgres(database: Database, tenant_repo: PostgresTenantRepository) -> Backend:
    usage = PostgresUsageRecorder(database, PRICES)

    async def new_tenant(**settings: Any) -> str:
        return (await tenant_repo.create("Test store", f"store-{secrets.token_hex(6)}", **settings)).id

    async def new_key(tenant_id: str, kind: str, scopes: list[str]) -> str:
        return (await tenant_repo.create_key(tenant_id, kind, scopes))[1]

    return Backend(
        "postgres", PostgresCatalogRepository(database), PostgresConversationLog(database, PRICES), tenant_repo,
        PostgresKeyRepository(database), PostgresProfileRepository(database), usage, new_tenant, new_key, usage.calls,
    )  # fmt: skip


@pytest.fixture(params=["memory", "postgres"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each case once per technology."""
    if request.param == "memory":
        return _memory()
    return _postgres(request.getfixturevalue("database"), request.getfixturevalue("tenant_repo"))


async def _embed_all(catalog: Any, tenant_id: str, job_id: str) -> int:
    pending = await catalog.pending_embeddings(tenant_id, job_id, 100)
    return await catalog.store_embeddings(tenant_id, [(p.sku, c_hash, [0.1] * 384) for p, c_hash in pending])  # type: ignore[no-any-return]


# --- catalog --------------------------------------------------------------------------------------


async def test_catalog_counts_created_updated_unchanged_and_what_to_embed(backend: Backend) -> None:
    tenant = await backend.new_tenant()
    catalog = backend.catalog
    job, to_embed = await catalog.upsert(tenant, "job_c1", [MILK, BREAD])
    assert (job.status, job.total, job.created, job.updated, job.unchanged, to_embed) == (
        "pending",
        2,
        2,
        0,
        0,
        2,
    )
    # Searchable once stored: the full-text and fuzzy legs answer while vectors are pending.
    assert await catalog.has_catalog(tenant)
    assert await _embed_all(catalog, tenant, "job_c1") == 2
    assert (await catalog.count_active(tenant), await catalog.has_catalog(tenant)) == (2, True)

    job, to_embed = await catalog.upsert(tenant, "job_c2", [MILK, BREAD])
    assert (job.status, job.unchanged, to_embed) == ("complete", 2, 0)

    # Volume is metadata (updated, not re-embedded); the name is content (re-embedded).
    job, to_embed = await catalog.upsert(
        tenant,
        "job_c3",
        [MILK.model_copy(update={"volume": 1000}), BREAD.model_copy(update={"name": "Хліб білий"})],
    )
    assert (job.updated, job.unchanged, to_embed) == (2, 0, 1)
    assert [p.sku for p, _ in await catalog.pending_embeddings(tenant, "job_c3", 10)] == ["b1"]

    # A soft delete leaves search but stays in the catalog.
    await _embed_all(catalog, tenant, "job_c3")
    job, to_embed = await catalog.upsert(
        tenant, "job_c4", [BREAD.model_copy(update={"name": "Хліб білий", "is_active": False})]
    )
    assert (job.updated, to_embed) == (1, 0)
    assert await catalog.count_active(tenant) == 1
    assert set(await catalog.get_products(tenant, ["m1", "b1", "nope"])) == {"m1", "b1"}


async def test_catalog_refuses_a_vector_of_content_that_changed_meanwhile(backend: Backend) -> None:
    tenant = await backend.new_tenant()
    catalog = backend.catalog
    await catalog.upsert(tenant, "job_s1", [MILK])
    ((_, old_hash),) = await catalog.pending_embeddings(tenant, "job_s1", 10)
    await catalog.upsert(tenant, "job_s2", [MILK.model_copy(update={"name": "Молоко 3,2%"})])
    assert await catalog.store_embeddings(tenant, [("m1", old_hash, [0.1] * 384)]) == 0
    assert await catalog.count_active(tenant) == 0
    assert await _embed_all(catalog, tenant, "job_s2") == 1
    assert await catalog.get_products(tenant, ["m1"]) == {
        "m1": MILK.model_copy(update={"name": "Молоко 3,2%"})
    }


async def test_catalog_jobs_are_the_tenants_own_newest_first_and_resumable(backend: Backend) -> None:
    tenant, other = await backend.new_tenant(), await backend.new_tenant()
    catalog = backend.catalog
    first, _ = await catalog.upsert(
        tenant, f"job_{secrets.token_hex(4)}", [MILK], ["products[1] (sku 'x'): name: missing"]
    )
    second, _ = await catalog.upsert(tenant, f"job_{secrets.token_hex(4)}", [BREAD])
    assert first.total == 2 and first.errors == ["products[1] (sku 'x'): name: missing"]
    assert [j.job_id for j in await catalog.list_jobs(tenant)] == [second.job_id, first.job_id]
    assert [j.job_id for j in await catalog.list_jobs(tenant, 1)] == [second.job_id]
    assert await catalog.get_job(other, first.job_id) is None
    assert await catalog.list_jobs(other) == []
    assert await catalog.get_products(other, ["m1"]) == {}

    unfinished = set(await catalog.unfinished_jobs())
    assert {(tenant, first.job_id), (tenant, second.job_id)} <= unfinished
    started = datetime.now(UTC) - timedelta(seconds=5)
    done = CatalogJob(**{**first.model_dump(), "status": "complete", "embedded": 1, "started_at": started,
                        "completed_at": datetime.now(UTC)})  # fmt: skip
    await catalog.update_job(done)
    stored = await catalog.get_job(tenant, first.job_id)
    assert stored is not None
    assert (stored.status, stored.embedded, stored.errors) == ("complete", 1, first.errors)
    assert stored.started_at is not None and abs((stored.started_at - started).total_seconds()) < 0.01
    assert (tenant, first.job_id) not in set(await catalog.unfinished_jobs())


async def test_catalog_reactivated_product_is_embedded_again_only_when_its_content_changed(
    backend: Backend,
) -> None:
    tenant = await backend.new_tenant()
    catalog = backend.catalog
    await catalog.upsert(tenant, "job_r1", [MILK, BREAD])
    await _embed_all(catalog, tenant, "job_r1")
    # Hidden, then shown again unchanged: its vector is still good.
    await catalog.upsert(tenant, "job_r2", [MILK.model_copy(update={"is_active": False})])
    assert await catalog.count_active(tenant) == 1
    assert (await catalog.get_products(tenant, ["m1"]))["m1"].is_active is False  # still in the catalog
    _, to_embed = await catalog.upsert(tenant, "job_r3", [MILK])
    assert (to_embed, await catalog.count_active(tenant)) == (0, 2)
    # Hidden with new content, then shown again: embedded now, for the job that showed it.
    renamed = BREAD.model_copy(update={"name": "Хліб пшеничний"})
    _, to_embed = await catalog.upsert(tenant, "job_r4", [renamed.model_copy(update={"is_active": False})])
    assert to_embed == 0
    job, to_embed = await catalog.upsert(tenant, "job_r5", [renamed])
    assert (job.updated, to_embed) == (1, 1)
    assert [p.sku for p, _ in await catalog.pending_embeddings(tenant, "job_r5", 10)] == ["b1"]


async def test_catalog_export_pages_in_sku_order_with_vectors(backend: Backend) -> None:
    tenant = await backend.new_tenant()
    catalog = backend.catalog
    await catalog.upsert(tenant, "job_e1", [MILK, BREAD, KEFIR])
    pending = await catalog.pending_embeddings(tenant, "job_e1", 10)
    await catalog.store_embeddings(tenant, [(p.sku, h, [0.5] * 384) for p, h in pending if p.sku != "k1"])
    page = await catalog.export_page(tenant, "", 2)
    assert [(p.sku, v is not None) for p, v in page] == [("b1", True), ("k1", False)]
    rest = await catalog.export_page(tenant, "k1", 10)
    assert [p.sku for p, _ in rest] == ["m1"]
    assert rest[0][1] is not None and list(rest[0][1])[:2] == pytest.approx([0.5, 0.5])


# --- conversation log and usage -------------------------------------------------------------------


async def test_log_keeps_entries_in_order_per_tenant_and_prices_usage(backend: Backend) -> None:
    tenant, other = await backend.new_tenant(), await backend.new_tenant()
    state = ConversationState(
        conversation_id=f"conv_{secrets.token_hex(6)}", tenant_id=tenant, user_id="u1", store_id="s"
    )
    await backend.log.start(state)
    await backend.log.start(state)  # a restored conversation starts again: no error, no duplicate
    entries = [
        LogEntry(kind="user_message", payload={"text": "молоко"}, turn=1),
        LogEntry(
            kind="tool_call", payload={"name": "search_products", "arguments": {"query": "молоко"}}, turn=1
        ),
        LogEntry(kind="frame", payload={"type": "text_end"}, turn=1),
    ]
    usage = [UsageRecord(tenant_id=tenant, conversation_id=state.conversation_id, model="big", prompt_tokens=1000,
                         completion_tokens=500)]  # fmt: skip
    await backend.log.append(tenant, state.conversation_id, entries[:2], usage)
    await backend.log.append(tenant, state.conversation_id, entries[2:])
    got = await backend.log.entries(tenant, state.conversation_id)
    assert [(e.kind, e.payload, e.turn) for e in got] == [(e.kind, e.payload, e.turn) for e in entries]
    assert await backend.log.entries(other, state.conversation_id) == []
    (call,) = await backend.usage_calls(tenant, state.conversation_id)
    # Priced per million tokens: 1000 × 1.0 + 500 × 2.0 = 2000 per million.
    assert (call.model, call.prompt_tokens, call.completion_tokens) == ("big", 1000, 500)
    assert call.cost == pytest.approx(0.002)


async def test_usage_recorder_prices_each_call(backend: Backend) -> None:
    tenant = await backend.new_tenant()
    state = ConversationState(
        conversation_id=f"conv_{secrets.token_hex(6)}", tenant_id=tenant, user_id="u1", store_id="s"
    )
    await backend.log.start(state)
    await backend.usage.record(UsageRecord(tenant_id=tenant, conversation_id=state.conversation_id, model="unpriced",
                                           prompt_tokens=10, completion_tokens=10))  # fmt: skip
    (call,) = await backend.usage_calls(tenant, state.conversation_id)
    assert (call.model, call.cost) == ("unpriced", 0.0)


# --- tenants, keys, profiles ----------------------------------------------------------------------


async def test_tenants_are_copies_and_unknown_ones_are_none(backend: Backend) -> None:
    tenant_id = await backend.new_tenant()
    tenant = await backend.tenants.get(tenant_id)
    assert tenant is not None and tenant.id == tenant_id and tenant.name == "Test store"
    tenant.disabled_tools.append("show_meal_plan")
    tenant.limits["max_rounds"] = 1
    again = await backend.tenants.get(tenant_id)
    assert again is not None and (again.disabled_tools, again.limits) == ([], {})
    assert await backend.tenants.get("tnt_nobody") is None


async def test_tenant_settings_round_trip(backend: Backend) -> None:
    settings: dict[str, Any] = {
        "llm": {"provider": "offline", "complex_model": "big", "fast_model": "small"},
        "disabled_tools": ["show_meal_plan"],
        "limits": {"max_rounds": 3},
        "search": {"rrf_k": 40},
        "allowed_origins": ["https://shop.example"],
        "webhooks": {"products_url": "https://shop.example/p", "secret": "s" * 32, "timeout_seconds": 2.5},
        "plan": "standard",
    }
    tenant = await backend.tenants.get(await backend.new_tenant(**settings))
    assert tenant is not None
    expected = Tenant(id=tenant.id, name="Test store", store_id=tenant.store_id, **settings)
    assert tenant.model_dump() == expected.model_dump()
    assert tenant.webhooks.secret == "s" * 32  # decrypted for the webhook client


async def test_a_store_id_in_use_is_refused_with_the_same_domain_error(backend: Backend) -> None:
    store_id = f"store-{secrets.token_hex(6)}"
    created = await backend.tenants.create("Новий", store_id, plan="free", webhooks={"secret": "w" * 32})
    stored = await backend.tenants.get(created.id)
    assert stored is not None and (stored.store_id, stored.plan, stored.webhooks.secret) == (
        store_id,
        "free",
        "w" * 32,
    )
    with pytest.raises(VizochokError) as caught:  # never the driver's UniqueViolation
        await backend.tenants.create("Двійник", store_id)
    assert (caught.value.code, caught.value.detail) == (
        ErrorCode.VALIDATION_ERROR, f"store_id {store_id!r} is already in use"
    )  # fmt: skip


async def test_identity_secret_rotation_keeps_the_previous_one_only_for_an_overlap(backend: Backend) -> None:
    tenant_id = await backend.new_tenant()

    async def keys() -> list[str]:
        tenant = await backend.tenants.get(tenant_id)
        assert tenant is not None
        return tenant.identity.keys if tenant.identity.configured else ["not configured"]

    first = await backend.tenants.rotate_identity_secret(tenant_id, 600)
    assert await keys() == [first]  # no previous secret to keep
    second = await backend.tenants.rotate_identity_secret(tenant_id, 600)
    assert await keys() == [second, first]
    third = await backend.tenants.rotate_identity_secret(tenant_id, 0)
    assert await keys() == [third]
    assert len({first, second, third}) == 3 and len(third) >= 32


async def test_keys_authenticate_to_their_principal(backend: Backend) -> None:
    tenant_id = await backend.new_tenant()
    raw = await backend.new_key(tenant_id, "sk", ["catalog", "admin"])
    principal = await backend.keys.authenticate(raw)
    assert principal is not None
    assert (principal.tenant_id, principal.kind, sorted(principal.scopes)) == (
        tenant_id,
        "sk",
        ["admin", "catalog"],
    )
    assert await backend.keys.authenticate(raw + "x") is None
    assert await backend.keys.authenticate("") is None


async def test_webhooks_change_only_the_fields_given(backend: Backend) -> None:
    tenant_id = await backend.new_tenant(
        webhooks={"products_url": "https://shop.example/p", "secret": "a" * 32}
    )
    await backend.tenants.update_webhooks(tenant_id, cart_url="https://shop.example/c", timeout_seconds=3.0)
    await backend.tenants.update_webhooks(tenant_id, secret="b" * 32)
    tenant = await backend.tenants.get(tenant_id)
    assert tenant is not None
    hooks = tenant.webhooks
    assert (hooks.products_url, hooks.cart_url) == ("https://shop.example/p", "https://shop.example/c")
    assert not hooks.cart_get_url
    assert (hooks.timeout_seconds, hooks.secret) == (3.0, "b" * 32)


async def test_a_rotated_identity_secret_verifies_and_is_shown_once(backend: Backend) -> None:
    tenant_id = await backend.new_tenant()
    before = await backend.tenants.get(tenant_id)
    assert before is not None and not before.identity.configured and before.identity.keys == []
    secret = await backend.tenants.rotate_identity_secret(tenant_id, 0)
    tenant = await backend.tenants.get(tenant_id)
    assert tenant is not None and tenant.identity.configured
    assert tenant.identity.keys[0] == secret and len(secret) >= 32
    newer = await backend.tenants.rotate_identity_secret(
        tenant_id, 0
    )  # no overlap: the old one stops at once
    after = await backend.tenants.get(tenant_id)
    assert after is not None and after.identity.keys == [newer]


async def test_profiles_round_trip_replace_and_stay_per_tenant(backend: Backend) -> None:
    tenant, other = await backend.new_tenant(), await backend.new_tenant()
    assert await backend.profiles.get(tenant, "u1") is None
    profile = UserProfile(user_id="u1", language="uk", dietary=["vegan"], favorite_brands=["Галичина"])
    await backend.profiles.save(tenant, profile)
    assert await backend.profiles.get(tenant, "u1") == profile
    await backend.profiles.save(tenant, UserProfile(user_id="u1", dietary=["gluten_free"]))
    assert await backend.profiles.get(tenant, "u1") == UserProfile(user_id="u1", dietary=["gluten_free"])
    assert await backend.profiles.get(other, "u1") is None
    got = await backend.profiles.get(tenant, "u1")
    assert got is not None
    got.dietary.append("vegan")  # the caller's copy, not the stored profile
    assert (await backend.profiles.get(tenant, "u1")) == UserProfile(user_id="u1", dietary=["gluten_free"])
