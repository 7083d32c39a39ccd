"""A tenant's own LLM provider keys, encrypted.

Revision ID: 0006_llmpath_llm_keys
Revises: 0005_search_latency
"""

from alembic import op

revision = "0006_llmpath_llm_keys"
down_revision = "0006_identity_secrets"
branch_labels = None
depends_on = None

# `{provider: ciphertext}`: each key is encrypted with the SecretBox (VIZOCHOK_SECRET_KEY), like the
# webhook secret. On the tenants row, so that the tenant read of every chat handshake brings them along.


def upgrade() -> None:
    op.execute("ALTER TABLE tenants ADD COLUMN llm_keys_enc jsonb NOT NULL DEFAULT '{}'::jsonb")


def downgrade() -> None:
    op.execute("ALTER TABLE tenants DROP COLUMN IF EXISTS llm_keys_enc")
