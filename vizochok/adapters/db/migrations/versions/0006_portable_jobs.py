"""Catalog jobs that never lie: a lease on the running job, and failed jobs picked up again.

A job runs in one process at a time: claiming it sets `lease_until`, and every progress write
moves it on. A process that dies (or lost PostgreSQL while the job ran) leaves a lease that runs
out, and any server process then takes the job over. A job that ended `failed` while some of its
products still wait for a vector is offered again at the next start, so no product is left in a
state nobody picks up.

Revision ID: 0006_portable_jobs
Revises: 0005_search_latency
"""

from alembic import op

revision = "0006_portable_jobs"
down_revision = "0005_search_latency"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE catalog_jobs ADD COLUMN lease_until timestamptz")
    op.execute("ALTER TABLE catalog_jobs ADD COLUMN attempts integer NOT NULL DEFAULT 0")
    op.execute("""
DROP FUNCTION vizochok_unfinished_jobs();
CREATE FUNCTION vizochok_unfinished_jobs(p_include_failed boolean DEFAULT true)
RETURNS TABLE (tenant_id text, job_id text)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    SELECT j.tenant_id, j.id FROM catalog_jobs j
     WHERE (j.status IN ('pending', 'embedding') AND (j.lease_until IS NULL OR j.lease_until < now()))
        OR (p_include_failed AND j.status = 'failed' AND EXISTS (
                SELECT 1 FROM products p
                 WHERE p.tenant_id = j.tenant_id AND p.embed_job_id = j.id
                   AND p.embedded_hash IS DISTINCT FROM p.content_hash))
     ORDER BY j.submitted_at
$$;
REVOKE ALL ON FUNCTION vizochok_unfinished_jobs(boolean) FROM PUBLIC;
""")


def downgrade() -> None:
    op.execute("""
DROP FUNCTION vizochok_unfinished_jobs(boolean);
CREATE FUNCTION vizochok_unfinished_jobs()
RETURNS TABLE (tenant_id text, job_id text)
LANGUAGE sql SECURITY DEFINER SET search_path = public AS $$
    SELECT j.tenant_id, j.id FROM catalog_jobs j
     WHERE j.status IN ('pending', 'embedding') ORDER BY j.submitted_at
$$;
REVOKE ALL ON FUNCTION vizochok_unfinished_jobs() FROM PUBLIC;
""")
    op.execute("ALTER TABLE catalog_jobs DROP COLUMN attempts")
    op.execute("ALTER TABLE catalog_jobs DROP COLUMN lease_until")
