"""Needs learned from each tenant's catalog, and cached offline enrichment of its products (docs/search.md).

Revision ID: 0009_needs_learned
Revises: 0008_recipes_tenant_book
"""

from alembic import op

revision = "0009_needs_learned"
down_revision = "0008_recipes_tenant_book"
branch_labels = None
depends_on = None

TENANT = "current_setting('vizochok.tenant_id', true)"

SCHEMA = f"""
ALTER TABLE tenants ADD COLUMN learned_needs jsonb NOT NULL DEFAULT '{{}}'::jsonb;
CREATE TABLE product_enrichments (
    tenant_id text NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    content_hash text NOT NULL,
    text text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, content_hash)
);
ALTER TABLE product_enrichments ENABLE ROW LEVEL SECURITY;
ALTER TABLE product_enrichments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON product_enrichments
    USING (tenant_id = {TENANT}) WITH CHECK (tenant_id = {TENANT});
"""


def upgrade() -> None:
    """`tenants.learned_needs` (written after each catalog job) and the enrichment cache, keyed by content hash."""
    op.execute(SCHEMA)


def downgrade() -> None:
    """Drop both."""
    op.execute("DROP TABLE IF EXISTS product_enrichments")
    op.execute("ALTER TABLE tenants DROP COLUMN IF EXISTS learned_needs")
