"""The port of PostgreSQL connections, for components that keep their data in the application's database."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol


class SqlConnections(Protocol):
    """PostgreSQL connections, scoped to a tenant by row-level security or not.

    What a search backend that keeps its index in the application's database (the built-in `postgres` one)
    reads through (`SearchDeps.sql`). The connection is psycopg's `AsyncConnection`; the port names only
    how one is borrowed.
    """

    def tenant(self, tenant_id: str, *, pipelined: bool = False) -> AbstractAsyncContextManager[Any]:
        """A connection that sees only this tenant's rows."""
        ...

    def unscoped(self, *, pipelined: bool = False) -> AbstractAsyncContextManager[Any]:
        """A connection across tenants (jobs, maintenance)."""
        ...
