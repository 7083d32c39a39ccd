"""Row-level security: a query run for tenant A never sees tenant B's rows, even without a WHERE clause."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from vizochok.adapters.db import Database
from vizochok.adapters.db.admin import PostgresAdminStore
from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.db.conversations import PostgresConversationLog
from vizochok.adapters.db.tables import TENANT_TABLES
from vizochok.adapters.db.usage import PostgresProfileRepository, PostgresUsageRecorder
from vizochok.core.chat.state import ConversationState, LogEntry
from vizochok.core.models import ProductInput
from vizochok.core.profile import UserProfile
from vizochok.core.usage.pricing import UsageRecord


async def _seed(database: Database, tenant: dict[str, str], sku: str) -> None:
    await PostgresCatalogRepository(database).upsert(
        tenant["tenant_id"], f"job_{sku}", [ProductInput(sku=sku, name=sku)]
    )
    log = PostgresConversationLog(database)
    state = ConversationState(
        conversation_id=f"conv_{sku}", tenant_id=tenant["tenant_id"], user_id="u", store_id="s"
    )
    await log.start(state)
    await log.append(
        tenant["tenant_id"], state.conversation_id, [LogEntry(kind="user_message", payload={"text": sku})]
    )
    await PostgresUsageRecorder(database, {}).record(
        UsageRecord(
            tenant_id=tenant["tenant_id"], conversation_id=state.conversation_id, model="m", prompt_tokens=1
        )
    )
    await PostgresProfileRepository(database).save(
        tenant["tenant_id"], UserProfile(user_id="u", dietary=["vegan"])
    )
    await PostgresAdminStore(database).audit(tenant["tenant_id"], "test", "seed")


async def test_unfiltered_queries_see_only_the_current_tenant(database: Database, make_tenant: Any) -> None:
    a, b = await make_tenant(), await make_tenant()
    await _seed(database, a, "a-only")
    await _seed(database, b, "b-only")
    for table in TENANT_TABLES:
        async with database.tenant(a["tenant_id"]) as conn:
            column = "id" if table == "tenants" else "tenant_id"
            rows = await (await conn.execute(f"SELECT DISTINCT {column} AS t FROM {table}")).fetchall()
        assert {r["t"] for r in rows} == {a["tenant_id"]}, table
    async with database.tenant(a["tenant_id"]) as conn:
        skus = [r["sku"] for r in await (await conn.execute("SELECT sku FROM products")).fetchall()]
    assert skus == ["a-only"]


async def test_no_tenant_means_no_rows(database: Database, make_tenant: Any) -> None:
    await make_tenant()
    async with database.unscoped() as conn:
        for table in TENANT_TABLES:
            assert await (await conn.execute(f"SELECT count(*) AS n FROM {table}")).fetchone() == {"n": 0}, (
                table
            )


async def test_writing_into_another_tenant_is_refused(database: Database, make_tenant: Any) -> None:
    a, b = await make_tenant(), await make_tenant()
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        async with database.tenant(a["tenant_id"]) as conn:
            await conn.execute(
                "INSERT INTO products (tenant_id, sku, name, content_hash, row_hash) VALUES (%s, 'x', 'x', 'h', 'h')",
                (b["tenant_id"],),
            )


async def test_the_application_role_cannot_read_keys_directly(database: Database, make_tenant: Any) -> None:
    a = await make_tenant()
    async with database.tenant(a["tenant_id"]) as conn:
        own = await (await conn.execute("SELECT count(*) AS n FROM api_keys")).fetchone()
    assert own == {"n": 2}
    async with database.unscoped() as conn:
        role = await (
            await conn.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).fetchone()
        assert role == {"rolsuper": False, "rolbypassrls": False}
        assert await (await conn.execute("SELECT count(*) AS n FROM api_keys")).fetchone() == {"n": 0}


async def test_the_scope_does_not_leak_across_pooled_connections(
    database: Database, make_tenant: Any
) -> None:
    a = await make_tenant()
    for _ in range(6):  # more checkouts than the pool has connections
        async with database.tenant(a["tenant_id"]) as conn:
            await conn.execute("SELECT 1")
    async with database.unscoped() as conn:
        setting = await (
            await conn.execute("SELECT current_setting('vizochok.tenant_id', true) AS t")
        ).fetchone()
    assert setting["t"] in (None, "")
