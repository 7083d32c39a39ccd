"""Catalog API (vizochok-docs §7, DECISIONS §3)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Controller, Request, get, put
from litestar.params import Parameter
from litestar.status_codes import HTTP_202_ACCEPTED

from vizochok.adapters.http.auth import authorize
from vizochok.adapters.http.schemas import KEY_AUTH, KEY_ERRORS, ProductUpload, UploadAccepted, errors
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.models import CatalogJob

if TYPE_CHECKING:
    from vizochok.core.catalog.service import CatalogService
    from vizochok.core.ports import CatalogRepository, KeyRepository


class CatalogController(Controller):
    """Upload products and follow their embedding jobs; needs an `sk_` key with `catalog`."""

    path = "/api/v1/catalog"
    tags = ["catalog"]  # noqa: RUF012 - Litestar reads it as a class attribute
    security = KEY_AUTH

    @put("/products", status_code=HTTP_202_ACCEPTED, responses=errors(*KEY_ERRORS, 413))
    async def upsert_products(
        self,
        request: Request[Any, Any, Any],
        data: ProductUpload,
        keys: KeyRepository,
        catalog: CatalogService,
    ) -> UploadAccepted:
        """Upsert by SKU; embedding runs in the background."""
        principal = await authorize(request, keys, "catalog")
        job, to_embed = await catalog.upsert(principal.tenant_id, data.products)
        return UploadAccepted(
            job_id=job.job_id, total=job.total, to_embed=to_embed, unchanged=job.unchanged, status="accepted"
        )

    @get("/jobs", responses=errors(*KEY_ERRORS))
    async def list_jobs(
        self,
        request: Request[Any, Any, Any],
        keys: KeyRepository,
        catalog_repository: CatalogRepository,
        limit: int = Parameter(default=20, ge=1, le=100),
    ) -> list[CatalogJob]:
        """Recent jobs, newest first."""
        principal = await authorize(request, keys, "catalog")
        return await catalog_repository.list_jobs(principal.tenant_id, limit)

    @get("/jobs/{job_id:str}", responses=errors(400, 401, 403, 404))
    async def get_job(
        self,
        request: Request[Any, Any, Any],
        job_id: str,
        keys: KeyRepository,
        catalog_repository: CatalogRepository,
    ) -> CatalogJob:
        """One job of this tenant."""
        principal = await authorize(request, keys, "catalog")
        job = await catalog_repository.get_job(principal.tenant_id, job_id)
        if job is None:
            raise VizochokError(ErrorCode.NOT_FOUND, f"no job {job_id!r}")
        return job
