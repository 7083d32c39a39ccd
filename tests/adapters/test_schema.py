"""The SQLModel tables and the migrations describe the same schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, pool

from vizochok.adapters.db.migrate import sync_url
from vizochok.adapters.db.tables import METADATA
from vizochok.bootstrap import Prepared


def test_migrations_match_the_models(prepared: Prepared) -> None:
    engine = create_engine(sync_url(prepared.settings.database_admin_url or ""), poolclass=pool.NullPool)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), METADATA)
    engine.dispose()
    # Column types are compared by name only (SQLModel maps str to VARCHAR, the migration uses text);
    # alembic's own version table is not a model.
    diff = [d for d in diff if not (d[0] == "remove_table" and d[1].name == "alembic_version")]
    assert diff == []


def test_search_indexes_keep_short_pending_lists(prepared: Prepared) -> None:
    """Searches scan a GIN index's pending list in full (migration 0005)."""
    engine = create_engine(sync_url(prepared.settings.database_admin_url or ""), poolclass=pool.NullPool)
    with engine.connect() as conn:
        options: dict[str, list[str]] = dict(
            conn.exec_driver_sql(
                "SELECT relname, reloptions FROM pg_class WHERE relname IN ('products_fts', 'products_trgm_name')"
            ).all()
        )
    engine.dispose()
    assert options == {
        name: ["gin_pending_list_limit=256"] for name in ("products_fts", "products_trgm_name")
    }


def test_search_indexes_lead_with_the_tenant(prepared: Prepared) -> None:
    """Among many tenants, the index drops other tenants' rows, not the heap (migration 0010, bench/RESULTS.md)."""
    engine = create_engine(sync_url(prepared.settings.database_admin_url or ""), poolclass=pool.NullPool)
    with engine.connect() as conn:
        definitions: dict[str, str] = dict(
            conn.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN ('products_fts', 'products_trgm_name')"
            ).all()
        )
    engine.dispose()
    assert "USING gin (tenant_id, fts)" in definitions["products_fts"]
    assert "USING gin (tenant_id, search_name gin_trgm_ops)" in definitions["products_trgm_name"]
