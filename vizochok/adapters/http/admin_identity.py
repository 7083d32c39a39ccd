"""Admin identity API (docs/identity.md): the tenant's shopper identity secret, shown once, and its rotation."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vizochok.adapters.http.admin import admin_identity
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.ports import KeyRepository
from vizochok.core.services.admin import MAX_ROTATION_OVERLAP, AdminService


class _RotateBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    overlap_seconds: int = Field(default=3600, ge=0, le=MAX_ROTATION_OVERLAP)
    """How long the previous secret keeps verifying, so that pages signed with it keep working."""


class AdminIdentityController(Controller):
    """`GET /api/v1/admin/identity` and `POST /api/v1/admin/identity/secret`."""

    path = "/api/v1/admin/identity"
    tags = ["admin"]  # noqa: RUF012 - Litestar reads it as a class attribute
    signature_namespace = {"KeyRepository": KeyRepository, "AdminService": AdminService}  # noqa: RUF012

    @get("/")
    async def status(
        self, request: Request[Any, Any, Any], keys: KeyRepository, admin: AdminService
    ) -> dict[str, Any]:
        """`{configured, required, secrets_valid}`: never the secret."""
        return await admin.identity_status(await admin_identity(request, admin, keys))

    @post("/secret", status_code=201)
    async def rotate(
        self,
        request: Request[Any, Any, Any],
        keys: KeyRepository,
        admin: AdminService,
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Generate (or rotate) the identity secret; the answer is the only time it is shown (owners)."""
        try:
            body = _RotateBody.model_validate(data or {})
        except ValidationError as exc:
            detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
            raise VizochokError(ErrorCode.VALIDATION_ERROR, detail) from None
        identity = await admin_identity(request, admin, keys)
        secret = await admin.rotate_identity_secret(identity, body.overlap_seconds)
        return {"identity_secret": secret, "overlap_seconds": body.overlap_seconds}
