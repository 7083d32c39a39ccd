"""The async connection pool and the one way to touch tenant data: a transaction scoped to a tenant.

Queries on the request path use psycopg directly (no ORM round trip); the SQLModel tables in
`tables.py` are the schema of record for migrations.
"""

from __future__ import annotations

import json
import logging
import math
import re
import time
from collections import deque
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, TypeAlias

import psycopg
from psycopg import AsyncConnection
from psycopg import errors as pg_errors
from psycopg.pq import TransactionStatus
from psycopg.rows import DictRow, dict_row
from psycopg.types.json import set_json_dumps
from psycopg_pool import AsyncConnectionPool

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

Connection: TypeAlias = AsyncConnection[DictRow]
"""What `Database.tenant` and `Database.unscoped` lend: rows come back as dicts (`dict_row`)."""

_log = logging.getLogger(__name__)

_SET_TENANT = "SELECT set_config('vizochok.tenant_id', %s, true)"

BROKEN_STATE_ERRORS = (
    pg_errors.InvalidSqlStatementName,  # "prepared statement _pg3_N does not exist": client and server out of step
    pg_errors.DuplicatePreparedStatement,
    pg_errors.InFailedSqlTransaction,  # a transaction that should have been rolled back was lent again
    psycopg.InterfaceError,
)
"""Errors that say a connection's session state is wrong, not that a statement's data was: the
connection is discarded, never lent again, and counted towards readiness (so is a connection
psycopg marked `broken`, whatever the error)."""


