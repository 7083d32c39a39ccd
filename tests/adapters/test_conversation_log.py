"""The PostgreSQL conversation log writes a turn's entries and its LLM calls in one transaction."""

from __future__ import annotations

from typing import Any

import pytest

from vizochok.adapters.db import Database
from vizochok.adapters.db.conversations import PostgresConversationLog
from vizochok.adapters.db.usage import PostgresUsageRecorder
from vizochok.core.chat import ConversationState, LogEntry
from vizochok.core.usage import ModelPrice, UsageRecord

pytestmark = pytest.mark.asyncio


async def test_a_turns_ledger_rows_are_written_with_its_log(database: Database, make_tenant: Any) -> None:
    tenant = (await make_tenant())["tenant_id"]
    log = PostgresConversationLog(database, {"big": ModelPrice(prompt=1, completion=2)})
    state = ConversationState(conversation_id="conv_ledger", tenant_id=tenant, user_id="u", store_id="s")
    await log.start(state)
    calls = [
        UsageRecord(tenant_id=tenant, conversation_id=state.conversation_id, model="big", prompt_tokens=100, completion_tokens=20),
        UsageRecord(tenant_id=tenant, conversation_id=state.conversation_id, model="unpriced", prompt_tokens=5),
    ]
    await log.append(tenant, state.conversation_id, [LogEntry(kind="frame", payload={"type": "text_end"}, turn=1)], calls)
    assert [e.payload for e in await log.entries(tenant, state.conversation_id)] == [{"type": "text_end"}]
    stored = await PostgresUsageRecorder(database, {}).calls(tenant, state.conversation_id)
    # Priced by the log's table, as the recorder prices a call it stores itself.
    assert [(r.model, r.prompt_tokens, r.completion_tokens, r.cost) for r in stored] == [
        ("big", 100, 20, 0.00014), ("unpriced", 5, 0, 0.0),
    ]  # fmt: skip


async def test_a_failing_ledger_row_takes_the_log_entries_with_it(database: Database, make_tenant: Any) -> None:
    tenant = (await make_tenant())["tenant_id"]
    log = PostgresConversationLog(database)
    state = ConversationState(conversation_id="conv_atomic", tenant_id=tenant, user_id="u", store_id="s")
    await log.start(state)
    foreign = UsageRecord(tenant_id="tnt_someone_else", conversation_id=state.conversation_id, model="m")
    with pytest.raises(Exception):  # noqa: B017, PT011 - row-level security refuses another tenant's row
        await log.append(tenant, state.conversation_id, [LogEntry(kind="frame", payload={"type": "text_end"})], [foreign])
    assert await log.entries(tenant, state.conversation_id) == []
