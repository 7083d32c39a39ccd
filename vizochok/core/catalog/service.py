"""Catalog upload: validate, upsert by SKU, embed changed products in the background, resume after restarts."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from vizochok.core.catalog.indexing import embedding_text
from vizochok.core.cleaning import BODY_LIMITS, InputRefused, clean_value
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.ids import new_id
from vizochok.core.models import CatalogJob, ProductInput

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from vizochok.core.ports import CatalogRepository, Embedder, SearchMirror

_log = logging.getLogger(__name__)

MAX_BATCH = 5000
"""Products per `PUT /api/v1/catalog/products`; larger batches are answered with 413."""

RETRY_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
"""Seconds before each retry of a failed job: about two minutes in all, then the job is `failed`."""
_MAX_STATUS_RETRY_SECONDS = 30.0
FAILED_RETRY_SECONDS = 600.0
"""How often a running server takes up `failed` jobs whose products still wait for vectors."""


def _reason(exc: BaseException) -> str:
    """A failure in words an operator can act on: which side failed, and its message."""
    module = type(exc).__module__ or ""
    side = "database unavailable" if module.startswith(("psycopg", "sqlalchemy")) else "embedder failed"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{side}: {text}"


def validate_products(raw: list[Any]) -> tuple[list[ProductInput], list[str]]:
    """Valid products, and one readable error per invalid one (the rest of the batch still lands)."""
    valid: dict[str, ProductInput] = {}
    errors: list[str] = []
    for index, item in enumerate(raw):
        sku = item.get("sku") if isinstance(item, dict) else None
        try:
            # Files imported by the CLI do not pass the HTTP boundary: a NUL or a lone surrogate in
            # one product refuses that product, not the batch (and never reaches PostgreSQL).
            product = ProductInput.model_validate(clean_value(item, BODY_LIMITS))
        except InputRefused as exc:
            errors.append(
                f"products[{index}] (sku {sku!r}): {exc}".encode("utf-8", "backslashreplace").decode()
            )
            continue
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'product'}: {e['msg']}" for e in exc.errors()
            )
            errors.append(f"products[{index}] (sku {sku!r}): {problems}")
            continue
        # The last occurrence of a SKU in one batch wins, as consecutive uploads would.
        valid[product.sku] = product
    return list(valid.values()), errors


class CatalogService:
    """Accepts uploads and runs their embedding jobs."""

    def __init__(
        self,
        repo: CatalogRepository,
        embedder: Embedder,
        batch_size: int = 64,
        mirror: SearchMirror | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        on_change: Callable[[str], object] | None = None,
    ) -> None:
        self._repo = repo
        # Told the tenant whose catalog just changed (the search service drops its cached profile:
        # vocabulary, categories, language), so a search right after an upload sees the new words.
        self._on_change = on_change
        self._embedder = embedder
        self._batch_size = batch_size
        self._mirror = mirror
        self._retry_delays = tuple(retry_delays)
        self._watcher: asyncio.Task[None] | None = None
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def upsert(
        self, tenant_id: str, raw: list[Any], *, run_here: bool = True
    ) -> tuple[CatalogJob, int]:
        """Store the products now and queue their embedding; returns the job and the count to embed.

        With `run_here` false the job stays `pending` for a server process to take up (its watcher
        looks every 30 s): a command that uploads and exits hands the embedding over this way.
        """
        if len(raw) > MAX_BATCH:
            raise VizochokError(
                ErrorCode.PAYLOAD_TOO_LARGE,
                f"at most {MAX_BATCH} products per request",
                max_products=MAX_BATCH,
            )
        products, errors = validate_products(raw)
        job, to_embed = await self._repo.upsert(tenant_id, new_id("job"), products, errors)
        if products and self._on_change is not None:
            self._on_change(tenant_id)
        if self._mirror is not None and products:
            # Field changes and soft deletes reach the mirror now; new vectors follow from the job.
            try:
                await self._mirror.update_products(tenant_id, products)
            except Exception as exc:  # PostgreSQL has the upload; the mirror can be rebuilt from it
                _log.exception("search mirror update failed for %s", tenant_id)
                job.errors.append(
                    f"search index not updated ({exc}); run `vizochok search rebuild --tenant {tenant_id}`"
                )
                await self._repo.update_job(job)
        if to_embed and run_here:
            self.schedule(tenant_id, job.job_id)
        return job, to_embed

    def schedule(self, tenant_id: str, job_id: str) -> None:
        """Run a job in the background unless it already runs in this process."""
        if job_id in self._tasks:
            return
        task = asyncio.create_task(self.run_job(tenant_id, job_id), name=f"catalog-job-{job_id}")
        self._tasks[job_id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job_id, None))

    async def resume(self) -> int:
        """Re-index products of an older analyzer, take up every unfinished job; returns how many jobs.

        At start, jobs that ended `failed` with products still waiting are taken up too: the
        database or the embedder that failed them may be back.
        """
        for tenant_id in await self._repo.stale_search_tenants():
            _log.info(
                "re-indexed %d products of %s for search", await self._repo.reindex(tenant_id), tenant_id
            )
        jobs = await self._repo.unfinished_jobs(include_failed=True)
        for tenant_id, job_id in jobs:
            self.schedule(tenant_id, job_id)
        return len(jobs)

    async def watch(
        self, interval_seconds: float = 30.0, failed_every_seconds: float = FAILED_RETRY_SECONDS
    ) -> None:
        """While the server runs: take up jobs whose process died (their lease ran out) or that nobody ran.

        Every `failed_every_seconds` it also takes up `failed` jobs whose products still wait
        (the database or embedder that failed them may be back). Runs until cancelled; a
        database that does not answer is simply asked again next time.
        """
        loop = asyncio.get_running_loop()
        failed_due = loop.time() + failed_every_seconds
        while True:
            await asyncio.sleep(interval_seconds)
            include_failed = loop.time() >= failed_due
            try:
                for tenant_id, job_id in await self._repo.unfinished_jobs(include_failed=include_failed):
                    self.schedule(tenant_id, job_id)
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - PostgreSQL away: the next round asks again
                _log.warning("could not look for catalog jobs to take up", exc_info=True)
            else:
                if include_failed:
                    failed_due = loop.time() + failed_every_seconds

    def start_watching(
        self, interval_seconds: float = 30.0, failed_every_seconds: float = FAILED_RETRY_SECONDS
    ) -> None:
        """Run `watch` in the background until `close`."""
        if self._watcher is None:
            self._watcher = asyncio.create_task(
                self.watch(interval_seconds, failed_every_seconds), name="catalog-job-watcher"
            )

    async def wait(self, job_id: str) -> None:
        """Wait until a job running in this process finishes."""
        task = self._tasks.get(job_id)
        if task is not None:
            await asyncio.shield(task)

    async def run_job(self, tenant_id: str, job_id: str) -> None:
        """Embed the job's products batch by batch, retrying failures with backoff; always ends with a status.

        A failure of the embedder or of PostgreSQL (a crash, a restart, a dropped connection) is
        retried after `retry_delays`; progress already stored is kept. When every retry failed the
        job ends `failed` with the reason, and that final status is written however long
        PostgreSQL takes to come back. Products still waiting are taken up again at the next start.
        """
        try:
            job = await self._repo.claim_job(tenant_id, job_id)
        except Exception:  # noqa: BLE001 - the watcher (or the next start) tries again
            _log.warning("catalog job %s: not claimed; it will be taken up later", job_id, exc_info=True)
            return
        if job is None:  # finished, or running in another process
            return
        failures = 0
        while True:
            try:
                await self._embed_pending(job)
            except asyncio.CancelledError:
                await self._release(job)
                raise  # shutdown: the job resumes at the next start, or in another process now
            except Exception as exc:
                failures += 1
                reason = _reason(exc)
                if failures > len(self._retry_delays):
                    _log.exception("catalog job %s failed after %d attempts", job_id, failures)
                    job.status = "failed"
                    job.errors.append(f"embedding failed after {failures} attempts: {reason}")
                    break
                delay = self._retry_delays[failures - 1]
                _log.warning(
                    "catalog job %s: attempt %d failed (%s); retrying in %.0f s",
                    job_id,
                    failures,
                    reason,
                    delay,
                )
                await asyncio.sleep(delay)
            else:
                job.status = "complete"
                break
        job.completed_at = datetime.now(UTC)
        await self._write_final(job)

    async def _embed_pending(self, job: CatalogJob) -> None:
        """Embed and store every product still waiting for this job, writing progress after each batch."""
        job.status = "embedding"
        await self._repo.update_job(job)
        while batch := await self._repo.pending_embeddings(job.tenant_id, job.job_id, self._batch_size):
            vectors = await self._embedder.embed_passages([embedding_text(p) for p, _ in batch])
            stored = await self._repo.store_embeddings(
                job.tenant_id, [(p.sku, c_hash, v) for (p, c_hash), v in zip(batch, vectors, strict=True)]
            )
            if self._mirror is not None:  # e.g. Elasticsearch: PostgreSQL stays the source of truth
                await self._mirror.index_products(
                    job.tenant_id, [(p, v) for (p, _), v in zip(batch, vectors, strict=True)]
                )
            job.embedded += stored
            await self._repo.update_job(job)

    async def _write_final(self, job: CatalogJob) -> None:
        """Write a finished job's status, retrying until PostgreSQL takes it (or the process stops)."""
        delay = self._retry_delays[0] if self._retry_delays else 1.0
        while True:
            try:
                await self._repo.update_job(job)
            except asyncio.CancelledError:
                raise  # its lease runs out: another process or the next start finishes it
            except Exception as exc:  # noqa: BLE001 - PostgreSQL away: keep the status until it is back
                _log.warning(
                    "catalog job %s: could not write status %s (%s); retrying", job.job_id, job.status, exc
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, _MAX_STATUS_RETRY_SECONDS)
            else:
                return

    async def _release(self, job: CatalogJob) -> None:
        try:
            async with asyncio.timeout(2):
                await self._repo.release_job(job.tenant_id, job.job_id)
        except Exception:  # noqa: BLE001 - its lease runs out instead
            _log.info("catalog job %s: lease not released; it runs out instead", job.job_id)

    async def rebuild_mirror(
        self, tenant_id: str, page_size: int = 1000, progress: Callable[[int], None] | None = None
    ) -> int:
        """Copy a tenant's whole catalog from PostgreSQL into a fresh mirror index; returns products copied.

        Searches keep using the old index until the copy is complete and swapped in.
        """
        if self._mirror is None:
            raise VizochokError(ErrorCode.VALIDATION_ERROR, "the search backend keeps no copy to rebuild")
        writer = await self._mirror.rebuild(tenant_id)
        copied, after = 0, ""
        try:
            while page := await self._repo.export_page(tenant_id, after, page_size):
                await writer.add(page)
                copied += len(page)
                after = page[-1][0].sku
                if progress is not None:
                    progress(copied)
        except BaseException:
            await writer.abort()
            raise
        await writer.commit()
        return copied

    async def close(self) -> None:
        """Stop running jobs; their leases are given up, so the next start resumes them."""
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.gather(self._watcher, return_exceptions=True)
            self._watcher = None
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
