"""SQLModel tables. The migrations in `migrations/versions` create them; a test keeps both in step."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Numeric,
    SmallInteger,
    Text,
    false,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlmodel import Field, SQLModel

EMBEDDING_DIM = 384

TENANT_TABLES = (
    "tenants", "api_keys", "products", "catalog_jobs", "conversations", "conversation_log", "llm_usage",
    "user_profiles", "audit_log", "product_enrichments",
)  # fmt: skip
"""Every table holding one tenant's data; each has row-level security forced on it."""


def _now() -> Column[Any]:
    return Column(DateTime(timezone=True), nullable=False, server_default=func.now())


class TenantRow(SQLModel, table=True):
    """A retailer: its store, LLM and search settings, webhook endpoints and limits."""

    __tablename__ = "tenants"

    id: str = Field(primary_key=True)
    name: str
    store_id: str = Field(unique=True)
    llm: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    disabled_tools: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    limits: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    search: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    allowed_origins: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    products_url: str = ""
    cart_url: str = ""
    cart_get_url: str = ""
    webhook_timeout: float = 5.0
    webhook_secret_enc: str | None = Field(default=None, sa_column=Column(Text))
    plan: str = "standard"
    llm_keys_enc: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    )
    """The tenant's own LLM provider keys, `{provider: SecretBox ciphertext}` (migration 0006_llmpath)."""
    identity_secret_enc: str | None = Field(default=None, sa_column=Column(Text))
    """Shopper identity verification (docs/identity.md): the current secret, encrypted like the webhook secret."""
    identity_previous_enc: str | None = Field(default=None, sa_column=Column(Text))
    identity_previous_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    identity_required: bool = Field(
        default=False, sa_column=Column(Boolean, nullable=False, server_default=false())
    )
    recipes: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False, server_default=text("'[]'::jsonb"))
    )
    """The tenant's own dishes for the offline assistant, as `RecipeInput` dumps (migration 0008_recipes)."""
    learned_needs: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb"))
    )
    """Needs search learned from the tenant's catalog after its last job (`LearnedNeeds.to_json`, 0009_needs)."""
    created_at: datetime | None = Field(default=None, sa_column=_now())


class ApiKeyRow(SQLModel, table=True):
    """A tenant's API key, stored as a hash; `display_prefix` is what the admin sees."""

    __tablename__ = "api_keys"

    id: str = Field(primary_key=True)
    tenant_id: str = Field(foreign_key="tenants.id", ondelete="CASCADE", index=True)
    kind: str
    key_hash: str = Field(unique=True)
    display_prefix: str
    name: str = ""
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    revoked: bool = False
    expires_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    """Set when the key was rotated: it keeps working until then."""
    rotated_to: str | None = None
    last_used_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime | None = Field(default=None, sa_column=_now())


