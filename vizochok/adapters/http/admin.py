"""The admin API (`/api/v1/admin/…`): a signed-in session with CSRF, or an `sk_` key with the `admin` scope."""

from __future__ import annotations

import hmac
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import psycopg
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.params import Parameter

from vizochok.adapters.http.body import refusal
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
    require,
)
from vizochok.core.admin.service import tenant_of
from vizochok.core.cleaning import BODY_LIMITS, InputRefused, clean_string
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.models import CatalogJob
from vizochok.core.usage.billing import Statement, statement_csv

if TYPE_CHECKING:
    from vizochok.core.admin.service import AdminService
    from vizochok.core.ports import CatalogRepository, KeyRepository

COOKIE = "vz_admin"
CSRF_HEADER = "x-csrf-token"
TENANT_HEADER = "x-vizochok-tenant"
_SAFE = {"GET", "HEAD", "OPTIONS"}


async def admin_identity(
    request: Request[Any, Any, Any], admin: AdminService, keys: KeyRepository
) -> AdminIdentity:
    """Who calls: the session cookie (with the CSRF header on changes) or an admin `sk_` key."""
    header = request.headers.get("authorization", "")
    if header.startswith("Bearer "):
        principal = await keys.authenticate(header.removeprefix("Bearer ").strip())
        if principal is None:
            raise VizochokError(ErrorCode.INVALID_API_KEY, "unknown or revoked key")
        if principal.kind != "sk" or "admin" not in principal.scopes:
            raise VizochokError(ErrorCode.FORBIDDEN, "the admin API needs an sk_ key with the admin scope")
        return admin.key_identity(principal)
    token = request.cookies.get(COOKIE)
    session = await admin.sessions.get(token) if token else None
    if session is None:
        raise VizochokError(ErrorCode.UNAUTHORIZED, "sign in, or send Authorization: Bearer <sk_ key>")
    identity, csrf = session
    if request.method not in _SAFE and not hmac.compare_digest(request.headers.get(CSRF_HEADER, ""), csrf):
        raise VizochokError(ErrorCode.FORBIDDEN, "missing or wrong X-CSRF-Token header")
    chosen = request.headers.get(TENANT_HEADER)
    if identity.role == "operator" and chosen:
        identity = identity.model_copy(update={"tenant_id": chosen})
    return identity


def _tenant_view(tenant: Any) -> dict[str, Any]:
    data = tenant.model_dump(mode="json")
    webhooks = data.pop("webhooks")
    data["webhooks"] = {k: v for k, v in webhooks.items() if k != "secret"}
    data["webhooks"]["has_secret"] = (
        bool(tenant.webhooks.secret) if hasattr(tenant.webhooks, "secret") else False
    )
    return data


class AdminAuthController(Controller):
    """Sign in and out."""

    path = "/api/v1/admin"
    tags = ["admin"]  # noqa: RUF012

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
            key=COOKIE,
            value=token,
            httponly=True,
            samesite="strict",
            path="/",
            secure=request.url.scheme == "https",
        )
        return Response(LoginResult(csrf_token=csrf, user=identity), cookies=[cookie])

    @post("/logout", status_code=200, security=ADMIN_AUTH, responses=errors(401, 403))
    async def logout(
        self, request: Request[Any, Any, Any], admin: AdminService, keys: KeyRepository
    ) -> Response[Ok]:
        """Ends the session."""
        await admin_identity(request, admin, keys)
        token = request.cookies.get(COOKIE)
        if token:
            await admin.sessions.delete(token)
        return Response(Ok(ok=True), cookies=[Cookie(key=COOKIE, value="", max_age=0, path="/")])

    @get("/me", security=ADMIN_AUTH, responses=errors(401, 403))
    async def me(
        self, request: Request[Any, Any, Any], admin: AdminService, keys: KeyRepository
    ) -> AdminIdentity:
        """The caller."""
        return await admin_identity(request, admin, keys)


