"""Issue 13, finding 1: a failed statement never leaves a pooled connection unusable, and readiness tells.

The pool here has one connection, so every call lands on the connection the previous one used.
"""

from __future__ import annotations

import asyncio
import math
import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

from vizochok.adapters.db import Database
from vizochok.adapters.db.conversations import PostgresConversationLog
from vizochok.adapters.db.database import BrokenPoolError
from vizochok.core.chat.state import ConversationState, LogEntry

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from vizochok.bootstrap import Prepared

BAD_PAYLOADS: list[dict[str, Any]] = [
    {"text": "молоко \u0000"},
    {"text": "молоко \ud800"},
    {"quantity": math.inf},
]
"""What reached `Jsonb` in the issue: a NUL, a lone surrogate, `1e309` (infinity)."""


@pytest.fixture
async def single(prepared: Prepared) -> AsyncIterator[Database]:
    db = Database(prepared.settings.database_url or "", pool_size=1, broken_window_seconds=1.0)
    await db.open()
    yield db
    await db.close()


def entry(payload: dict[str, Any]) -> LogEntry:
    return LogEntry(turn=1, kind="user_message", payload=payload, created_at=datetime.now(UTC))


async def conversation(log: PostgresConversationLog, tenant_id: str) -> str:
    conversation_id = f"conv_{secrets.token_hex(6)}"
    await log.start(
        ConversationState(conversation_id=conversation_id, tenant_id=tenant_id, user_id="u", store_id="s")
    )
    return conversation_id


async def test_failed_pipelines_leave_the_connection_usable(single: Database, make_tenant: Any) -> None:
    tenant = (await make_tenant())["tenant_id"]
    log = PostgresConversationLog(single)
    conv = await conversation(log, tenant)
    good = [entry({"text": "молоко"})]
    for _ in range(6):  # past psycopg's prepare threshold (5): the statements are prepared server-side
        await log.append(tenant, conv, good * 3)
    failures = 0
    for round_ in range(8):
        for payload in BAD_PAYLOADS:
            try:
                await log.append(tenant, conv, [*good, entry(payload)])
            except (psycopg.Error, UnicodeEncodeError, ValueError):
                failures += 1
            # Between the failures, ordinary work on the same (only) connection keeps working.
            await log.append(tenant, conv, good)
            assert len(await log.entries(tenant, conv)) > round_
    assert failures == 0 or failures == 8 * len(BAD_PAYLOADS)
    for _ in range(10):
        await log.append(tenant, conv, good * 2)
    await single.ping()


async def out_of_step(db: Database) -> None:
    """Make the server forget the statements psycopg prepared, behind psycopg's back.

    This is the state the issue found ("prepared statement _pg3_N does not exist"): the client
    believes a statement exists that the server does not have. `DEALLOCATE name` (unlike
    `DEALLOCATE ALL` or a rollback) does not make psycopg clear its own record.
    """
    async with db.pool.connection() as conn:
        await conn.set_autocommit(True)
        names = [
            r["name"]
            for r in await (await conn.execute("SELECT name FROM pg_prepared_statements")).fetchall()
        ]
        assert names, "nothing was prepared"
        for name in names:
            await conn.execute(f'DEALLOCATE "{name}"', prepare=False)
        await conn.set_autocommit(False)


async def scoped_query(db: Database, tenant_id: str) -> int:
    async with db.tenant(tenant_id) as conn:
        row = await (await conn.execute("SELECT count(*) AS n FROM conversations")).fetchone()
        return int(row["n"]) if row else 0


async def test_a_connection_out_of_step_is_discarded_and_readiness_turns_red(
    single: Database, make_tenant: Any
) -> None:
    tenant = (await make_tenant())["tenant_id"]
    for _ in range(7):
        await scoped_query(single, tenant)
    await single.ping()
    for attempt in range(3):
        await out_of_step(single)
        with pytest.raises(psycopg.errors.InvalidSqlStatementName):
            await scoped_query(single, tenant)  # the one call that met the broken state fails...
        for _ in range(7):  # ...and the connection was replaced: every later call works (before: all failed)
            assert await scoped_query(single, tenant) == 0
        if attempt < 2:
            await single.ping()
    # Three broken connections within the window: readiness says so, with the reason.
    with pytest.raises(BrokenPoolError, match="3 pooled connections broke"):
        await single.ping()
    assert single.broken.total == 3
    await asyncio.sleep(1.1)  # the window passes with nothing broken: ready again
    await single.ping()


async def pipelined_write(db: Database, tenant_id: str, conversation_id: str) -> None:
    async with db.tenant(tenant_id, pipelined=True) as conn:
        await conn.execute("UPDATE conversations SET updated_at = now() WHERE id = %s", (conversation_id,))


async def test_a_pipelined_connection_out_of_step_is_replaced_after_one_failure(
    single: Database, make_tenant: Any
) -> None:
    tenant = (await make_tenant())["tenant_id"]
    conv = await conversation(PostgresConversationLog(single), tenant)
    for _ in range(7):
        await pipelined_write(single, tenant, conv)
    await out_of_step(single)
    with pytest.raises(psycopg.Error):
        await pipelined_write(single, tenant, conv)  # the call that met the broken state
    for _ in range(7):  # before: "prepared statement _pg3_N does not exist" on every later call
        await pipelined_write(single, tenant, conv)
        assert await scoped_query(single, tenant) == 1


async def test_json_that_jsonb_refuses_is_stored_cleaned(single: Database, make_tenant: Any) -> None:
    """JSON from a retailer or a model may hold what `jsonb` refuses: stored cleaned, not a failed turn."""
    tenant = (await make_tenant())["tenant_id"]
    log = PostgresConversationLog(single)
    conv = await conversation(log, tenant)
    await log.append(tenant, conv, [entry(p) for p in BAD_PAYLOADS])
    stored = [e.payload for e in await log.entries(tenant, conv)]
    assert stored == [{"text": "молоко "}, {"text": "молоко \ufffd"}, {"quantity": None}]
    assert single.broken.total == 0
