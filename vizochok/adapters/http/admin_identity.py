"""Admin identity API (docs/identity.md): the tenant's shopper identity secret, shown once, and its rotation."""

from __future__ import annotations

from litestar import Controller, get, post

from vizochok.adapters.http.auth import ADMIN
from vizochok.adapters.http.schemas import (
    ADMIN_AUTH,
    ADMIN_ERRORS,
    IdentityRotateInput,
    IdentitySecret,
    IdentityStatus,
    errors,
)
from vizochok.core.admin.model import AdminIdentity
from vizochok.core.admin.service import AdminService


class AdminIdentityController(Controller):
    """`GET /api/v1/admin/identity` and `POST /api/v1/admin/identity/secret`."""

    path = "/api/v1/admin/identity"
    tags = ["admin"]  # noqa: RUF012 - Litestar reads it as a class attribute
    dependencies = ADMIN
    signature_namespace = {"AdminService": AdminService, "AdminIdentity": AdminIdentity}  # noqa: RUF012

    @get("/", security=ADMIN_AUTH, responses=errors(401, 403))
    async def status(self, admin: AdminService, identity: AdminIdentity) -> IdentityStatus:
        """`{configured, required, secrets_valid}`: never the secret."""
        return IdentityStatus.model_validate(await admin.identity_status(identity))

    @post("/secret", status_code=201, security=ADMIN_AUTH, responses=errors(*ADMIN_ERRORS))
    async def rotate(
        self, admin: AdminService, identity: AdminIdentity, data: IdentityRotateInput | None = None
    ) -> IdentitySecret:
        """Generate (or rotate) the identity secret; the answer is the only time it is shown (owners)."""
        body = data or IdentityRotateInput()
        secret = await admin.rotate_identity_secret(identity, body.overlap_seconds)
        return IdentitySecret(identity_secret=secret, overlap_seconds=body.overlap_seconds)
