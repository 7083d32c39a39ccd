"""A tenant's own LLM provider keys in PostgreSQL, encrypted with the SecretBox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from psycopg.types.json import Jsonb

if TYPE_CHECKING:
    from vizochok.adapters.db.database import Database
    from vizochok.adapters.security.secrets import SecretBox


class PostgresLLMKeyStore:
    """Writes `tenants.llm_keys_enc`; the tenant repository decrypts it into `Tenant.llm_keys`."""

    def __init__(self, db: Database, box: SecretBox) -> None:
        self._db = db
        self._box = box

    async def providers(self, tenant_id: str) -> list[str]:
        """The providers the tenant has a key for (never the keys)."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute("SELECT llm_keys_enc FROM tenants WHERE id = %s", (tenant_id,))
            row = await cur.fetchone()
        return sorted((row["llm_keys_enc"] or {}) if row else {})

    async def set(self, tenant_id: str, provider: str, key: str) -> None:
        """Store (or replace) the key for `provider`, encrypted."""
        async with self._db.tenant(tenant_id) as conn:
            await conn.execute(
                "UPDATE tenants SET llm_keys_enc = llm_keys_enc || %s WHERE id = %s",
                (Jsonb({provider: self._box.encrypt(key)}), tenant_id),
            )

    async def delete(self, tenant_id: str, provider: str) -> bool:
        """Forget the key for `provider`; False when there was none."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute(
                "UPDATE tenants SET llm_keys_enc = llm_keys_enc - %s WHERE id = %s AND llm_keys_enc ? %s",
                (provider, tenant_id, provider),
            )
            return cur.rowcount == 1
