"""Catalog jobs that never lie: retried with backoff, always ending with a written status, never orphaned."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import psycopg

from tests.helpers import ChatClient
from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.core.catalog.service import CatalogService

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tests.helpers import ThreadedServer
    from vizochok.adapters.db import Database
    from vizochok.core.models import CatalogJob

FAST = (0.01, 0.01, 0.01)
PRODUCTS = [
    {"sku": "m1", "name": "Молоко 2,5%", "brand": "Галичина"},
    {"sku": "b1", "name": "Хліб житній"},
    {"sku": "k1", "name": "Кефір 1%"},
]


class FlakyEmbedder(HashingEmbedder):
    """Fails its first `failures` calls, as a provider that restarts or drops connections does."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.calls = 0

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("embedder connection reset")
        return await super().embed_passages(texts)


class DatabaseDownAtTheEnd:
    """The real repository, but PostgreSQL "is down" for the first `failures` writes of a final status."""

    def __init__(self, inner: PostgresCatalogRepository, failures: int) -> None:
        self._inner = inner
        self.failures = failures

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def update_job(self, job: CatalogJob) -> None:
        if job.status in ("complete", "failed") and self.failures > 0:
            self.failures -= 1
            raise psycopg.OperationalError("connection to server failed: Connection refused")
        await self._inner.update_job(job)


async def test_a_job_whose_embedder_failed_twice_completes(database: Database, make_tenant: Any) -> None:
    tenant = (await make_tenant())["tenant_id"]
    repo = PostgresCatalogRepository(database)
    embedder = FlakyEmbedder(failures=2)
    service = CatalogService(repo, embedder, batch_size=2, retry_delays=FAST)
    job, _ = await service.upsert(tenant, PRODUCTS)
    await service.wait(job.job_id)
    done = await repo.get_job(tenant, job.job_id)
    assert done is not None
    assert (done.status, done.embedded, done.errors) == ("complete", 3, [])
    assert embedder.calls == 4  # two failures, then both batches


async def test_a_job_that_kept_failing_says_why_and_is_taken_up_at_the_next_start(
    database: Database, make_tenant: Any
) -> None:
    tenant = (await make_tenant())["tenant_id"]
    repo = PostgresCatalogRepository(database)
    service = CatalogService(repo, FlakyEmbedder(failures=100), retry_delays=FAST)
    job, _ = await service.upsert(tenant, PRODUCTS)
    await service.wait(job.job_id)
    failed = await repo.get_job(tenant, job.job_id)
    assert failed is not None and failed.status == "failed"
    assert failed.errors == ["embedding failed after 4 attempts: embedder failed: embedder connection reset"]
    assert failed.completed_at is not None
    # Its products still wait: the job is offered at start, not by the running watcher.
    assert (tenant, job.job_id) in await repo.unfinished_jobs(include_failed=True)
    assert (tenant, job.job_id) not in await repo.unfinished_jobs(include_failed=False)

    restarted = CatalogService(repo, HashingEmbedder(), retry_delays=FAST)  # the embedder is back
    assert await restarted.resume() >= 1
    await restarted.wait(job.job_id)
    done = await repo.get_job(tenant, job.job_id)
    assert done is not None and (done.status, done.embedded) == ("complete", 3)
    assert (tenant, job.job_id) not in await repo.unfinished_jobs()


async def test_the_final_status_is_written_once_postgresql_is_back(
    database: Database, make_tenant: Any
) -> None:
    """The fault test's finding: a status that could not be written while PostgreSQL was down stayed `embedding`."""
    tenant = (await make_tenant())["tenant_id"]
    repo = DatabaseDownAtTheEnd(PostgresCatalogRepository(database), failures=3)
    service = CatalogService(repo, HashingEmbedder(), retry_delays=FAST)  # type: ignore[arg-type]
    job, _ = await service.upsert(tenant, PRODUCTS)
    await asyncio.wait_for(service.wait(job.job_id), 30)
    done = await repo.get_job(tenant, job.job_id)
    assert repo.failures == 0
    assert done is not None and (done.status, done.embedded) == ("complete", 3)


