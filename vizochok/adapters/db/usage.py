"""The LLM usage ledger and shoppers' profiles in PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from psycopg.types.json import Jsonb

from vizochok.core.profile import UserProfile
from vizochok.core.usage.pricing import ModelPrice, UsageRecord, price_of

if TYPE_CHECKING:
    from vizochok.adapters.db.database import Database


INSERT_USAGE = """INSERT INTO llm_usage (tenant_id, conversation_id, model, prompt_tokens, completion_tokens, cost, created_at)
                  VALUES (%s, %s, %s, %s, %s, %s, %s)"""
"""One ledger row; chat turns write theirs with the turn's log (`PostgresConversationLog.append`)."""


class PostgresUsageRecorder:
    """One row per LLM call, priced from the settings' per-model table."""

    def __init__(self, db: Database, prices: dict[str, ModelPrice]) -> None:
        self._db = db
        self._prices = prices

    async def record(self, record: UsageRecord) -> None:
        """Store a call with its cost."""
        cost = price_of(record, self._prices)
        async with self._db.tenant(record.tenant_id, pipelined=True) as conn:
            await conn.execute(
                INSERT_USAGE,
                (record.tenant_id, record.conversation_id, record.model, record.prompt_tokens,
                 record.completion_tokens, cost, record.created_at),
            )  # fmt: skip

    async def calls(self, tenant_id: str, conversation_id: str | None = None) -> list[UsageRecord]:
        """The tenant's recorded calls, oldest first (optionally of one conversation)."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                """SELECT tenant_id, conversation_id, model, prompt_tokens, completion_tokens, cost::float AS cost,
                          created_at FROM llm_usage WHERE %(c)s::text IS NULL OR conversation_id = %(c)s ORDER BY id""",
                {"c": conversation_id},
            )
            return [UsageRecord(**row) for row in await cur.fetchall()]


class PostgresProfileRepository:
    """`user_profiles`, one row per tenant and user."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, tenant_id: str, user_id: str) -> UserProfile | None:
        """The profile, or None."""
        async with self._db.tenant(
            tenant_id, pipelined=True
        ) as conn:  # read on every turn: fewer round trips
            cur = await conn.execute(
                "SELECT user_id, language, dietary, favorite_brands FROM user_profiles WHERE user_id = %s",
                (user_id,),
            )
            row = await cur.fetchone()
        return None if row is None else UserProfile(**row)

    async def save(self, tenant_id: str, profile: UserProfile) -> None:
        """Create or replace."""
        async with self._db.tenant(tenant_id) as conn:
            await conn.execute(
                """INSERT INTO user_profiles (tenant_id, user_id, language, dietary, favorite_brands, updated_at)
                   VALUES (%s, %s, %s, %s, %s, now())
                   ON CONFLICT (tenant_id, user_id) DO UPDATE SET language = EXCLUDED.language,
                       dietary = EXCLUDED.dietary, favorite_brands = EXCLUDED.favorite_brands, updated_at = now()""",
                (
                    tenant_id,
                    profile.user_id,
                    profile.language,
                    Jsonb(profile.dietary),
                    Jsonb(profile.favorite_brands),
                ),
            )
