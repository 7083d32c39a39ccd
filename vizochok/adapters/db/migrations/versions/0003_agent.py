"""The agent's ledger of LLM calls and shoppers' profiles, with row-level security.

Revision ID: 0003_agent
Revises: 0002
"""

from alembic import op

revision = "0003_agent"
down_revision = "0002"
branch_labels = None
depends_on = None

TENANT = "current_setting('vizochok.tenant_id', true)"

SCHEMA = """
CREATE TABLE llm_usage (
    id bigserial PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id text NOT NULL,
    model text NOT NULL,
    prompt_tokens integer NOT NULL DEFAULT 0,
    completion_tokens integer NOT NULL DEFAULT 0,
    cost numeric(18, 8) NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX llm_usage_tenant_time ON llm_usage (tenant_id, created_at);

CREATE TABLE user_profiles (
    tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    user_id text NOT NULL,
    language text,
    dietary jsonb NOT NULL DEFAULT '[]',
    favorite_brands jsonb NOT NULL DEFAULT '[]',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);
"""

RLS = "\n".join(
    f"""
ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON {table} USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT});
"""
    for table in ("llm_usage", "user_profiles")
)


def upgrade() -> None:
    op.execute(SCHEMA)
    op.execute(RLS)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS user_profiles; DROP TABLE IF EXISTS llm_usage;")
