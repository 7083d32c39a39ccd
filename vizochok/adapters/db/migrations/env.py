"""Alembic environment: the URL comes from the caller (`vizochok.adapters.db.migrate`), never from a file."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from vizochok.adapters.db.tables import METADATA

config = context.config
target_metadata = METADATA


def run_migrations_online() -> None:
    """Run every pending revision in one transaction."""
    url = config.attributes["url"]
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, transaction_per_migration=False
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
