"""Catalog upload: validate, upsert by SKU, embed changed products in the background, resume after restarts."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from vizochok.core.cleaning import BODY_LIMITS, InputRefused, clean_value
from vizochok.core.catalog import embedding_text
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.ids import new_id
from vizochok.core.models import CatalogJob, ProductInput

if TYPE_CHECKING:
    from collections.abc import Callable

    from vizochok.core.ports import CatalogRepository, Embedder, SearchMirror

_log = logging.getLogger(__name__)

MAX_BATCH = 5000
"""Products per `PUT /api/v1/catalog/products`; larger batches are answered with 413."""


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
            errors.append(f"products[{index}] (sku {sku!r}): {exc}".encode("utf-8", "backslashreplace").decode())
            continue
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'product'}: {e['msg']}" for e in exc.errors())
            errors.append(f"products[{index}] (sku {sku!r}): {problems}")
            continue
        # The last occurrence of a SKU in one batch wins, as consecutive uploads would.
        valid[product.sku] = product
    return list(valid.values()), errors


class CatalogService:
    """Accepts uploads and runs their embedding jobs."""

    def __init__(
        self, repo: CatalogRepository, embedder: Embedder, batch_size: int = 64, mirror: SearchMirror | None = None
    ) -> None:
        self._repo = repo
        self._embedder = embedder
        self._batch_size = batch_size
        self._mirror = mirror
        self._tasks: dict[str, asyncio.Task[None]] = {}

    async def upsert(self, tenant_id: str, raw: list[Any]) -> tuple[CatalogJob, int]:
        """Store the products now and queue their embedding; returns the job and the count to embed."""
        if len(raw) > MAX_BATCH:
            raise VizochokError(
                ErrorCode.PAYLOAD_TOO_LARGE, f"at most {MAX_BATCH} products per request", max_products=MAX_BATCH
            )
        products, errors = validate_products(raw)
        job, to_embed = await self._repo.upsert(tenant_id, new_id("job"), products, errors)
        if self._mirror is not None and products:
            # Field changes and soft deletes reach the mirror now; new vectors follow from the job.
            try:
                await self._mirror.update_products(tenant_id, products)
            except Exception as exc:  # PostgreSQL has the upload; the mirror can be rebuilt from it
                _log.exception("search mirror update failed for %s", tenant_id)
                job.errors.append(f"search index not updated ({exc}); run `vizochok search rebuild --tenant {tenant_id}`")
                await self._repo.update_job(job)
        if to_embed:
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
        """Re-index products of an older analyzer, restart every pending or embedding job; returns how many jobs."""
        for tenant_id in await self._repo.stale_search_tenants():
            _log.info("re-indexed %d products of %s for search", await self._repo.reindex(tenant_id), tenant_id)
        jobs = await self._repo.unfinished_jobs()
        for tenant_id, job_id in jobs:
            self.schedule(tenant_id, job_id)
        return len(jobs)

    async def wait(self, job_id: str) -> None:
        """Wait until a job running in this process finishes."""
        task = self._tasks.get(job_id)
        if task is not None:
            await asyncio.shield(task)

    async def run_job(self, tenant_id: str, job_id: str) -> None:
        """Embed the job's products batch by batch, recording progress after each batch."""
        job = await self._repo.get_job(tenant_id, job_id)
        if job is None or job.status in ("complete", "failed"):
            return
        job.status = "embedding"
        job.started_at = job.started_at or datetime.now(UTC)
        await self._repo.update_job(job)
        try:
            while batch := await self._repo.pending_embeddings(tenant_id, job_id, self._batch_size):
                vectors = await self._embedder.embed_passages([embedding_text(p) for p, _ in batch])
                stored = await self._repo.store_embeddings(
                    tenant_id, [(p.sku, c_hash, v) for (p, c_hash), v in zip(batch, vectors, strict=True)]
                )
                if self._mirror is not None:  # e.g. Elasticsearch: PostgreSQL stays the source of truth
                    await self._mirror.index_products(tenant_id, [(p, v) for (p, _), v in zip(batch, vectors, strict=True)])
                job.embedded += stored
                await self._repo.update_job(job)
        except asyncio.CancelledError:
            raise  # shutdown: the job stays `embedding` and resumes on the next start
        except Exception as exc:
            _log.exception("catalog job %s failed", job_id)
            job.status = "failed"
            job.errors.append(f"embedding failed: {exc}")
        else:
            job.status = "complete"
        job.completed_at = datetime.now(UTC)
        await self._repo.update_job(job)

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
        """Stop running jobs; they resume on the next start."""
        for task in list(self._tasks.values()):
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
