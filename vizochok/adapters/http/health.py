"""Liveness and readiness."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import get
from litestar.exceptions import ServiceUnavailableException

if TYPE_CHECKING:
    from valkey.asyncio import Valkey

    from vizochok.adapters.db import Database


@get("/healthz", tags=["health"])
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@get("/readyz", tags=["health"])
async def readyz(database: Database, valkey: Valkey) -> dict[str, Any]:
    """The database and the cache both answer."""
    try:
        await database.ping()
        await valkey.ping()
    except Exception as exc:
        raise ServiceUnavailableException(f"not ready: {exc.__class__.__name__}") from exc
    return {"status": "ready"}
