"""Search and catalog reads on a PostgreSQL streaming standby: RLS there too, read-your-writes, lag, failure."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import psycopg
import pytest

from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.db.replicas import ReadDatabase, read_urls
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.adapters.search.postgres import PostgresProductSearch
from vizochok.core.catalog.service import CatalogService
from vizochok.core.models import Tenant
from vizochok.core.search.service import SearchService

if TYPE_CHECKING:
    from vizochok.adapters.db import Database
    from vizochok.adapters.embedded_standby import LocalStandby


def test_several_read_urls_split_where_a_url_starts() -> None:
    assert read_urls(None) == [] and read_urls("") == []
    assert read_urls("postgresql://a/db, postgres://b/db") == ["postgresql://a/db", "postgres://b/db"]
    # libpq's own multi-host form keeps its commas.
    assert read_urls("postgresql://r1:5432,r2:5432/db?target_session_attrs=any,postgresql+psycopg://r3/db") == [
        "postgresql://r1:5432,r2:5432/db?target_session_attrs=any", "postgresql+psycopg://r3/db",
    ]  # fmt: skip


class Shop:
    """One tenant, written through the primary and searched through `reads`."""

    def __init__(self, database: Database, reads: ReadDatabase, tenant: dict[str, str]) -> None:
        self.repo = PostgresCatalogRepository(database, reads)
        self.catalog = CatalogService(self.repo, HashingEmbedder())
        self.reads = reads
        self.tenant = Tenant(id=tenant["tenant_id"], name="t", store_id=tenant["store_id"])

    async def load(self, products: list[dict[str, Any]]) -> str:
        job, _ = await self.catalog.upsert(self.tenant.id, products)
        await self.catalog.wait(job.job_id)
        return job.job_id

    async def skus(self, reads: ReadDatabase, text: str) -> list[str]:
        service = SearchService(PostgresProductSearch(reads), HashingEmbedder())
        return [h.sku for h in await service.search(self.tenant, text)]


async def test_row_level_security_binds_the_application_role_on_the_standby(
    standby: LocalStandby, database: Database, read_database: ReadDatabase, make_tenant: Any
) -> None:
    shop = Shop(database, read_database, await make_tenant())
    await shop.load([{"sku": "rls-1", "name": "Халва соняшникова 200 г"}])
    await read_database.wait_replayed()
    async with await psycopg.AsyncConnection.connect(standby.url(), autocommit=True) as conn:
        role = await (
            await conn.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).fetchone()
        assert role == (False, False)
        assert (await (await conn.execute("SELECT pg_is_in_recovery()")).fetchone()) == (True,)
        # No tenant set: no rows at all, though the standby holds every tenant's products.
        assert (await (await conn.execute("SELECT count(*) FROM products")).fetchone()) == (0,)
        async with conn.transaction():
            await conn.execute("SELECT set_config('vizochok.tenant_id', %s, true)", (shop.tenant.id,))
            rows = await (await conn.execute("SELECT DISTINCT tenant_id FROM products")).fetchall()
        assert rows == [(shop.tenant.id,)]
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            await conn.execute("DELETE FROM products")


async def test_read_your_writes_while_the_standby_lags(
    standby: LocalStandby, database: Database, read_database: ReadDatabase, make_tenant: Any
) -> None:
    shop = Shop(database, read_database, await make_tenant())
    await shop.load([{"sku": "milk", "name": "Молоко Галичина 2,5% 900 мл"}])
    await read_database.wait_replayed()
    assert await shop.skus(read_database, "молоко") == ["milk"]

    async with await psycopg.AsyncConnection.connect(standby.admin_url, autocommit=True) as admin:
        await admin.execute("SELECT pg_wal_replay_pause()")
        try:
            word = f"халва{secrets.token_hex(2)}"
            job_id = await shop.load([{"sku": "halva", "name": f"Халва соняшникова {word} 200 г"}])
            # The job's status reads the primary: complete, though the standby has not replayed it.
            job = await shop.repo.get_job(shop.tenant.id, job_id)
            assert job is not None and job.status == "complete"
            # The process that wrote reads its own write: the standby is behind, the primary answers.
            on_primary = read_database.served["primary"]
            assert "halva" in await shop.skus(read_database, "халва")
            assert read_database.served["primary"] > on_primary
            # A process that did not write reads the lagging standby: the new product is not there yet.
            elsewhere = ReadDatabase(database, [standby.url()], pool_size=1)
            await elsewhere.open()
            try:
                assert "halva" not in await shop.skus(elsewhere, "халва")
                assert elsewhere.served["primary"] == 0
                assert elsewhere.served["replica"] >= 1
            finally:
                await elsewhere.close()
        finally:
            await admin.execute("SELECT pg_wal_replay_resume()")

    await read_database.wait_replayed()
    on_replica, on_primary = read_database.served["replica"], read_database.served["primary"]
    assert "halva" in await shop.skus(read_database, "халва")
    # Caught up: back on the standby (a search may read more than once, none of it on the primary).
    assert read_database.served["replica"] > on_replica
    assert read_database.served["primary"] == on_primary


async def test_a_standby_that_does_not_answer_hands_reads_to_the_primary(
    database: Database, make_tenant: Any, tmp_path: Any
) -> None:
    url = f"postgresql://vizochok_app@/vizochok?host={tmp_path}&port=1"
    reads = ReadDatabase(database, [url], pool_size=1, open_timeout=0.5)
    reads.replicas[0].pool.timeout = 0.5
    await reads.open()  # warns, does not fail
    try:
        shop = Shop(database, reads, await make_tenant())
        await shop.load([{"sku": "bread", "name": "Хліб житній"}])
        assert await shop.skus(reads, "хліб") == ["bread"]
        assert reads.served["replica"] == 0 and reads.served["primary"] >= 1
    finally:
        await reads.close()
