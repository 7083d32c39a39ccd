"""Recipes: a tenant's own dishes for the offline assistant's recipe book (docs/agent.md, "Recipes").

Revision ID: 0008_recipes_tenant_book
Revises: 0007_search_tenant_vectors
"""

from alembic import op

revision = "0008_recipes_tenant_book"
down_revision = "0007_search_tenant_vectors"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """A JSON list of dishes per tenant (validated by `RecipeInput` before it is stored)."""
    op.execute("ALTER TABLE tenants ADD COLUMN recipes jsonb NOT NULL DEFAULT '[]'::jsonb")


def downgrade() -> None:
    """Drop the column."""
    op.execute("ALTER TABLE tenants DROP COLUMN IF EXISTS recipes")
