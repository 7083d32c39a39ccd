"""Admin identity API (docs/identity.md): the tenant's shopper identity secret, shown once, and its rotation."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post

from vizochok.adapters.http.admin import admin_identity
from vizochok.adapters.http.schemas import (
    ADMIN_AUTH,
    ADMIN_ERRORS,
    IdentityRotateInput,
    IdentitySecret,
    IdentityStatus,
    errors,
)
from vizochok.core.admin.service import AdminService
from vizochok.core.ports import KeyRepository


class AdminIdentityController(Controller):
    """`GET /api/v1/admin/identity` and `POST /api/v1/admin/identity/secret`."""

    path = "/api/v1/admin/identity"
    tags = ["admin"]  # noqa: RUF012 - Litestar reads it as a class attribute
    signature_namespace = {"KeyRepository": KeyRepository, "AdminService": AdminService}  # noqa: RUF012

    @get("/", security=ADMIN_AUTH, responses=errors(401, 403))
    async def status(
        self, request: Request[Any, Any, Any], keys: KeyRepository, admin: AdminService
    ) -> IdentityStatus:
        """`{configured, required, secrets_valid}`: never the secret."""
        return IdentityStatus.model_validate(
            await admin.identity_status(await admin_identity(request, admin, keys))
        )

    @post("/secret", status_code=201, security=ADMIN_AUTH, responses=errors(*ADMIN_ERRORS))
    async def rotate(
        self,
        request: Request[Any, Any, Any],
        keys: KeyRepository,
        admin: AdminService,
        data: IdentityRotateInput | None = None,
    ) -> IdentitySecret:
        """Generate (or rotate) the identity secret; the answer is the only time it is shown (owners)."""
        body = data or IdentityRotateInput()
        identity = await admin_identity(request, admin, keys)
        secret = await admin.rotate_identity_secret(identity, body.overlap_seconds)
        return IdentitySecret(identity_secret=secret, overlap_seconds=body.overlap_seconds)