def libpq_url(url: str) -> str:
    """Strip a SQLAlchemy driver suffix (`postgresql+psycopg://`) so libpq accepts the URL."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+', 1)[0]}{sep}{rest}"


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _storable(value: object) -> object:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value.replace("\x00", ""))
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {_storable(str(k)): _storable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(v) for v in value]
    return value


def storable_json(value: object) -> str:
    r"""JSON that PostgreSQL's `jsonb` accepts, whatever `value` holds.

    `jsonb` refuses NUL (`\u0000`), lone surrogates and `NaN`/`Infinity`; input is cleaned at the edge
    (`vizochok.core.cleaning`), but JSON also comes from retailers' webhooks and from models.
    Rather than fail the transaction (and the turn), such values are stored cleaned: NUL removed,
    surrogates as U+FFFD, non-finite numbers as null. The common case costs one `json.dumps`.
    """
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except ValueError:
        return json.dumps(_storable(value), ensure_ascii=False)
    if "\\u0000" in text or _SURROGATE.search(text):
        return json.dumps(_storable(value), ensure_ascii=False)
    return text


async def _configure(conn: Connection) -> None:
    set_json_dumps(storable_json, context=conn)


class BrokenPoolError(psycopg.OperationalError):
    """The pool answers, but its connections keep breaking: not ready."""


class BrokenConnections:
    """When pooled connections had to be discarded for a broken session state, over a sliding window.

    `/readyz` reads it: a pool that keeps handing out broken connections must not look ready.
    """

    def __init__(self, window_seconds: float = 60.0, threshold: int = 3) -> None:
        self.window_seconds = window_seconds
        self.threshold = threshold
        self._seen: deque[float] = deque(maxlen=1000)
        self.total = 0

    def record(self) -> None:
        """One connection discarded now."""
        self._seen.append(time.monotonic())
        self.total += 1

    def recent(self) -> int:
        """How many in the window."""
        horizon = time.monotonic() - self.window_seconds
        while self._seen and self._seen[0] < horizon:
            self._seen.popleft()
        return len(self._seen)

    def healthy(self) -> bool:
        """Fewer than `threshold` in the window."""
        return self.recent() < self.threshold


async def _discard(conn: Connection) -> None:
    """Close a connection so that the pool drops it on return and opens a fresh one in its place."""
    try:
        await conn.close()
    except Exception:  # noqa: BLE001 - closing a broken connection may fail too; it is dropped either way
        _log.debug("closing a broken connection failed", exc_info=True)


@asynccontextmanager
async def _pipelined(conn: Connection) -> AsyncIterator[None]:
    """The block as one libpq pipeline: `BEGIN`, its statements, `COMMIT` (`ROLLBACK` on an error).

    Nothing waits for `BEGIN`, so a write transaction is one round trip (a read adds one for its
    fetch). psycopg's own `transaction()` inside a pipeline syncs after `BEGIN` and again around
    `COMMIT`: three round trips, and measured, more CPU per transaction than no pipeline at all;
    this form costs about a third less than either. It runs the connection in autocommit, so that
    psycopg adds no `BEGIN` of its own, and hands it back to the pool as it came.

    Any error in the block closes the connection (the pool then opens a fresh one). After a failed
    pipeline, psycopg's record of which statements it prepared on the server can be out of step
    with the server (issue 13: a statement prepared while the pipeline was aborted was never
    created, and every later use of it failed with "prepared statement _pg3_N does not exist"), so
    the connection is not trusted again. Errors here are rare once input is cleaned at the edge
    (`vizochok.core.cleaning`), so the reconnect costs nothing that matters.
    """
    await conn.set_autocommit(True)
    failed = False
    try:
        async with conn.pipeline():
            await conn.execute("BEGIN")
            try:
                yield
            except BaseException:
                failed = True
                await conn.execute("ROLLBACK")
                raise
            await conn.execute("COMMIT")
    except BaseException:
        failed = True
        raise
    finally:
        if failed or conn.info.transaction_status != TransactionStatus.IDLE:
            await _discard(conn)
        else:
            try:
                await conn.set_autocommit(False)
            except psycopg.Error:
                await _discard(
                    conn
                )  # the pool discards a closed connection rather than lend it in autocommit


class Database:
    """A pooled async connection; every tenant query runs inside `tenant(tenant_id)`."""

    def __init__(self, url: str, pool_size: int = 10, *, broken_window_seconds: float = 60.0) -> None:
        self.url = url
        self.broken = BrokenConnections(broken_window_seconds)
        """Connections discarded for a broken session state; `ping()` fails while they keep coming."""
        self.pool: AsyncConnectionPool[Connection] = AsyncConnectionPool(
            libpq_url(url),
            min_size=1,
            max_size=pool_size,
            open=False,
            kwargs={"row_factory": dict_row, "autocommit": False},
            configure=_configure,
        )

    async def open(self) -> None:
        """Open the pool and wait for a first connection."""
        await self.pool.open(wait=True, timeout=30)

    @asynccontextmanager
    async def tenant(self, tenant_id: str, *, pipelined: bool = False) -> AsyncIterator[Connection]:
        """A transaction in which row-level security shows only `tenant_id`'s rows.

        The setting is transaction-local (`set_config(..., true)`), so a pooled connection
        never carries one tenant's scope into the next checkout.

        `pipelined=True` sends `BEGIN`, the setting, the statements and `COMMIT` in libpq's
        pipeline mode (`_pipelined`): a write-only transaction costs one round trip instead of
        one per statement. Results arrive only at a sync point (a fetch, or the end of the block).
        """
        async with self.pool.connection() as conn, self._guard(conn):
            if pipelined:
                async with _pipelined(conn):
                    await conn.execute(_SET_TENANT, (tenant_id,))
                    yield conn
            else:
                async with conn.transaction():
                    await conn.execute(_SET_TENANT, (tenant_id,))
                    yield conn

    @asynccontextmanager
    async def unscoped(self, *, pipelined: bool = False) -> AsyncIterator[Connection]:
        """A transaction with no tenant: row-level security shows no tenant rows at all (`pipelined` as above)."""
        async with self.pool.connection() as conn, self._guard(conn):
            if pipelined:
                async with _pipelined(conn):
                    yield conn
            else:
                async with conn.transaction():
                    yield conn

    @asynccontextmanager
    async def _guard(self, conn: Connection) -> AsyncIterator[None]:
        """Discard `conn` when an error says its session state is broken, whichever path it came from."""
        try:
            yield
        except Exception as exc:
            if isinstance(exc, BROKEN_STATE_ERRORS) or conn.broken:
                self.broken.record()
                _log.warning("discarded a pooled connection with a broken state: %s", exc.__class__.__name__)
                await _discard(conn)
            raise

    async def ping(self) -> None:
        """Raise unless the database answers and the pool is not discarding broken connections."""
        if not self.broken.healthy():
            msg = f"{self.broken.recent()} pooled connections broke in the last {self.broken.window_seconds:.0f} s"
            raise BrokenPoolError(msg)
        async with self.pool.connection(timeout=2) as conn, self._guard(conn):
            await conn.execute("SELECT 1")

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.pool.close()