class ProductRow(SQLModel, table=True):
    """One product of a tenant's catalog, with its search text, trigram and vector indexes."""

    __tablename__ = "products"
    __table_args__ = (
        # Short pending lists: searches scan them in full (migration 0005). Both lead with the tenant
        # (btree_gin, migration 0010): among many tenants the index, not the heap, drops the others' rows.
        Index(
            "products_trgm_name",
            "tenant_id",
            "search_name",
            postgresql_using="gin",
            postgresql_ops={"search_name": "gin_trgm_ops"},
            postgresql_with={"gin_pending_list_limit": 256},
        ),
        Index(
            "products_fts",
            "tenant_id",
            "fts",
            postgresql_using="gin",
            postgresql_with={"gin_pending_list_limit": 256},
        ),
        Index("products_barcode", "tenant_id", "barcode", postgresql_where=text("barcode IS NOT NULL")),
        Index("products_category", "tenant_id", "category_path"),  # the category leg (migration 0006)
        Index(
            "products_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    tenant_id: str = Field(primary_key=True, foreign_key="tenants.id", ondelete="CASCADE")
    sku: str = Field(primary_key=True)
    name: str
    category_path: str | None = None
    brand: str | None = None
    description: str | None = None
    ingredients: str | None = None
    country: str | None = None
    unit: str = "pcs"
    quantity_step: float | None = None
    min_quantity: float | None = None
    weight: float | None = None
    volume: float | None = None
    image_url: str | None = None
    attributes: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    barcode: str | None = None
    is_active: bool = True
    content_hash: str
    """Hash of the fields that are embedded; a change queues re-embedding."""
    row_hash: str
    """Hash of every field, so that an identical re-upload is counted as unchanged."""
    embedded_hash: str | None = None
    """`content_hash` at the time the stored embedding was made."""
    embed_job_id: str | None = None
    search_name: str = ""
    """Normalized name and brand, for trigram matching."""
    search_version: int = Field(default=0, sa_column=Column(SmallInteger, nullable=False, server_default="0"))
    """Version of the analyzer that wrote `fts` and `search_name` (`core.query.ANALYZER_VERSION`)."""
    fts: Any = Field(default=None, sa_column=Column(TSVECTOR))
    embedding: Any = Field(default=None, sa_column=Column(Vector(EMBEDDING_DIM)))
    created_at: datetime | None = Field(default=None, sa_column=_now())
    updated_at: datetime | None = Field(default=None, sa_column=_now())


class CatalogJobRow(SQLModel, table=True):
    """A catalog import: its progress counters, errors and the lease of the process running it."""

    __tablename__ = "catalog_jobs"

    id: str = Field(primary_key=True)
    tenant_id: str = Field(foreign_key="tenants.id", ondelete="CASCADE", index=True)
    status: str
    total: int = 0
    embedded: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    to_embed: int = 0
    errors: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    started_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    completed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    submitted_at: datetime | None = Field(default=None, sa_column=_now())
    lease_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    """Until when the process running the job holds it (0006_portable_jobs)."""
    attempts: int = 0
    """Times the job was started; more than one means it was retried."""


class ProductEnrichmentRow(SQLModel, table=True):
    """Offline "used for / goes with" text per product content (0009_needs): a re-import reuses it."""

    __tablename__ = "product_enrichments"

    tenant_id: str = Field(primary_key=True, foreign_key="tenants.id", ondelete="CASCADE")
    content_hash: str = Field(primary_key=True)
    text: str
    created_at: datetime | None = Field(default=None, sa_column=_now())


class ConversationRow(SQLModel, table=True):
    """One shopper's conversation in one store."""

    __tablename__ = "conversations"

    id: str = Field(primary_key=True)
    tenant_id: str = Field(foreign_key="tenants.id", ondelete="CASCADE", index=True)
    user_id: str
    store_id: str
    created_at: datetime | None = Field(default=None, sa_column=_now())
    updated_at: datetime | None = Field(default=None, sa_column=_now())


class ConversationLogRow(SQLModel, table=True):
    """One entry of a conversation's log (a message, a tool call, a result), in order."""

    __tablename__ = "conversation_log"
    __table_args__ = (
        ForeignKeyConstraint(["conversation_id"], ["conversations.id"], ondelete="CASCADE"),
        Index("conversation_log_conv", "conversation_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenants.id", ondelete="CASCADE")
    conversation_id: str
    turn: int = 0
    kind: str
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=_now())


class LLMUsageRow(SQLModel, table=True):
    """Tokens and cost of one model call, for usage limits and billing."""

    __tablename__ = "llm_usage"
    __table_args__ = (Index("llm_usage_tenant_time", "tenant_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenants.id", ondelete="CASCADE")
    conversation_id: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: Decimal = Field(default=Decimal(0), sa_column=Column(Numeric(18, 8), nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=_now())


class UserProfileRow(SQLModel, table=True):
    """What the assistant remembers about a shopper: language, diet, favourite brands."""

    __tablename__ = "user_profiles"

    tenant_id: str = Field(primary_key=True, foreign_key="tenants.id", ondelete="CASCADE")
    user_id: str = Field(primary_key=True)
    language: str | None = None
    dietary: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    favorite_brands: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    updated_at: datetime | None = Field(default=None, sa_column=_now())


class AdminUserRow(SQLModel, table=True):
    """A person who signs in to the admin: an operator (no tenant) or a tenant's admin."""

    __tablename__ = "admin_users"
    __table_args__ = (CheckConstraint("(role = 'operator') = (tenant_id IS NULL)"),)

    id: str = Field(primary_key=True)
    tenant_id: str | None = Field(default=None, foreign_key="tenants.id", ondelete="CASCADE", index=True)
    email: str = Field(unique=True)
    password_hash: str
    role: str
    disabled: bool = False
    created_at: datetime | None = Field(default=None, sa_column=_now())


class AuditLogRow(SQLModel, table=True):
    """One admin action on a tenant: who did what to which target."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("audit_log_tenant_time", "tenant_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    tenant_id: str = Field(foreign_key="tenants.id", ondelete="CASCADE")
    actor: str
    action: str
    target: str = ""
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    created_at: datetime | None = Field(default=None, sa_column=_now())


METADATA = SQLModel.metadata
"""Every table above: what Alembic compares the database with (`migrations/env.py`, tests/adapters/test_schema.py)."""
