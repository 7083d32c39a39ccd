"""Durable conversation log: every message, tool call, tool result and emitted frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

from psycopg.types.json import Jsonb

from vizochok.adapters.db.usage import INSERT_USAGE as _INSERT_USAGE
from vizochok.core.chat.state import ConversationState, LogEntry
from vizochok.core.usage.pricing import price_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vizochok.adapters.db.database import Database
    from vizochok.core.usage.pricing import ModelPrice, UsageRecord


class PostgresConversationLog:
    """Rows in `conversations` and `conversation_log`, scoped by row-level security."""

    def __init__(self, db: Database, prices: dict[str, ModelPrice] | None = None) -> None:
        self._db = db
        self._prices = prices or {}

    async def start(self, state: ConversationState) -> None:
        """Record a new conversation (idempotent)."""
        async with self._db.tenant(state.tenant_id, pipelined=True) as conn:
            await conn.execute(
                """INSERT INTO conversations (id, tenant_id, user_id, store_id) VALUES (%s, %s, %s, %s)
                   ON CONFLICT (id) DO NOTHING""",
                (state.conversation_id, state.tenant_id, state.user_id, state.store_id),
            )

    async def append(
        self,
        tenant_id: str,
        conversation_id: str,
        entries: Sequence[LogEntry],
        usage: Sequence[UsageRecord] = (),
    ) -> None:
        """Append entries in order, and the turn's LLM calls to the `llm_usage` ledger, in one transaction."""
        if not entries and not usage:
            return
        # One round trip for the whole transaction (pipeline mode): this runs twice per turn. The
        # ledger rows ride along instead of taking a transaction (and a commit) of their own.
        async with self._db.tenant(tenant_id, pipelined=True) as conn:
            async with conn.cursor() as cur:
                if entries:
                    await cur.executemany(
                        """INSERT INTO conversation_log (tenant_id, conversation_id, turn, kind, payload, created_at)
                           VALUES (%s, %s, %s, %s, %s, %s)""",
                        [
                            (tenant_id, conversation_id, e.turn, e.kind, Jsonb(e.payload), e.created_at)
                            for e in entries
                        ],
                    )
                if usage:
                    await cur.executemany(
                        _INSERT_USAGE,
                        [(r.tenant_id, r.conversation_id, r.model, r.prompt_tokens, r.completion_tokens,
                          price_of(r, self._prices), r.created_at) for r in usage],
                    )  # fmt: skip
            await conn.execute(
                "UPDATE conversations SET updated_at = now() WHERE id = %s", (conversation_id,)
            )

    async def entries(self, tenant_id: str, conversation_id: str) -> list[LogEntry]:
        """Every entry of a conversation in order."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                "SELECT turn, kind, payload, created_at FROM conversation_log WHERE conversation_id = %s ORDER BY id",
                (conversation_id,),
            )
            return [LogEntry(**row) for row in await cur.fetchall()]
