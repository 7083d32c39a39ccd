"""Shopper identity verification: a per-tenant identity secret (encrypted) and the `required` switch.

Revision ID: 0006_identity_secrets
Revises: 0005_search_latency
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_identity_secrets"
down_revision = "0006_portable_jobs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tenants", sa.Column("identity_secret_enc", sa.Text(), nullable=True))
    # The secret before the last rotation keeps verifying until `identity_previous_until`, so that
    # pages already rendered with the old signature keep working while the retailer deploys.
    op.add_column("tenants", sa.Column("identity_previous_enc", sa.Text(), nullable=True))
    op.add_column("tenants", sa.Column("identity_previous_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "tenants", sa.Column("identity_required", sa.Boolean(), nullable=False, server_default=sa.false())
    )


def downgrade() -> None:
    for column in (
        "identity_required",
        "identity_previous_until",
        "identity_previous_enc",
        "identity_secret_enc",
    ):
        op.drop_column("tenants", column)