class AdminController(Controller):
    """Settings, keys, users, conversations, usage and billing, audit."""

    path = "/api/v1/admin"
    tags = ["admin"]  # noqa: RUF012
    security = ADMIN_AUTH

    @get("/settings", responses=errors(401, 403, 404))
    async def get_settings(
        self, request: Request[Any, Any, Any], admin: AdminService, keys: KeyRepository
    ) -> TenantSettings:
        """LLM, tools, plugins, search, limits, origins and webhooks (never the secret)."""
        identity = await admin_identity(request, admin, keys)
        tenant = await admin.settings(identity)
        return TenantSettings.model_validate({**_tenant_view(tenant), "plan": await admin.plan(identity)})

    @patch("/settings", responses=errors(*ADMIN_ERRORS, 404))
    async def patch_settings(
        self, request: Request[Any, Any, Any], data: SettingsInput, admin: AdminService, keys: KeyRepository
    ) -> TenantSettings:
        """Change settings (editor; the plan: operator)."""
        identity = await admin_identity(request, admin, keys)
        tenant = await admin.update_settings(identity, data.to_patch())
        return TenantSettings.model_validate({**_tenant_view(tenant), "plan": await admin.plan(identity)})

    @get("/keys", responses=errors(401, 403))
    async def list_keys(
        self, request: Request[Any, Any, Any], admin: AdminService, keys: KeyRepository
    ) -> list[ApiKeyInfo]:
        """Every key, without the key."""
        identity = await admin_identity(request, admin, keys)
        return await admin.keys(identity)

    @post("/keys", status_code=201, responses=errors(*ADMIN_ERRORS))
    async def create_key(
        self, request: Request[Any, Any, Any], data: NewApiKey, admin: AdminService, keys: KeyRepository
    ) -> NewKeyCreated:
        """A new key; `key` is in this answer only."""
        identity = await admin_identity(request, admin, keys)
        info, raw = await admin.create_key(identity, data)
        return NewKeyCreated(**info.model_dump(), key=raw)

    @delete("/keys/{key_id:str}", status_code=200, responses=errors(400, 401, 403, 404))
    async def revoke_key(
        self, request: Request[Any, Any, Any], key_id: str, admin: AdminService, keys: KeyRepository
    ) -> Ok:
        """Revoke now."""
        await admin.revoke_key(await admin_identity(request, admin, keys), key_id)
        return Ok(ok=True)

    @post("/keys/{key_id:str}/rotate", status_code=201, responses=errors(*ADMIN_ERRORS, 404))
    async def rotate_key(
        self,
        request: Request[Any, Any, Any],
        key_id: str,
        data: RotateInput,
        admin: AdminService,
        keys: KeyRepository,
    ) -> RotatedKey:
        """A successor key (shown once); the old one works for `overlap_seconds` more."""
        identity = await admin_identity(request, admin, keys)
        info, raw = await admin.rotate_key(identity, key_id, data.overlap_seconds)
        return RotatedKey(**info.model_dump(), key=raw, replaces=key_id)

    @get("/users", responses=errors(401, 403))
    async def list_users(
        self, request: Request[Any, Any, Any], admin: AdminService, keys: KeyRepository
    ) -> list[AdminUser]:
        """The tenant's people (owner)."""
        return await admin.users(await admin_identity(request, admin, keys))

    @post("/users", status_code=201, responses=errors(*ADMIN_ERRORS))
    async def add_user(
        self, request: Request[Any, Any, Any], data: NewAdminUser, admin: AdminService, keys: KeyRepository
    ) -> AdminUser:
        """Add a colleague (owner)."""
        identity = await admin_identity(request, admin, keys)
        return await admin.add_user(identity, data)

    @post("/users/{user_id:str}/disable", status_code=200, responses=errors(400, 401, 403, 404))
    async def disable_user(
        self, request: Request[Any, Any, Any], user_id: str, admin: AdminService, keys: KeyRepository
    ) -> Ok:
        """Lock a colleague out (owner)."""
        await admin.set_user_disabled(await admin_identity(request, admin, keys), user_id, disabled=True)
        return Ok(ok=True)

    @get("/conversations", responses=errors(*ADMIN_ERRORS))
    async def conversations(
        self, request: Request[Any, Any, Any], admin: AdminService, keys: KeyRepository,
        q: str | None = Parameter(default=None, max_length=200), limit: int = Parameter(default=50, ge=1, le=200),
    ) -> list[ConversationSummary]:  # fmt: skip
        """Recent conversations, optionally containing `q`."""
        if q is not None:
            try:
                q = clean_string(q, "q", BODY_LIMITS)
            except InputRefused as exc:
                raise refusal(exc) from None
        rows = await admin.conversations(await admin_identity(request, admin, keys), q, limit)
        return [ConversationSummary.model_validate(row) for row in rows]

    @get("/conversations/{conversation_id:str}", responses=errors(400, 401, 403, 404))
    async def transcript(
        self, request: Request[Any, Any, Any], conversation_id: str, admin: AdminService, keys: KeyRepository
    ) -> Transcript:
        """Every message, tool call, result and frame, with cost and latency per turn."""
        return Transcript.model_validate(
            await admin.transcript(await admin_identity(request, admin, keys), conversation_id)
        )

    @get(
        "/billing/statement",
        responses=errors(*ADMIN_ERRORS),
        response_description="The statement as JSON, or with `format=csv` as a `text/csv` attachment",
    )
    async def statement(
        self, request: Request[Any, Any, Any], admin: AdminService, keys: KeyRepository,
        month: str = Parameter(pattern=r"^\d{4}-\d{2}$"), format: str = Parameter(default="json", pattern="^(json|csv)$"),  # noqa: A002
    ) -> Response[Statement]:  # fmt: skip
        """The month's usage ledger and totals, as JSON or CSV."""
        statement = await admin.statement(await admin_identity(request, admin, keys), month)
        if format == "csv":
            return Response(  # the CSV form of the same statement
                statement_csv(statement), media_type="text/csv",  # type: ignore[arg-type]
                headers={"Content-Disposition": f'attachment; filename="vizochok-{statement.tenant_id}-{month}.csv"'},
            )  # fmt: skip
        return Response(statement)

    @get("/catalog/jobs", responses=errors(*ADMIN_ERRORS))
    async def catalog_jobs(
        self, request: Request[Any, Any, Any], admin: AdminService, keys: KeyRepository,
        catalog_repository: CatalogRepository, limit: int = Parameter(default=50, ge=1, le=200),
    ) -> list[CatalogJob]:  # fmt: skip
        """Recent catalog uploads and their embedding progress (viewer)."""
        identity = await admin_identity(request, admin, keys)
        require(identity, "viewer")
        return await catalog_repository.list_jobs(tenant_of(identity), limit)

    @get("/usage", responses=errors(*ADMIN_ERRORS))
    async def usage(
        self, request: Request[Any, Any, Any], admin: AdminService, keys: KeyRepository,
        days: int = Parameter(default=30, ge=1, le=366),
    ) -> UsageReport:  # fmt: skip
        """Tokens and cost per day and model, conversations, messages and cart additions per day."""
        end = datetime.now(UTC).date() + timedelta(days=1)
        return UsageReport.model_validate(
            await admin.usage(await admin_identity(request, admin, keys), end - timedelta(days=days), end)
        )

    @get("/audit", responses=errors(*ADMIN_ERRORS))
    async def audit(
        self, request: Request[Any, Any, Any], admin: AdminService, keys: KeyRepository,
        limit: int = Parameter(default=100, ge=1, le=500),
    ) -> list[AuditEntry]:  # fmt: skip
        """Who changed what, newest first."""
        return await admin.audit_entries(await admin_identity(request, admin, keys), limit)

    @post("/tenants", status_code=201, responses=errors(*ADMIN_ERRORS))
    async def create_tenant(
        self, request: Request[Any, Any, Any], data: NewTenantInput, admin: AdminService, keys: KeyRepository
    ) -> TenantCreated:
        """A new tenant with its first keys, shown once (platform operators)."""
        identity = await admin_identity(request, admin, keys)
        try:
            return TenantCreated.model_validate(
                await admin.create_tenant(identity, data.name, data.store_id, data.plan)
            )
        except psycopg.errors.UniqueViolation as exc:
            raise VizochokError(
                ErrorCode.VALIDATION_ERROR, f"store_id {data.store_id!r} is already in use"
            ) from exc

    @get("/tenants", responses=errors(401, 403))
    async def tenants(
        self, request: Request[Any, Any, Any], admin: AdminService, keys: KeyRepository
    ) -> list[TenantSummary]:
        """Every tenant (platform operators)."""
        rows = await admin.tenants(await admin_identity(request, admin, keys))
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
