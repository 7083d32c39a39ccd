"""PostgreSQL: schema, migrations, row-level-security scoped connections and repositories."""

from vizochok.adapters.db.database import Database

__all__ = ("Database",)
