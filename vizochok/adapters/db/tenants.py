"""Tenants and API keys in PostgreSQL."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.types.json import Jsonb

from vizochok.adapters.security.keys import display_prefix, generate_key, hash_key
from vizochok.core.admin.model import store_id_taken
from vizochok.core.models import IdentityConfig, Principal, Tenant, TenantLLMConfig, WebhookConfig

if TYPE_CHECKING:
    from vizochok.adapters.db.database import Database
    from vizochok.adapters.security.secrets import SecretBox


def new_id(prefix: str) -> str:
    """A short random id such as `tnt_3fA9…`."""
    return f"{prefix}_{secrets.token_hex(8)}"


class PostgresTenantRepository:
    """Reads and writes tenants; the webhook secret is encrypted at rest."""

    def __init__(self, db: Database, box: SecretBox) -> None:
        self._db = db
        self._box = box

    async def get(self, tenant_id: str) -> Tenant | None:
        """The tenant, with its webhook secret decrypted in memory."""
        async with self._db.tenant(tenant_id) as conn:
            cur = await conn.execute("SELECT * FROM tenants WHERE id = %s", (tenant_id,))
            row: Any = await cur.fetchone()  # a dict: the pool's connections use `dict_row`
        return None if row is None else self._to_model(row)

    async def create(self, name: str, store_id: str, **settings: Any) -> Tenant:
        """Insert a tenant. `settings` may hold any `Tenant` field but `id`; a `store_id` in use is refused."""
        tenant = Tenant(id=new_id("tnt"), name=name, store_id=store_id, **settings)
        try:
            await self._insert(tenant)
        except psycopg.errors.UniqueViolation as exc:
            # The driver's error stays here: callers see the domain refusal the in-memory twin raises too.
            raise store_id_taken(store_id) from exc
        return tenant

    async def _insert(self, tenant: Tenant) -> None:
        async with self._db.tenant(tenant.id) as conn:
            await conn.execute(
                """INSERT INTO tenants (id, name, store_id, llm, disabled_tools, limits, search,
                       allowed_origins, products_url, cart_url, cart_get_url, webhook_timeout, webhook_secret_enc, plan,
                       recipes)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
                (
                    tenant.id, tenant.name, tenant.store_id,
                    Jsonb(tenant.llm.model_dump(exclude_none=True)), Jsonb(tenant.disabled_tools),
                    Jsonb(tenant.limits), Jsonb(tenant.search), Jsonb(tenant.allowed_origins),
                    tenant.webhooks.products_url, tenant.webhooks.cart_url, tenant.webhooks.cart_get_url,
                    tenant.webhooks.timeout_seconds,
                    self._box.encrypt(tenant.webhooks.secret) if tenant.webhooks.secret else None,
                    tenant.plan, Jsonb([r.model_dump(mode="json") for r in tenant.recipes]),
                ),
            )  # fmt: skip

    async def create_key(
        self, tenant_id: str, kind: str, scopes: list[str], name: str = ""
    ) -> tuple[str, str]:
        """A new key for the tenant; returns `(key_id, raw_key)`. The raw key is never stored."""
        raw = generate_key("pk" if kind == "pk" else "sk")
        key_id = new_id("key")
        async with self._db.tenant(tenant_id) as conn:
            await conn.execute(
                """INSERT INTO api_keys (id, tenant_id, kind, key_hash, display_prefix, name, scopes)
                   VALUES (%s, %s, %s, %s, %s, %s, %s)""",
                (key_id, tenant_id, kind, hash_key(raw), display_prefix(raw), name, Jsonb(scopes)),
            )
        return key_id, raw

    async def update_webhooks(
        self,
        tenant_id: str,
        *,
        products_url: str | None = None,
        cart_url: str | None = None,
        cart_get_url: str | None = None,
        timeout_seconds: float | None = None,
        secret: str | None = None,
    ) -> None:
        """Change the given webhook fields; `None` leaves a field as it is."""
        fields: dict[str, Any] = {
            "products_url": products_url,
            "cart_url": cart_url,
            "cart_get_url": cart_get_url,
            "webhook_timeout": timeout_seconds,
            "webhook_secret_enc": self._box.encrypt(secret) if secret is not None else None,
        }
        changes = {k: v for k, v in fields.items() if v is not None}
        if not changes:
            return
        assignments = ", ".join(f"{column} = %s" for column in changes)
        async with self._db.tenant(tenant_id) as conn:
            await conn.execute(
                # Column names come from the fixed `fields` above, never from the caller.
                f"UPDATE tenants SET {assignments} WHERE id = %s",  # noqa: S608
                (*changes.values(), tenant_id),
            )

    async def rotate_identity_secret(self, tenant_id: str, overlap_seconds: int) -> str:
        """A new identity secret, returned once; the old one keeps verifying for `overlap_seconds`."""
        secret = secrets.token_urlsafe(32)
        async with self._db.tenant(tenant_id) as conn:
            await conn.execute(
                """UPDATE tenants SET identity_previous_enc = identity_secret_enc,
                          identity_previous_until = CASE WHEN identity_secret_enc IS NULL THEN NULL
                                                         ELSE now() + make_interval(secs => %s) END,
                          identity_secret_enc = %s
                    WHERE id = %s""",
                (overlap_seconds, self._box.encrypt(secret), tenant_id),
            )
        return secret

    def _identity(self, row: dict[str, Any]) -> IdentityConfig:
        keys = [self._box.decrypt(row["identity_secret_enc"])] if row.get("identity_secret_enc") else []
        until = row.get("identity_previous_until")
        if keys and row.get("identity_previous_enc") and until is not None and until > datetime.now(UTC):
            keys.append(self._box.decrypt(row["identity_previous_enc"]))
        return IdentityConfig(required=bool(row.get("identity_required")), keys=keys, configured=bool(keys))

    def _to_model(self, row: dict[str, Any]) -> Tenant:
        secret = self._box.decrypt(row["webhook_secret_enc"]) if row["webhook_secret_enc"] else None
        return Tenant(
            id=row["id"],
            name=row["name"],
            store_id=row["store_id"],
            llm=TenantLLMConfig(**row["llm"]),
            disabled_tools=row["disabled_tools"],
            limits=row["limits"],
            search=row["search"],
            allowed_origins=row["allowed_origins"],
            plan=row.get("plan", "standard"),
            llm_keys={
                provider: self._box.decrypt(ciphertext)
                for provider, ciphertext in (row.get("llm_keys_enc") or {}).items()
            },
            webhooks=WebhookConfig(
                products_url=row["products_url"],
                cart_url=row["cart_url"],
                cart_get_url=row["cart_get_url"],
                timeout_seconds=row["webhook_timeout"],
                secret=secret,
            ),
            identity=self._identity(row),
            recipes=row.get("recipes") or [],
        )


class PostgresKeyRepository:
    """Resolves raw API keys through a SECURITY DEFINER function (keys cross tenants)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def authenticate(self, raw_key: str) -> Principal | None:
        """The principal of a live key, or None."""
        if not raw_key.startswith(("pk_", "sk_")):
            return None
        async with self._db.unscoped(pipelined=True) as conn:  # every socket's handshake: one round trip
            cur = await conn.execute("SELECT * FROM vizochok_authenticate(%s)", (hash_key(raw_key),))
            row: Any = await cur.fetchone()  # a dict, as above
        if row is None:
            return None
        return Principal(
            key_id=row["key_id"], tenant_id=row["tenant_id"], kind=row["kind"], scopes=row["scopes"]
        )
