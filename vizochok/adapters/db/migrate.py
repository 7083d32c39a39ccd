"""Apply migrations as the owner, then let the application role use what they created."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, pool, text
from sqlalchemy.engine import make_url

_log = logging.getLogger(__name__)
_MIGRATIONS = Path(__file__).parent / "migrations"


def sync_url(url: str) -> str:
    """The same URL with the psycopg driver that SQLAlchemy understands."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def upgrade(admin_url: str) -> None:
    """Bring the schema to the newest revision (blocking: call it from a thread)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["url"] = sync_url(admin_url)
    command.upgrade(cfg, "head")


def grant_app_role(admin_url: str, role: str) -> None:
    """Give `role` data access (never ownership, so row-level security binds it)."""
    engine = create_engine(sync_url(admin_url), poolclass=pool.NullPool)
    quoted = '"' + role.replace('"', '""') + '"'
    with engine.begin() as conn:
        for statement in (
            f"GRANT USAGE ON SCHEMA public TO {quoted}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
            f"GRANT EXECUTE ON FUNCTION vizochok_authenticate(text), vizochok_unfinished_jobs() TO {quoted}",
            f"GRANT EXECUTE ON FUNCTION vizochok_stale_search_tenants(smallint) TO {quoted}",
        ):
            conn.execute(text(statement))
    engine.dispose()
    _log.info("granted data access to role %s", role)
