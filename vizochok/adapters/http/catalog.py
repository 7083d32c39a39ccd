"""Catalog API (vizochok-docs §7, DECISIONS §3)."""

from __future__ import annotations

from litestar import Controller, get, put
from litestar.params import Parameter
from litestar.status_codes import HTTP_202_ACCEPTED

from vizochok.adapters.http.auth import key_with
from vizochok.adapters.http.schemas import KEY_AUTH, KEY_ERRORS, ProductUpload, UploadAccepted, errors
from vizochok.core.catalog.service import CatalogService
from vizochok.core.models import CatalogJob, Principal


class CatalogController(Controller):
    """Upload products and follow their embedding jobs; needs an `sk_` key with `catalog`."""

    path = "/api/v1/catalog"
    tags = ["catalog"]  # noqa: RUF012 - Litestar reads it as a class attribute
    security = KEY_AUTH
    dependencies = {"principal": key_with("catalog")}  # noqa: RUF012 - Litestar reads it as a class attribute
    signature_namespace = {"CatalogService": CatalogService, "Principal": Principal}  # noqa: RUF012

    @put("/products", status_code=HTTP_202_ACCEPTED, responses=errors(*KEY_ERRORS, 413))
    async def upsert_products(
        self, data: ProductUpload, principal: Principal, catalog: CatalogService
    ) -> UploadAccepted:
        """Upsert by SKU; embedding runs in the background."""
        job, to_embed = await catalog.upsert(principal.tenant_id, data.products)
        return UploadAccepted(
            job_id=job.job_id, total=job.total, to_embed=to_embed, unchanged=job.unchanged, status="accepted"
        )

    @get("/jobs", responses=errors(*KEY_ERRORS))
    async def list_jobs(
        self, principal: Principal, catalog: CatalogService, limit: int = Parameter(default=20, ge=1, le=100)
    ) -> list[CatalogJob]:
        """Recent jobs, newest first."""
        return await catalog.jobs(principal.tenant_id, limit)

    @get("/jobs/{job_id:str}", responses=errors(400, 401, 403, 404))
    async def get_job(self, job_id: str, principal: Principal, catalog: CatalogService) -> CatalogJob:
        """One job of this tenant."""
        return await catalog.job(principal.tenant_id, job_id)
