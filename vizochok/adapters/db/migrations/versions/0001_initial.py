"""Initial schema: tenants, keys, products, catalog jobs, conversations, with row-level security.

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TENANT = "current_setting('vizochok.tenant_id', true)"

SCHEMA = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE tenants (
    id text PRIMARY KEY,
    name text NOT NULL,
    store_id text NOT NULL UNIQUE,
    llm jsonb NOT NULL DEFAULT '{}',
    disabled_tools jsonb NOT NULL DEFAULT '[]',
    limits jsonb NOT NULL DEFAULT '{}',
    search jsonb NOT NULL DEFAULT '{}',
    allowed_origins jsonb NOT NULL DEFAULT '[]',
    products_url text NOT NULL DEFAULT '',
    cart_url text NOT NULL DEFAULT '',
    cart_get_url text NOT NULL DEFAULT '',
    webhook_timeout double precision NOT NULL DEFAULT 5,
    webhook_secret_enc text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('pk', 'sk')),
    key_hash text NOT NULL UNIQUE,
    display_prefix text NOT NULL,
    name text NOT NULL DEFAULT '',
    scopes jsonb NOT NULL DEFAULT '[]',
    revoked boolean NOT NULL DEFAULT false,
    last_used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_api_keys_tenant_id ON api_keys (tenant_id);

CREATE TABLE products (
    tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    sku text NOT NULL,
    name text NOT NULL,
    category_path text,
    brand text,
    description text,
    ingredients text,
    country text,
    unit text NOT NULL DEFAULT 'pcs',
    quantity_step double precision,
    min_quantity double precision,
    weight double precision,
    volume double precision,
    image_url text,
    attributes jsonb,
    barcode text,
    is_active boolean NOT NULL DEFAULT true,
    content_hash text NOT NULL,
    row_hash text NOT NULL,
    embedded_hash text,
    embed_job_id text,
    search_name text NOT NULL DEFAULT '',
    fts tsvector,
    embedding vector(384),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, sku)
);
CREATE INDEX products_trgm_name ON products USING gin (search_name gin_trgm_ops);
CREATE INDEX products_fts ON products USING gin (fts);
CREATE INDEX products_embedding_hnsw ON products USING hnsw (embedding vector_cosine_ops);

CREATE TABLE catalog_jobs (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    status text NOT NULL,
    total integer NOT NULL DEFAULT 0,
    embedded integer NOT NULL DEFAULT 0,
    created integer NOT NULL DEFAULT 0,
    updated integer NOT NULL DEFAULT 0,
    unchanged integer NOT NULL DEFAULT 0,
    to_embed integer NOT NULL DEFAULT 0,
    errors jsonb NOT NULL DEFAULT '[]',
    started_at timestamptz,
    completed_at timestamptz,
    submitted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_catalog_jobs_tenant_id ON catalog_jobs (tenant_id);

CREATE TABLE conversations (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id text NOT NULL,
    store_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ix_conversations_tenant_id ON conversations (tenant_id);

CREATE TABLE conversation_log (
    id bigserial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id text NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    turn integer NOT NULL DEFAULT 0,
    kind text NOT NULL,
    payload jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_log_conv ON conversation_log (conversation_id, id);
"""

RLS = "\n".join(
    f"""
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {table} USING ({column} = {TENANT}) WITH CHECK ({column} = {TENANT});
"""
    for table, column in (
        ("tenants", "id"),
        ("api_keys", "tenant_id"),
        ("products", "tenant_id"),
        ("catalog_jobs", "tenant_id"),
        ("conversations", "tenant_id"),
        ("conversation_log", "tenant_id"),
    )
)

# Two lookups must cross tenants: resolving an API key before its tenant is known, and
# finding unfinished catalog jobs after a restart. They run as SECURITY DEFINER functions
# that return only what they must. Inside them current_user is the owner while
# session_user is still the application role; the `definer_read` policies let exactly that
# case read, so the application role itself never can, even when the owner is not a superuser.
DEFINER = """
CREATE POLICY definer_read ON api_keys FOR SELECT USING (current_user <> session_user);
CREATE POLICY definer_touch ON api_keys FOR UPDATE USING (current_user <> session_user);
CREATE POLICY definer_read ON catalog_jobs FOR SELECT USING (current_user <> session_user);

CREATE FUNCTION vizochok_authenticate(p_hash text)
RETURNS TABLE (key_id text, tenant_id text, kind text, scopes jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    -- Touch last_used_at at most once a minute: authentication stays a read on the hot path.
    UPDATE api_keys SET last_used_at = now()
     WHERE key_hash = p_hash AND NOT revoked
       AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');
    RETURN QUERY SELECT k.id, k.tenant_id, k.kind, k.scopes FROM api_keys k
     WHERE k.key_hash = p_hash AND NOT k.revoked;
END $$;

CREATE FUNCTION vizochok_unfinished_jobs()
RETURNS TABLE (tenant_id text, job_id text)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    SELECT j.tenant_id, j.id FROM catalog_jobs j
     WHERE j.status IN ('pending', 'embedding') ORDER BY j.submitted_at
$$;

REVOKE ALL ON FUNCTION vizochok_authenticate(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION vizochok_unfinished_jobs() FROM PUBLIC;
"""


def upgrade() -> None:
    op.execute(SCHEMA)
    op.execute(RLS)
    op.execute(DEFINER)


def downgrade() -> None:
    op.execute(
        "DROP FUNCTION IF EXISTS vizochok_authenticate(text); DROP FUNCTION IF EXISTS vizochok_unfinished_jobs();"
    )
    for table in ("conversation_log", "conversations", "catalog_jobs", "products", "api_keys", "tenants"):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
