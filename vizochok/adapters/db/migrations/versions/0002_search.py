"""Search: analyzer version per product, barcode lookup, and finding tenants to re-index.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UPGRADE = """
-- The query analyzer (core/query) writes each product's index terms; when it changes, rows
-- written by an older version are re-indexed at start-up rather than silently mismatching.
ALTER TABLE products ADD COLUMN search_version smallint NOT NULL DEFAULT 0;
CREATE INDEX products_barcode ON products (tenant_id, barcode) WHERE barcode IS NOT NULL;

-- Re-indexing after an upgrade must find every tenant with stale rows; like the job lookup in
-- 0001 it crosses tenants, so it is a SECURITY DEFINER function returning tenant ids only.
CREATE POLICY definer_read ON products FOR SELECT USING (current_user <> session_user);
CREATE FUNCTION vizochok_stale_search_tenants(p_version smallint)
RETURNS TABLE (tenant_id text)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    SELECT DISTINCT p.tenant_id FROM products p WHERE p.search_version < p_version
$$;
REVOKE ALL ON FUNCTION vizochok_stale_search_tenants(smallint) FROM PUBLIC;
"""

# Under row-level security the planner may use an index for a condition only when its operator
# is LEAKPROOF; otherwise the full-text and trigram legs scan every row of the table (measured:
# 40 and 190 ms at 10k products instead of about 1 ms). The match operators raise no errors that
# depend on row contents, so they qualify. Only a superuser may declare this; elsewhere
# (managed PostgreSQL) the migration says so and search still works, only slower
# (docs/search.md: ask for it, or use the Elasticsearch backend at scale).
LEAKPROOF = """
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER FUNCTION ts_match_vq(tsvector, tsquery) LEAKPROOF;
        ALTER FUNCTION word_similarity_op(text, text) LEAKPROOF;
        ALTER FUNCTION word_similarity_commutator_op(text, text) LEAKPROOF;
    ELSE
        RAISE WARNING 'vizochok: not a superuser, so search indexes cannot serve row-level-secured queries';
    END IF;
END $$;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    op.execute(LEAKPROOF)


def downgrade() -> None:
    op.execute(
        """DROP FUNCTION IF EXISTS vizochok_stale_search_tenants(smallint);
           DROP POLICY IF EXISTS definer_read ON products;
           DROP INDEX IF EXISTS products_barcode;
           ALTER TABLE products DROP COLUMN IF EXISTS search_version;"""
    )
