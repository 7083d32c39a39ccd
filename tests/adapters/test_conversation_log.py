"""The PostgreSQL conversation log writes a turn's entries and its LLM calls in one transaction."""

from __future__ import annotations

import contextlib
from typing import Any

import psycopg
import pytest

from vizochok.adapters.db import Database
from vizochok.adapters.db.conversations import PostgresConversationLog
from vizochok.adapters.db.usage import PostgresUsageRecorder
from vizochok.core.chat.state import ConversationState, LogEntry
from vizochok.core.usage.pricing import ModelPrice, UsageRecord

pytestmark = pytest.mark.asyncio


async def test_a_turns_ledger_rows_are_written_with_its_log(database: Database, make_tenant: Any) -> None:
    tenant = (await make_tenant())["tenant_id"]
    log = PostgresConversationLog(database, {"big": ModelPrice(prompt=1, completion=2)})
    state = ConversationState(conversation_id="conv_ledger", tenant_id=tenant, user_id="u", store_id="s")
    await log.start(state)
    calls = [
        UsageRecord(
            tenant_id=tenant,
            conversation_id=state.conversation_id,
            model="big",
            prompt_tokens=100,
            completion_tokens=20,
        ),
        UsageRecord(
            tenant_id=tenant, conversation_id=state.conversation_id, model="unpriced", prompt_tokens=5
        ),
    ]
    await log.append(
        tenant, state.conversation_id, [LogEntry(kind="frame", payload={"type": "text_end"}, turn=1)], calls
    )
    assert [e.payload for e in await log.entries(tenant, state.conversation_id)] == [{"type": "text_end"}]
    stored = await PostgresUsageRecorder(database, {}).calls(tenant, state.conversation_id)
    # Priced by the log's table, as the recorder prices a call it stores itself.
    assert [(r.model, r.prompt_tokens, r.completion_tokens, r.cost) for r in stored] == [
        ("big", 100, 20, 0.00014), ("unpriced", 5, 0, 0.0),
    ]  # fmt: skip


async def test_a_failing_ledger_row_takes_the_log_entries_with_it(
    database: Database, make_tenant: Any
) -> None:
    tenant = (await make_tenant())["tenant_id"]
    log = PostgresConversationLog(database)
    state = ConversationState(conversation_id="conv_atomic", tenant_id=tenant, user_id="u", store_id="s")
    await log.start(state)
    foreign = UsageRecord(tenant_id="tnt_someone_else", conversation_id=state.conversation_id, model="m")
    with pytest.raises(Exception):  # noqa: B017, PT011 - row-level security refuses another tenant's row
        await log.append(
            tenant, state.conversation_id, [LogEntry(kind="frame", payload={"type": "text_end"})], [foreign]
        )
    assert await log.entries(tenant, state.conversation_id) == []


async def test_a_pipelined_block_is_one_transaction_and_leaves_the_pool_as_it_was(
    database: Database, make_tenant: Any
) -> None:
    tenant = (await make_tenant())["tenant_id"]
    log = PostgresConversationLog(database)
    state = ConversationState(conversation_id="conv_pipelined", tenant_id=tenant, user_id="u", store_id="s")
    await log.start(state)
    insert = "INSERT INTO conversation_log (tenant_id, conversation_id, turn, kind, payload) VALUES (%s, %s, 0, 'frame', '{}')"
    # An exception in Python after a statement was queued: nothing is committed.
    with pytest.raises(RuntimeError):
        async with database.tenant(tenant, pipelined=True) as conn:
            await conn.execute(insert, (tenant, state.conversation_id))
            raise RuntimeError
    # A statement that fails in PostgreSQL: the whole block is rolled back.
    with pytest.raises(psycopg.Error):
        async with database.tenant(tenant, pipelined=True) as conn:
            await conn.execute(insert, (tenant, state.conversation_id))
            await conn.execute("SELECT 1 / 0")
    assert await log.entries(tenant, state.conversation_id) == []
    # A read after a fetch still runs in the tenant's transaction.
    async with database.tenant(tenant, pipelined=True) as conn:
        await conn.execute(insert, (tenant, state.conversation_id))
        first = await (await conn.execute("SELECT count(*) AS n FROM conversation_log")).fetchone()
        second = await (await conn.execute("SELECT current_setting('vizochok.tenant_id') AS t")).fetchone()
    assert first == {"n": 1} and second == {"t": tenant}
    # Every pooled connection is back outside autocommit, as the non-pipelined paths expect.
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(database.pool.max_size):
            conn = await stack.enter_async_context(database.pool.connection(timeout=5))
            assert conn.autocommit is False
