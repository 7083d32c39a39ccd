"""Search among many tenants: full-text and trigram indexes that lead with the tenant.

Revision ID: 0010_search_tenant_gin
Revises: 0009_needs_learned
"""

from alembic import op

revision = "0010_search_tenant_gin"
down_revision = "0009_needs_learned"
branch_labels = None
depends_on = None

# With one GIN index over every tenant's words, a search for "organic" read the posting list of
# every tenant's organic products and then dropped the other tenants' rows one heap row at a
# time: among 200 tenants (250k products) a 10k tenant's full-text leg took 1.9× and its trigram
# leg 3.6× what they take with the tenant alone (bench/RESULTS.md, "Many tenants"). With the
# tenant as the index's first column (btree_gin, a trusted extension shipped with PostgreSQL),
# GIN intersects the tenant's entries with the word's inside the index: 1.07× and 1.12×. A
# single-tenant install measured the same with either index, so only the new ones are kept.
# Same names, so the pending-list setting of 0005 and the bulk loader's rebuild keep applying.
PENDING_LIST_KB = 256
AFTER = {"products_fts": "(tenant_id, fts)", "products_trgm_name": "(tenant_id, search_name gin_trgm_ops)"}
BEFORE = {"products_fts": "(fts)", "products_trgm_name": "(search_name gin_trgm_ops)"}


def _rebuild(definitions: dict[str, str]) -> None:
    for name, columns in definitions.items():
        op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(
            f"CREATE INDEX {name} ON products USING gin {columns} WITH (gin_pending_list_limit = {PENDING_LIST_KB})"
        )


def upgrade() -> None:
    """Lead the full-text and trigram indexes with `tenant_id`."""
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    _rebuild(AFTER)


def downgrade() -> None:
    """Back to indexes over every tenant's words (btree_gin stays installed)."""
    _rebuild(BEFORE)
