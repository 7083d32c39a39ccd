"""What the admin API reads and writes in PostgreSQL: users, audit, keys, settings, conversations, usage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.types.json import Jsonb

from vizochok.adapters.db.tenants import new_id
from vizochok.adapters.security.keys import display_prefix, generate_key, hash_key
from vizochok.core.admin.model import (
    AdminUser,
    ApiKeyInfo,
    AuditEntry,
    DailyActivity,
    LedgerRow,
    SettingsPatch,
)
from vizochok.core.errors import ErrorCode, VizochokError

if TYPE_CHECKING:
    from vizochok.adapters.db.database import Database

_SETTINGS_COLUMNS = {"name": "name", "disabled_tools": "disabled_tools", "search": "search", "limits": "limits",
                     "allowed_origins": "allowed_origins", "plan": "plan"}  # fmt: skip
_JSON_COLUMNS = {"disabled_tools", "search", "limits", "allowed_origins", "llm", "plugins", "recipes"}


class PostgresAdminStore:
    """One adapter for the admin use cases; every query is scoped to a tenant by row-level security."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- users ------------------------------------------------------------------------------

    async def login_record(self, email: str) -> dict[str, Any] | None:
        """The user's id, tenant, role, hash and state, looked up across tenants."""
        async with self._db.unscoped() as conn:
            cur = await conn.execute("SELECT * FROM vizochok_admin_login(%s)", (email,))
            return await cur.fetchone()

    async def create_user(
        self, tenant_id: str | None, email: str, password_hash: str, role: str
    ) -> AdminUser:
        """A tenant's user, or a platform operator when `tenant_id` is None."""
        user_id = new_id("usr")
        try:
            if tenant_id is None:
                async with self._db.unscoped() as conn:
                    await conn.execute(
                        "SELECT vizochok_create_operator(%s, %s, %s)", (user_id, email, password_hash)
                    )
            else:
                async with self._db.tenant(tenant_id) as conn:
                    await conn.execute(
                        "INSERT INTO admin_users (id, tenant_id, email, password_hash, role)"
                        " VALUES (%s, %s, lower(%s), %s, %s)",
                        (user_id, tenant_id, email, password_hash, role),
                    )
        except psycopg.errors.UniqueViolation as exc:
            # E-mails are unique across tenants (one sign-in page): the same answer whoever holds it.
            raise VizochokError(ErrorCode.EMAIL_TAKEN, "this e-mail address cannot be used") from exc
        return AdminUser(id=user_id, tenant_id=tenant_id, email=email.lower(), role=role)

    async def list_users(self, tenant_id: str) -> list[AdminUser]:
        """The tenant's users."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                "SELECT id, tenant_id, email, role, disabled, created_at FROM admin_users ORDER BY created_at"
            )
            return [AdminUser(**row) for row in await cur.fetchall()]

    async def set_user_disabled(self, tenant_id: str, user_id: str, disabled: bool) -> bool:
        """Disable or enable a user; False when there is no such user in this tenant."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                "UPDATE admin_users SET disabled = %s WHERE id = %s", (disabled, user_id)
            )
            return cur.rowcount == 1

    # --- audit ------------------------------------------------------------------------------

    async def audit(
        self, tenant_id: str, actor: str, action: str, target: str = "", details: dict[str, Any] | None = None
    ) -> None:
        """Record who changed what."""
        async with self._db.tenant(tenant_id) as conn:
            await conn.execute(
                "INSERT INTO audit_log (tenant_id, actor, action, target, details) VALUES (%s, %s, %s, %s, %s)",
                (tenant_id, actor, action, target, Jsonb(details or {})),
            )

    async def audit_entries(self, tenant_id: str, limit: int = 100) -> list[AuditEntry]:
        """Newest first."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                "SELECT actor, action, target, details, created_at FROM audit_log ORDER BY id DESC LIMIT %s",
                (limit,),
            )
            return [AuditEntry(**row) for row in await cur.fetchall()]

    # --- keys -------------------------------------------------------------------------------

    async def list_keys(self, tenant_id: str) -> list[ApiKeyInfo]:
        """Every key of the tenant, newest first."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                """SELECT id, kind, display_prefix, name, scopes, revoked, expires_at, last_used_at, created_at
                   FROM api_keys ORDER BY created_at DESC, id"""
            )
            return [ApiKeyInfo(**row) for row in await cur.fetchall()]

    async def create_key(
        self, tenant_id: str, kind: str, scopes: list[str], name: str
    ) -> tuple[ApiKeyInfo, str]:
        """A new key; the raw key is returned once and never stored."""
        raw = generate_key("pk" if kind == "pk" else "sk")
        key_id = new_id("key")
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                """INSERT INTO api_keys (id, tenant_id, kind, key_hash, display_prefix, name, scopes)
                   VALUES (%s, %s, %s, %s, %s, %s, %s)
                   RETURNING id, kind, display_prefix, name, scopes, revoked, expires_at, last_used_at, created_at""",
                (key_id, tenant_id, kind, hash_key(raw), display_prefix(raw), name, Jsonb(scopes)),
            )
            row = await cur.fetchone()
        assert row is not None  # noqa: S101 - RETURNING of an insert
        return ApiKeyInfo(**row), raw

    async def revoke_key(self, tenant_id: str, key_id: str) -> bool:
        """Revoke at once; False when the tenant has no such key."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute("UPDATE api_keys SET revoked = true WHERE id = %s", (key_id,))
            return cur.rowcount == 1

    async def rotate_key(
        self, tenant_id: str, key_id: str, overlap_seconds: int
    ) -> tuple[ApiKeyInfo, str] | None:
        """A successor with the same kind, scopes and name; the old key works for `overlap_seconds` more."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                "SELECT kind, scopes, name FROM api_keys"
                " WHERE id = %s AND NOT revoked AND (expires_at IS NULL OR expires_at > now())",
                (key_id,),
            )
            old = await cur.fetchone()
        if old is None:
            return None
        new, raw = await self.create_key(tenant_id, old["kind"], old["scopes"], old["name"])
        expires = datetime.now(UTC) + timedelta(seconds=overlap_seconds)
        async with self._db.tenant(tenant_id) as conn:
            await conn.execute(
                "UPDATE api_keys SET expires_at = %s, rotated_to = %s WHERE id = %s",
                (expires, new.id, key_id),
            )
        return new, raw

    # --- settings ---------------------------------------------------------------------------

    async def update_settings(self, tenant_id: str, patch: SettingsPatch) -> None:
        """Apply the fields the patch sets."""
        values = patch.model_dump(exclude_unset=True)
        assignments, params = [], []
        if values.pop("llm", None) is not None and patch.llm is not None:
            # Merged, so that changing the fast model keeps the system prompt.
            assignments.append("llm = llm || %s")
            params.append(Jsonb(patch.llm.model_dump(exclude_unset=True)))
        plugins = values.pop("plugins", None)
        if plugins is not None:
            # Enabled plugin components are kept in the tenant's search options under "plugins".
            if "search" in values:
                values["search"] = {**(values["search"] or {}), "plugins": plugins}
            else:
                assignments.append("search = search || %s")
                params.append(Jsonb({"plugins": plugins}))
        for field, value in values.items():
            column = _SETTINGS_COLUMNS.get(field, field)
            assignments.append(f"{column} = %s")
            params.append(Jsonb(value) if column in _JSON_COLUMNS else value)
        if not assignments:
            return
        async with self._db.tenant(tenant_id) as conn:
            await conn.execute(
                # Column names come from `_SETTINGS_COLUMNS` or the patch's own field names; values are parameters.
                f"UPDATE tenants SET {', '.join(assignments)} WHERE id = %s",  # noqa: S608
                (*params, tenant_id),
            )

    async def plan_of(self, tenant_id: str) -> str:
        """The tenant's plan name."""
        async with self._db.tenant(tenant_id) as conn:
            row = await (
                await conn.execute("SELECT plan FROM tenants WHERE id = %s", (tenant_id,))
            ).fetchone()
        return str(row["plan"]) if row else "standard"

    async def list_tenants(self) -> list[dict[str, Any]]:
        """Every tenant, for operators."""
        async with self._db.unscoped() as conn:
            return list(await (await conn.execute("SELECT * FROM vizochok_list_tenants()")).fetchall())

    # --- conversations ----------------------------------------------------------------------

    async def conversations(self, tenant_id: str, query: str | None, limit: int) -> list[dict[str, Any]]:
        """Recent conversations, optionally those whose messages contain `query`."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                """SELECT c.id AS conversation_id, c.user_id, c.store_id, c.created_at, c.updated_at,
                          (SELECT count(*) FROM conversation_log l
                             WHERE l.conversation_id = c.id AND l.kind = 'user_message') AS messages,
                          (SELECT coalesce(sum(u.cost), 0)::float FROM llm_usage u
                             WHERE u.conversation_id = c.id) AS cost,
                          (SELECT l.payload->>'text' FROM conversation_log l WHERE l.conversation_id = c.id
                             AND l.kind = 'user_message' ORDER BY l.id LIMIT 1) AS first_message
                   FROM conversations c
                   WHERE %(q)s::text IS NULL OR EXISTS (
                       SELECT 1 FROM conversation_log l WHERE l.conversation_id = c.id
                         AND l.kind IN ('user_message', 'assistant_message')
                         AND l.payload->>'text' ILIKE '%%' || %(q)s || '%%')
                   ORDER BY c.updated_at DESC LIMIT %(limit)s""",
                {"q": query or None, "limit": limit},
            )
            return list(await cur.fetchall())

    async def transcript(self, tenant_id: str, conversation_id: str) -> dict[str, Any] | None:
        """Every log entry in order, grouped into turns with their latency and cost."""
        async with self._db.tenant(tenant_id) as conn:
            head = await (
                await conn.execute("SELECT * FROM conversations WHERE id = %s", (conversation_id,))
            ).fetchone()
            if head is None:
                return None
            entries = await (
                await conn.execute(
                    "SELECT turn, kind, payload, created_at FROM conversation_log"
                    " WHERE conversation_id = %s ORDER BY id",
                    (conversation_id,),
                )
            ).fetchall()
            usage = await (
                await conn.execute(
                    """SELECT model, prompt_tokens, completion_tokens, cost::float AS cost, created_at
                       FROM llm_usage WHERE conversation_id = %s ORDER BY id""",
                    (conversation_id,),
                )
            ).fetchall()
        return {"conversation": head, "entries": entries, "usage": usage}

    # --- usage ------------------------------------------------------------------------------

    async def ledger(self, tenant_id: str, start: date, end: date) -> list[LedgerRow]:
        """Tokens and cost per day and model, `start` ≤ day < `end` (UTC)."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                """SELECT (created_at AT TIME ZONE 'UTC')::date AS day, model,
                          sum(prompt_tokens)::int AS prompt_tokens, sum(completion_tokens)::int AS completion_tokens,
                          sum(cost)::text AS cost, count(*)::int AS llm_calls
                   FROM llm_usage WHERE created_at >= %s AND created_at < %s
                   GROUP BY 1, 2 ORDER BY 1, 2""",
                (start, end),
            )
            return [LedgerRow(**{**row, "cost": float(row["cost"])}) for row in await cur.fetchall()]

    async def activity(self, tenant_id: str, start: date, end: date) -> list[DailyActivity]:
        """Conversations started, messages sent and products added, per day."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                """WITH days AS (
                       SELECT (created_at AT TIME ZONE 'UTC')::date AS day, 1 AS conversations, 0 AS messages,
                              0 AS cart_additions
                       FROM conversations WHERE created_at >= %(s)s AND created_at < %(e)s
                       UNION ALL
                       SELECT (created_at AT TIME ZONE 'UTC')::date, 0,
                              (kind = 'user_message')::int,
                              (kind = 'frame' AND payload->>'type' = 'cart_changed'
                               AND payload->>'action' = 'item_selected')::int
                       FROM conversation_log WHERE created_at >= %(s)s AND created_at < %(e)s
                         AND (kind = 'user_message' OR (kind = 'frame' AND payload->>'type' = 'cart_changed')))
                   SELECT day, sum(conversations)::int AS conversations, sum(messages)::int AS messages,
                          sum(cart_additions)::int AS cart_additions
                   FROM days GROUP BY day ORDER BY day""",
                {"s": start, "e": end},
            )
            return [DailyActivity(**row) for row in await cur.fetchall()]