async def test_one_process_runs_a_job_and_an_orphan_is_taken_over(
    database: Database, make_tenant: Any
) -> None:
    tenant = (await make_tenant())["tenant_id"]
    repo = PostgresCatalogRepository(database)
    job, _ = await repo.upsert(tenant, "job_orphan_" + tenant[-6:], [])
    # Claimed by a process (a lease), so no other process may take it.
    async with database.tenant(tenant) as conn:
        await conn.execute("UPDATE catalog_jobs SET status = 'pending' WHERE id = %s", (job.job_id,))
    assert await repo.claim_job(tenant, job.job_id) is not None
    assert await repo.claim_job(tenant, job.job_id) is None
    assert (tenant, job.job_id) not in await repo.unfinished_jobs(include_failed=False)
    # That process died: its lease runs out and the watcher of any other process takes the job over.
    async with database.tenant(tenant) as conn:
        await conn.execute(
            "UPDATE catalog_jobs SET lease_until = now() - interval '1 second' WHERE id = %s", (job.job_id,)
        )
    assert (tenant, job.job_id) in await repo.unfinished_jobs(include_failed=False)
    service = CatalogService(repo, HashingEmbedder(), retry_delays=FAST)
    service.start_watching(0.05)
    for _ in range(100):
        current = await repo.get_job(tenant, job.job_id)
        if current is not None and current.status == "complete":
            break
        await asyncio.sleep(0.05)
    await service.close()
    assert current is not None and current.status == "complete"


async def test_the_shopper_is_told_the_catalog_failed_not_that_it_is_loading(
    demo_server: ThreadedServer, database: Database, make_tenant: Any
) -> None:
    keys = await make_tenant()
    async with database.tenant(keys["tenant_id"]) as conn:
        await conn.execute(
            """INSERT INTO catalog_jobs (id, tenant_id, status, total, errors)
               VALUES (%s, %s, 'failed', 3, '["embedding failed after 7 attempts: database unavailable"]')""",
            ("job_failed_" + keys["tenant_id"][-6:], keys["tenant_id"]),
        )
    client, _ = await ChatClient.connect(
        demo_server.ws_url, keys["pk"], store_id=keys["store_id"], user_id="u1"
    )
    frames = await client.say("молоко")
    await client.close()
    assert [f.get("code") for f in frames if f["type"] == "error"] == ["catalog_unavailable"]

    # A tenant that simply has nothing yet still hears "loading".
    other = await make_tenant()
    client, _ = await ChatClient.connect(
        demo_server.ws_url, other["pk"], store_id=other["store_id"], user_id="u1"
    )
    frames = await client.say("молоко")
    await client.close()
    assert [f.get("code") for f in frames if f["type"] == "error"] == ["no_catalog_data"]


async def test_a_running_server_takes_up_a_failed_job_again_later(
    database: Database, make_tenant: Any
) -> None:
    """Not only at the next start: the watcher offers failed jobs again every few minutes."""
    tenant = (await make_tenant())["tenant_id"]
    repo = PostgresCatalogRepository(database)
    embedder = FlakyEmbedder(failures=2)  # fails the first run (1 retry), then the provider is back
    service = CatalogService(repo, embedder, retry_delays=(0.01,))
    job, _ = await service.upsert(tenant, PRODUCTS)
    await service.wait(job.job_id)
    failed = await repo.get_job(tenant, job.job_id)
    assert failed is not None and failed.status == "failed"
    service.start_watching(0.05, failed_every_seconds=0.2)
    for _ in range(200):
        current = await repo.get_job(tenant, job.job_id)
        if current is not None and current.status == "complete":
            break
        await asyncio.sleep(0.05)
    await service.close()
    assert current is not None and (current.status, current.embedded) == ("complete", 3)
