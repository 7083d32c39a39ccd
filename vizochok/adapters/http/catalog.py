"""Catalog API (vizochok-docs §7, DECISIONS §3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Controller, Request, get, put
from litestar.params import Parameter
from litestar.status_codes import HTTP_202_ACCEPTED

from vizochok.adapters.http.auth import authorize
from vizochok.core.errors import ErrorCode, VizochokError

if TYPE_CHECKING:
    from vizochok.core.models import CatalogJob
    from vizochok.core.ports import CatalogRepository, KeyRepository
    from vizochok.core.services.catalog import CatalogService


def job_view(job: CatalogJob) -> dict[str, Any]:
    """A job as documented."""
    return job.model_dump(mode="json")


class CatalogController(Controller):
    """Upload products and follow their embedding jobs; needs an `sk_` key with `catalog`."""

    path = "/api/v1/catalog"
    tags = ["catalog"]  # noqa: RUF012 - Litestar reads it as a class attribute

    @put("/products", status_code=HTTP_202_ACCEPTED)
    async def upsert_products(
        self, request: Request[Any, Any, Any], data: dict[str, Any], keys: KeyRepository, catalog: CatalogService
    ) -> dict[str, Any]:
        """Upsert by SKU; embedding runs in the background."""
        principal = await authorize(request, keys, "catalog")
        products = data.get("products")
        if not isinstance(products, list):
            raise VizochokError(ErrorCode.VALIDATION_ERROR, 'body must be {"products": [ProductInput, ...]}')
        job, to_embed = await catalog.upsert(principal.tenant_id, products)
        return {
            "job_id": job.job_id,
            "total": job.total,
            "to_embed": to_embed,
            "unchanged": job.unchanged,
            "status": "accepted",
        }

    @get("/jobs")
    async def list_jobs(
        self,
        request: Request[Any, Any, Any],
        keys: KeyRepository,
        catalog_repository: CatalogRepository,
        limit: int = Parameter(default=20, ge=1, le=100),
    ) -> list[dict[str, Any]]:
        """Recent jobs, newest first."""
        principal = await authorize(request, keys, "catalog")
        return [job_view(j) for j in await catalog_repository.list_jobs(principal.tenant_id, limit)]

    @get("/jobs/{job_id:str}")
    async def get_job(
        self, request: Request[Any, Any, Any], job_id: str, keys: KeyRepository, catalog_repository: CatalogRepository
    ) -> dict[str, Any]:
        """One job of this tenant."""
        principal = await authorize(request, keys, "catalog")
        job = await catalog_repository.get_job(principal.tenant_id, job_id)
        if job is None:
            raise VizochokError(ErrorCode.NOT_FOUND, f"no job {job_id!r}")
        return job_view(job)
