"""The embedded PostgreSQL is sized to the machine by our code."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from vizochok.adapters.embedded import server_settings

if TYPE_CHECKING:
    from vizochok.adapters.db import Database

MB = 1 << 20


@pytest.mark.parametrize(
    ("memory", "shared"),
    [(256 * MB, "128MB"), (2048 * MB, "512MB"), (3000 * MB, "750MB"), (64 * 1024 * MB, "1024MB")],
)
def test_shared_buffers_are_a_quarter_of_memory_within_bounds(memory: int, shared: str) -> None:
    assert server_settings(memory)["shared_buffers"] == shared


@pytest.mark.asyncio
async def test_the_running_server_uses_them(database: Database) -> None:
    """Applied at the first start (a restart), so a new data folder searches from memory."""
    async with database.unscoped() as conn:
        cur = await conn.execute(
            "SELECT pg_size_bytes(current_setting('shared_buffers')) = pg_size_bytes(%s) AS applied",
            (server_settings()["shared_buffers"],),
        )
        row = await cur.fetchone()
    assert row is not None
    assert row["applied"]
