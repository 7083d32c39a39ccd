"""Reads on PostgreSQL streaming replicas, with read-your-writes for the tenant that just wrote.

`VIZOCHOK_DATABASE_READ_URL` names one or more standbys (comma-separated). Search and the catalog
reads of a chat (product lookups, "has a catalog") go to them in turn; everything else — writes,
job status, admin — stays on the primary. A standby replays the primary's WAL, so it has the same
tables, the same policies and the same roles: row-level security binds the application role there
exactly as on the primary (`Database.tenant()` sets the tenant per transaction on either).

Read-your-writes: after a catalog write, `wrote(tenant)` records the primary's WAL position; a
read of that tenant then asks the standby whether it has replayed that far
(`pg_last_wal_replay_lsn()`) and goes to the primary until it has. So a catalog upload followed by
its search answers from the new catalog. The record is this process's own: another process
reading the same tenant may answer from a standby that is behind, by the replication lag.
A standby that does not answer is skipped for `cooldown_seconds` (reads go to the primary).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import time
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg_pool import PoolTimeout

from vizochok.adapters.db.database import Connection, Database

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

_log = logging.getLogger(__name__)

# A libpq URL may itself hold commas (several hosts): split only where a new URL starts.
_URL_START = re.compile(r",\s*(?=postgres(?:ql)?(?:\+\w+)?://)")


def read_urls(value: str | None) -> list[str]:
    """The standby URLs of `VIZOCHOK_DATABASE_READ_URL`."""
    return [u.strip() for u in _URL_START.split(value or "") if u.strip()]


class ReadDatabase:
    """The `tenant()` / `unscoped()` of `Database`, served by standbys when there are any."""

    def __init__(
        self, primary: Database, urls: list[str], pool_size: int = 10, cooldown_seconds: float = 10,
        open_timeout: float = 10,
    ) -> None:  # fmt: skip
        self.primary = primary
        self.replicas = [Database(url, pool_size) for url in urls]
        for replica in self.replicas:
            replica.pool.timeout = 2  # a standby that is down must not hold a search for 30 s
        self._turn = itertools.cycle(range(len(self.replicas))) if self.replicas else None
        self._written: dict[str, str] = {}
        self._down_until = [0.0] * len(self.replicas)
        self._cooldown = cooldown_seconds
        self._open_timeout = open_timeout
        self.served = {"replica": 0, "primary": 0}
        """Reads answered by each side (for tests and metrics)."""

    async def open(self) -> None:
        """Open the standbys' pools; one that does not answer yet is tried again on use."""
        for index, replica in enumerate(self.replicas):
            try:
                await replica.pool.open(wait=True, timeout=self._open_timeout)
            except PoolTimeout:
                _log.warning("read replica %d does not answer; reads use the primary for now", index)
                self._down_until[index] = time.monotonic() + self._cooldown

    async def close(self) -> None:
        """Close the standbys' pools (the primary belongs to its owner)."""
        for replica in self.replicas:
            await replica.close()

    async def wrote(self, tenant_id: str) -> None:
        """The tenant's catalog changed on the primary: its reads wait for a standby that has the change."""
        if not self.replicas:
            return
        async with self.primary.pool.connection() as conn:
            row = await (await conn.execute("SELECT pg_current_wal_lsn()::text AS lsn")).fetchone()
        assert row is not None  # noqa: S101 - the function always answers
        self._written[tenant_id] = row["lsn"]

    async def wait_replayed(self, timeout: float = 30) -> None:  # noqa: ASYNC109 - checked between polls, never mid-query
        """Wait until every standby has replayed the primary's WAL as of now (tests, benches, tools)."""
        async with self.primary.pool.connection() as conn:
            row = await (await conn.execute("SELECT pg_current_wal_lsn()::text AS lsn")).fetchone()
        assert row is not None  # noqa: S101
        deadline = time.monotonic() + timeout
        for replica in self.replicas:
            while True:
                async with replica.pool.connection() as conn:
                    done = await (
                        await conn.execute(
                            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn AS ok", (row["lsn"],)
                        )
                    ).fetchone()
                if done and done["ok"]:
                    break
                if time.monotonic() > deadline:
                    msg = "a read replica did not catch up"
                    raise TimeoutError(msg)
                await asyncio.sleep(0.02)

    async def _choose(self, tenant_id: str | None) -> Database:
        if self._turn is None:
            return self.primary
        now = time.monotonic()
        for _ in self.replicas:
            index = next(self._turn)
            if self._down_until[index] > now:
                continue
            replica = self.replicas[index]
            lsn = self._written.get(tenant_id or "")
            if lsn is None:
                return replica
            try:
                async with replica.pool.connection() as conn:
                    row = await (
                        await conn.execute(
                            "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn AS caught_up", (lsn,)
                        )
                    ).fetchone()
            except (psycopg.OperationalError, PoolTimeout):
                self._down_until[index] = now + self._cooldown
                continue
            if row and row["caught_up"]:
                # Every later read of the tenant sees the write on this standby too (replay only advances).
                if self._written.get(tenant_id or "") == lsn:
                    del self._written[tenant_id or ""]
                return replica
            return self.primary  # the standby is behind this tenant's last write
        return self.primary

    @asynccontextmanager
    async def tenant(self, tenant_id: str, *, pipelined: bool = False) -> AsyncIterator[Connection]:
        """A read transaction scoped to `tenant_id` by row-level security, on a standby when one has its writes."""
        db = await self._choose(tenant_id)
        async with AsyncExitStack() as stack:
            conn = await self._enter(stack, db, lambda d: d.tenant(tenant_id, pipelined=pipelined))
            yield conn

    @asynccontextmanager
    async def unscoped(self, *, pipelined: bool = False) -> AsyncIterator[Connection]:
        """A read transaction with no tenant."""
        db = await self._choose(None)
        async with AsyncExitStack() as stack:
            yield await self._enter(stack, db, lambda d: d.unscoped(pipelined=pipelined))

    async def _enter(self, stack: AsyncExitStack, db: Database, scope: Any) -> Connection:
        """Open the transaction on `db`; a standby that fails to give a connection hands over to the primary."""
        if db is not self.primary:
            try:
                conn: Connection = await stack.enter_async_context(scope(db))
            except (psycopg.OperationalError, PoolTimeout):
                _log.warning("read replica failed; reading from the primary for %.0f s", self._cooldown)
                self._down_until[self.replicas.index(db)] = time.monotonic() + self._cooldown
            else:
                self.served["replica"] += 1
                return conn
        self.served["primary"] += 1
        primary: Connection = await stack.enter_async_context(scope(self.primary))
        return primary
