"""The admin API (`/api/v1/admin/…`): a signed-in session with CSRF, or an `sk_` key with the `admin` scope."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.params import Parameter

from vizochok.adapters.http.auth import ADMIN, ADMIN_COOKIE
from vizochok.adapters.http.body import clean_query
from vizochok.adapters.http.schemas import (
    ADMIN_AUTH,
    ADMIN_ERRORS,
    ConversationSummary,
    LoginInput,
    LoginResult,
    NewKeyCreated,
    NewTenantInput,
    Ok,
    RotatedKey,
    RotateInput,
    SettingsInput,
    TenantCreated,
    TenantSettings,
    TenantSummary,
    Transcript,
    UsageReport,
    errors,
)
from vizochok.core.admin.model import (
    AdminIdentity,
    AdminUser,
    ApiKeyInfo,
    AuditEntry,
    NewAdminUser,
    NewApiKey,
)
from vizochok.core.admin.service import AdminService
from vizochok.core.catalog.service import CatalogService
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.models import CatalogJob
from vizochok.core.usage.billing import Statement, statement_csv


class AdminAuthController(Controller):
    """Sign in and out."""

    path = "/api/v1/admin"
    tags = ["admin"]  # noqa: RUF012
    dependencies = ADMIN

    @post("/login", status_code=200, responses=errors(400, 401, 415, 422, 429))
    async def login(
        self, request: Request[Any, Any, Any], data: LoginInput, admin: AdminService
    ) -> Response[LoginResult]:
        """Sets an HttpOnly, SameSite=Strict session cookie; the CSRF token in the body goes in X-CSRF-Token.

        JSON only: a cross-site form can post `text/plain` without a preflight (login CSRF, which
        would sign a victim's browser into the attacker's account), but not `application/json`.
        """
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            raise VizochokError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the credentials as application/json")
        address = request.client.host if request.client else "unknown"
        token, csrf, identity = await admin.login(data.email, data.password, address)
        cookie = Cookie(
            key=ADMIN_COOKIE,
            value=token,
            httponly=True,
            samesite="strict",
            path="/",
            secure=request.url.scheme == "https",
        )
        return Response(LoginResult(csrf_token=csrf, user=identity), cookies=[cookie])

    @post("/logout", status_code=200, security=ADMIN_AUTH, responses=errors(401, 403))
    async def logout(
        self, request: Request[Any, Any, Any], admin: AdminService, identity: AdminIdentity
    ) -> Response[Ok]:
        """Ends the session."""
        del identity  # asked for so that only a caller who is signed in (with the CSRF header) may sign out
        await admin.logout(request.cookies.get(ADMIN_COOKIE))
        return Response(Ok(ok=True), cookies=[Cookie(key=ADMIN_COOKIE, value="", max_age=0, path="/")])

    @get("/me", security=ADMIN_AUTH, responses=errors(401, 403))
    async def me(self, identity: AdminIdentity) -> AdminIdentity:
        """The caller."""
        return identity


class AdminController(Controller):
    """Settings, keys, users, conversations, usage and billing, audit."""

    path = "/api/v1/admin"
    tags = ["admin"]  # noqa: RUF012
    security = ADMIN_AUTH
    dependencies = ADMIN

    @get("/settings", responses=errors(401, 403, 404))
    async def get_settings(self, admin: AdminService, identity: AdminIdentity) -> TenantSettings:
        """LLM, tools, plugins, search, limits, origins and webhooks (never the secret)."""
        return TenantSettings.model_validate(await admin.settings_view(identity))

    @patch("/settings", responses=errors(*ADMIN_ERRORS, 404))
    async def patch_settings(
        self, data: SettingsInput, admin: AdminService, identity: AdminIdentity
    ) -> TenantSettings:
        """Change settings (editor; the plan: operator)."""
        return TenantSettings.model_validate(await admin.update_settings(identity, data.to_patch()))

    @get("/keys", responses=errors(401, 403))
    async def list_keys(self, admin: AdminService, identity: AdminIdentity) -> list[ApiKeyInfo]:
        """Every key, without the key."""
        return await admin.keys(identity)

    @post("/keys", status_code=201, responses=errors(*ADMIN_ERRORS))
    async def create_key(
        self, data: NewApiKey, admin: AdminService, identity: AdminIdentity
    ) -> NewKeyCreated:
        """A new key; `key` is in this answer only."""
        info, raw = await admin.create_key(identity, data)
        return NewKeyCreated(**info.model_dump(), key=raw)

    @delete("/keys/{key_id:str}", status_code=200, responses=errors(400, 401, 403, 404))
    async def revoke_key(self, key_id: str, admin: AdminService, identity: AdminIdentity) -> Ok:
        """Revoke now."""
        await admin.revoke_key(identity, key_id)
        return Ok(ok=True)

    @post("/keys/{key_id:str}/rotate", status_code=201, responses=errors(*ADMIN_ERRORS, 404))
    async def rotate_key(
        self,
        key_id: str,
        data: RotateInput,
        admin: AdminService,
        identity: AdminIdentity,
    ) -> RotatedKey:
        """A successor key (shown once); the old one works for `overlap_seconds` more."""
        info, raw = await admin.rotate_key(identity, key_id, data.overlap_seconds)
        return RotatedKey(**info.model_dump(), key=raw, replaces=key_id)

    @get("/users", responses=errors(401, 403))
    async def list_users(self, admin: AdminService, identity: AdminIdentity) -> list[AdminUser]:
        """The tenant's people (owner)."""
        return await admin.users(identity)

    @post("/users", status_code=201, responses=errors(*ADMIN_ERRORS))
    async def add_user(self, data: NewAdminUser, admin: AdminService, identity: AdminIdentity) -> AdminUser:
        """Add a colleague (owner)."""
        return await admin.add_user(identity, data)

    @post("/users/{user_id:str}/disable", status_code=200, responses=errors(400, 401, 403, 404))
    async def disable_user(self, user_id: str, admin: AdminService, identity: AdminIdentity) -> Ok:
        """Lock a colleague out (owner)."""
        await admin.set_user_disabled(identity, user_id, disabled=True)
        return Ok(ok=True)

    @get("/conversations", responses=errors(*ADMIN_ERRORS))
    async def conversations(
        self, admin: AdminService, identity: AdminIdentity,
        q: str | None = Parameter(default=None, max_length=200), limit: int = Parameter(default=50, ge=1, le=200),
    ) -> list[ConversationSummary]:  # fmt: skip
        """Recent conversations, optionally containing `q`."""
        rows = await admin.conversations(identity, None if q is None else clean_query(q, "q"), limit)
        return [ConversationSummary.model_validate(row) for row in rows]

    @get("/conversations/{conversation_id:str}", responses=errors(400, 401, 403, 404))
    async def transcript(
        self, conversation_id: str, admin: AdminService, identity: AdminIdentity
    ) -> Transcript:
        """Every message, tool call, result and frame, with cost and latency per turn."""
        return Transcript.model_validate(await admin.transcript(identity, conversation_id))

    @get(
        "/billing/statement",
        responses=errors(*ADMIN_ERRORS),
        response_description="The statement as JSON, or with `format=csv` as a `text/csv` attachment",
    )
    async def statement(
        self, admin: AdminService, identity: AdminIdentity, month: str = Parameter(pattern=r"^\d{4}-\d{2}$"),
        format: str = Parameter(default="json", pattern="^(json|csv)$"),  # noqa: A002 - the documented query name
    ) -> Response[Statement]:  # fmt: skip
        """The month's usage ledger and totals, as JSON or CSV."""
        statement = await admin.statement(identity, month)
        if format == "csv":
            return Response(  # the CSV form of the same statement
                statement_csv(statement), media_type="text/csv",  # type: ignore[arg-type]
                headers={"Content-Disposition": f'attachment; filename="vizochok-{statement.tenant_id}-{month}.csv"'},
            )  # fmt: skip
        return Response(statement)

    @get("/catalog/jobs", responses=errors(*ADMIN_ERRORS))
    async def catalog_jobs(
        self,
        catalog: CatalogService,
        identity: AdminIdentity,
        limit: int = Parameter(default=50, ge=1, le=200),
    ) -> list[CatalogJob]:
        """Recent catalog uploads and their embedding progress (viewer)."""
        return await catalog.jobs_for(identity, limit)

    @get("/usage", responses=errors(*ADMIN_ERRORS))
    async def usage(
        self, admin: AdminService, identity: AdminIdentity,
        days: int = Parameter(default=30, ge=1, le=366),
    ) -> UsageReport:  # fmt: skip
        """Tokens and cost per day and model, conversations, messages and cart additions per day."""
        return UsageReport.model_validate(await admin.recent_usage(identity, days))

    @get("/audit", responses=errors(*ADMIN_ERRORS))
    async def audit(
        self, admin: AdminService, identity: AdminIdentity,
        limit: int = Parameter(default=100, ge=1, le=500),
    ) -> list[AuditEntry]:  # fmt: skip
        """Who changed what, newest first."""
        return await admin.audit_entries(identity, limit)

    @post("/tenants", status_code=201, responses=errors(*ADMIN_ERRORS))
    async def create_tenant(
        self, data: NewTenantInput, admin: AdminService, identity: AdminIdentity
    ) -> TenantCreated:
        """A new tenant with its first keys, shown once (platform operators)."""
        return TenantCreated.model_validate(
            await admin.create_tenant(identity, data.name, data.store_id, data.plan)
        )

    @get("/tenants", responses=errors(401, 403))
    async def tenants(self, admin: AdminService, identity: AdminIdentity) -> list[TenantSummary]:
        """Every tenant (platform operators)."""
        rows = await admin.tenants(identity)
        return [TenantSummary.model_validate(row) for row in rows]


def panel_handler() -> Any:
    """`GET /admin`: the admin panel, one page that talks to the admin API."""
    from importlib import resources  # noqa: PLC0415

    from litestar import MediaType  # noqa: PLC0415

    html = resources.files("vizochok.web.static").joinpath("admin.html").read_text("utf-8")

    from vizochok.adapters.http.security import page_headers  # noqa: PLC0415

    headers = page_headers(html)  # its own inline script by hash; no framing (it holds a session cookie)

    @get(["/admin", "/admin/"], include_in_schema=False)
    async def panel() -> Response[str]:
        return Response(html, media_type=MediaType.HTML, headers=headers)

    return panel
