"""Search: a vector index of its own for each large tenant (partial HNSW), so tenants do not slow each other.

Revision ID: 0007_search_tenant_vectors
Revises: 0006_search_categories
"""

from alembic import op

revision = "0007_search_tenant_vectors"
down_revision = "0006_search_categories"
branch_labels = None
depends_on = None

# One HNSW graph shared by every tenant makes a 10k tenant next to a 50k one walk past the other's
# nodes (~14 ms against 1.5 ms alone). A partial index `WHERE tenant_id = '<id>'` holds one tenant's
# vectors only; the planner uses it when the statement names that tenant as a literal
# (adapters/search/postgres.py). Small tenants need none: an exact scan of their rows is faster.
# Creating an index needs the table's owner, hence a SECURITY DEFINER function, and it is only
# for the tenant of the current transaction (the row-level-security setting), so a tenant cannot
# make indexes for another. The name is derived from the tenant id (md5), never spliced raw.
UPGRADE = """
CREATE FUNCTION vizochok_tenant_vector_index(p_tenant text, p_create boolean)
RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    index_name text := 'products_hnsw_t' || substr(md5(p_tenant), 1, 20);
BEGIN
    IF p_tenant IS DISTINCT FROM current_setting('vizochok.tenant_id', true) THEN
        RAISE EXCEPTION 'vizochok: a tenant may only index its own vectors';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_class WHERE relname = index_name AND relkind = 'i') THEN
        RETURN true;
    END IF;
    IF NOT p_create THEN
        RETURN false;
    END IF;
    EXECUTE format(
        'CREATE INDEX IF NOT EXISTS %I ON products USING hnsw (embedding vector_cosine_ops) WHERE tenant_id = %L',
        index_name, p_tenant);
    RETURN true;
END $$;
REVOKE ALL ON FUNCTION vizochok_tenant_vector_index(text, boolean) FROM PUBLIC;
"""


def upgrade() -> None:
    op.execute(UPGRADE)
    # The application role gets EXECUTE at start-up, like every definer function (adapters/db/migrate.py).


def downgrade() -> None:
    op.execute(
        """DO $$ DECLARE r record; BEGIN
            FOR r IN SELECT relname FROM pg_class WHERE relname LIKE 'products_hnsw_t%' AND relkind = 'i' LOOP
                EXECUTE format('DROP INDEX IF EXISTS %I', r.relname);
            END LOOP;
        END $$;
        DROP FUNCTION IF EXISTS vizochok_tenant_vector_index(text, boolean);"""
    )
