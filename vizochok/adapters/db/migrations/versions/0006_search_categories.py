"""Search: an index on each tenant's category paths, for the category leg.

Revision ID: 0006_search_categories
Revises: 0005_search_latency
"""

from alembic import op

revision = "0006_search_categories"
down_revision = "0006_llmpath_llm_keys"
branch_labels = None
depends_on = None

# The category leg ranks the products of the categories a query names (`category_path = ANY(…)`)
# by their distance to the query's vector. Without this index it read every row of the tenant
# to find them (50k products: the whole tenant for a category of a few hundred).


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS products_category ON products (tenant_id, category_path)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS products_category")
