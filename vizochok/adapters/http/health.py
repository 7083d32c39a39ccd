"""Liveness and readiness."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from litestar import get
from litestar.exceptions import ServiceUnavailableException

from vizochok.adapters.http.schemas import Health, errors

if TYPE_CHECKING:
    from valkey.asyncio import Valkey

    from vizochok.adapters.db import Database
    from vizochok.core.ports import Embedder

_EMBEDDER_OK_SECONDS = 30.0
"""A query embedding that worked is trusted this long: probes every few seconds cost no model run."""
_embedder_ok_until: dict[int, float] = {}


@get("/healthz", tags=["health"])
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@get("/readyz", tags=["health"], responses=errors(503))
async def readyz(database: Database | None, valkey: Valkey | None, embedder: Embedder) -> Health:
    """Ready only when a chat could be answered: the database (vector operations too), cache and embedder.

    A 503 names the part that failed. Catalog jobs are not part of readiness (one tenant's failed
    upload must not take the server out of rotation for all): they are in `GET /api/v1/catalog/jobs`.
    """
    part = "database"
    try:
        if database is not None:  # None: the memory profile, which has no server to lose
            await database.ping()
            async with database.unscoped() as conn:
                # The operation search runs on every query; a pgvector this CPU cannot run fails here.
                await conn.execute("SELECT '[3,4]'::vector <=> '[4,3]'::vector")
        part = "valkey"
        if valkey is not None:
            await valkey.ping()
        part = "embedder"
        if time.monotonic() > _embedder_ok_until.get(id(embedder), 0.0):
            async with asyncio.timeout(10):
                await embedder.embed_query("ready")
            _embedder_ok_until[id(embedder)] = time.monotonic() + _EMBEDDER_OK_SECONDS
    except Exception as exc:
        raise ServiceUnavailableException(f"not ready: {part}: {exc.__class__.__name__}") from exc
    return Health(status="ready")
