"""Liveness and readiness."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import get
from litestar.exceptions import ServiceUnavailableException

from vizochok.adapters.http.schemas import Health, errors

if TYPE_CHECKING:
    from valkey.asyncio import Valkey

    from vizochok.adapters.db import Database


@get("/healthz", tags=["health"])
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@get("/readyz", tags=["health"], responses=errors(503))
async def readyz(database: Database, valkey: Valkey) -> Health:
    """The database and the cache both answer."""
    try:
        await database.ping()
        await valkey.ping()
    except Exception as exc:
        raise ServiceUnavailableException(f"not ready: {exc.__class__.__name__}") from exc
    return Health(status="ready")
