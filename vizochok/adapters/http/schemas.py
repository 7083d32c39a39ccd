"""The HTTP API's published contract: request and response bodies, the error shape, security schemes.

Handlers name these types in their signatures, so `/schema` shows real bodies; `tests/api/test_openapi_contract.py`
generates a TypeScript client from `/schema` and checks real answers against it, so a change here that the
handlers do not follow (or the reverse) fails a test.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, Optional, cast

from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Components, Example, SecurityScheme
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    SkipValidation,
    create_model,
    model_serializer,
)

from vizochok.core.admin.model import AdminIdentity, ApiKeyInfo, SettingsPatch
from vizochok.core.admin.service import MAX_ROTATION_OVERLAP
from vizochok.core.errors import ErrorCode
from vizochok.core.models import ProductInput, RecipeInput, TenantLLMConfig
from vizochok.core.usage.limits import Limits

BEARER = "bearer"
"""Security scheme: `Authorization: Bearer <sk_ key>`."""
ADMIN_SESSION = "adminSession"
"""Security scheme: the admin panel's session cookie (changes also send `X-CSRF-Token`)."""

KEY_AUTH: list[dict[str, list[str]]] = [{BEARER: []}]
"""The `security` of the retailer-backend endpoints (an `sk_` key)."""
ADMIN_AUTH: list[dict[str, list[str]]] = [{BEARER: []}, {ADMIN_SESSION: []}]
"""The `security` of the admin API: an `sk_` key with the `admin` scope, or a signed-in session."""


def example(value: dict[str, Any]) -> ConfigDict:
    """A model config that carries an example for `/schema`."""
    # Litestar reads a model's example from `model_config["example"]`; pydantic's ConfigDict has no such key.
    return cast("ConfigDict", {"example": value})


_OPEN = ConfigDict(extra="allow")
"""For answers assembled from dicts elsewhere: a field added there still reaches the client (the contract test
reports it as undocumented) instead of being dropped here silently."""


# --- errors ---------------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    """Every error: a machine-readable `code` and a human `detail`; some codes add fields of their own."""

    model_config = example({"code": "invalid_api_key", "detail": "unknown or revoked key"})

    code: ErrorCode
    detail: str
    errors: list[dict[str, Any]] | None = None
    """`validation_error` of a parameter or body: one entry per problem."""
    max_products: int | None = None
    """`payload_too_large` of a catalog upload: the most products one request may carry."""
    field: str | None = None
    """`webhook_url_rejected`: the URL field that was refused."""
    retry_after: int | None = None
    """`rate_limit_exceeded`: seconds to wait."""


_ERRORS: dict[int, tuple[str, ErrorCode, str]] = {
    400: (
        "`validation_error`: the request could not be parsed (for example, a body that is not JSON)",
        ErrorCode.VALIDATION_ERROR,
        "malformed JSON body",
    ),
    401: (
        "`unauthorized` (no credentials, or a wrong password) or `invalid_api_key` (unknown or revoked key)",
        ErrorCode.INVALID_API_KEY,
        "unknown or revoked key",
    ),
    403: (
        "`forbidden`: a `pk_` key, a key without the scope, a role too low, or a missing CSRF header",
        ErrorCode.FORBIDDEN,
        "this endpoint needs an sk_ key with the 'catalog' scope",
    ),
    404: (
        "`not_found`: no such object for this tenant",
        ErrorCode.NOT_FOUND,
        "no job 'job_0123456789abcdef'",
    ),
    415: (
        "`unsupported_media_type`: the body must be `application/json`",
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        "send the credentials as application/json",
    ),
    409: (
        "`email_taken`: that e-mail already has an account",
        ErrorCode.EMAIL_TAKEN,
        "that e-mail is already in use",
    ),
    413: ("`payload_too_large`", ErrorCode.PAYLOAD_TOO_LARGE, "at most 5000 products per request"),
    422: (
        "`validation_error`: a parameter or the body is malformed (`webhook_url_rejected` for unsafe webhook URLs)",
        ErrorCode.VALIDATION_ERROR,
        "Validation failed for PUT /api/v1/catalog/products",
    ),
    429: (
        "`rate_limit_exceeded`, with `retry_after` seconds",
        ErrorCode.RATE_LIMIT_EXCEEDED,
        "too many failed logins",
    ),
    503: ("`service_unavailable`", ErrorCode.SERVICE_UNAVAILABLE, "not ready: ConnectionError"),
}


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """The documented error answers of one endpoint, each in the `{code, detail}` shape."""
    specs = {}
    for status in statuses:
        description, code, detail = _ERRORS[status]
        specs[status] = ResponseSpec(
            data_container=ErrorBody,
            description=description,
            examples=[Example(summary=code.value, value={"code": code.value, "detail": detail})],
            generate_examples=False,
        )
    return specs


KEY_ERRORS = (400, 401, 403, 422)
"""What every `sk_`-key endpoint with parameters or a body may answer besides success."""
ADMIN_ERRORS = (400, 401, 403, 422)
"""Likewise for the admin API."""


def components() -> Components:
    """The security schemes (Litestar generates `schemas` itself)."""
    return Components(
        security_schemes={
            BEARER: SecurityScheme(
                type="http",
                scheme="bearer",
                description="An `sk_` key: the `catalog` scope for the catalog and search, `admin` for the admin API.",
            ),
            ADMIN_SESSION: SecurityScheme(
                type="apiKey",
                name="vz_admin",
                security_scheme_in="cookie",
                description="The admin panel's session (`POST /api/v1/admin/login`); "
                "every change also sends the login's `csrf_token` as `X-CSRF-Token`.",
            ),
        },
    )


# --- catalog and search ---------------------------------------------------------------------------


class ProductUpload(BaseModel):
    """`PUT /api/v1/catalog/products`. Invalid products do not fail the request: they land in the job's `errors`."""

    model_config = example(
        {
            "products": [
                {
                    "sku": "milk-001",
                    "name": "Молоко Lactel 2.5% 900мл",
                    "brand": "Lactel",
                    "category_path": "Молочні продукти > Молоко",
                    "unit": "pcs",
                    "volume": 900,
                }
            ]
        }
    )

    # The schema names ProductInput, which is what a client should send; validation is skipped so that one
    # bad product is reported in the job's `errors` instead of refusing the batch (`validate_products` checks
    # each item). The items are therefore the decoded JSON values, not ProductInput instances.
    products: list[SkipValidation[ProductInput]] = Field(
        description="At most 5,000 per request (413 beyond)."
    )


class UploadAccepted(BaseModel):
    """202: stored now; embedding runs in the background (follow `job_id`)."""

    model_config = example(
        {"job_id": "job_3f2a9c1b7d4e5f60", "total": 1, "to_embed": 1, "unchanged": 0, "status": "accepted"}
    )

    job_id: str
    total: int
    to_embed: int
    """New products and products whose embedded text changed."""
    unchanged: int
    status: Literal["accepted"]


class SearchItem(BaseModel):
    """One catalog hit."""

    sku: str
    name: str
    score: float


class SearchResults(BaseModel):
    """`GET /api/v1/search`: best first; catalog retrieval only (no prices: those come from the webhook)."""

    model_config = example(
        {"items": [{"sku": "milk-001", "name": "Молоко Lactel 2.5% 900мл", "score": 0.0323}]}
    )

    items: list[SearchItem]


# --- admin ----------------------------------------------------------------------------------------


class Ok(BaseModel):
    """The change was made."""

    ok: bool


class LoginInput(BaseModel):
    """`POST /api/v1/admin/login`."""

    model_config = example({"email": "owner@example.com", "password": "correct horse battery"})

    email: str = Field(min_length=3, max_length=200)
    password: str = Field(min_length=1, max_length=200)


class LoginResult(BaseModel):
    """The session cookie is set; send `csrf_token` as `X-CSRF-Token` on every change."""

    csrf_token: str
    user: AdminIdentity


class NewTenantInput(BaseModel):
    """`POST /api/v1/admin/tenants` (platform operators)."""

    model_config = example({"name": "Fresh Market", "store_id": "fresh-market", "plan": "standard"})

    name: str = Field(min_length=1, max_length=200)
    store_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")
    plan: str = "standard"


class TenantCreated(BaseModel):
    """The new tenant's keys: shown in this answer only."""

    tenant_id: str
    store_id: str
    public_key: str
    secret_key: str
    webhook_secret: str
    """Signs every webhook call to the retailer (docs/webhooks.md); shown in this answer only."""


class TenantSummary(BaseModel):
    """A tenant in the operators' list."""

    model_config = _OPEN

    id: str
    name: str
    store_id: str
    plan: str
    created_at: datetime | None


class RotateInput(BaseModel):
    """`POST /api/v1/admin/keys/{key_id}/rotate`."""

    overlap_seconds: int = 3600
    """How long the old key keeps working."""


class NewKeyCreated(ApiKeyInfo):
    """A new key; `key` is in this answer only."""

    key: str


class RotatedKey(NewKeyCreated):
    """The successor of `replaces`."""

    replaces: str


class WebhookView(BaseModel):
    """The tenant's webhooks as the admin sees them (`has_secret` instead of the secret)."""

    model_config = _OPEN

    products_url: str
    cart_url: str
    cart_get_url: str
    timeout_seconds: float
    has_secret: bool


class IdentityView(BaseModel):
    """Shopper identity verification (docs/identity.md): whether it is set up and required, never the secret."""

    required: bool
    configured: bool


class IdentityStatus(IdentityView):
    """`GET /api/v1/admin/identity`."""

    secrets_valid: int
    """How many secrets verify now: 2 while a rotation's overlap lasts."""


class IdentityRotateInput(BaseModel):
    """`POST /api/v1/admin/identity/secret`."""

    model_config = ConfigDict(extra="forbid")

    overlap_seconds: int = Field(default=3600, ge=0, le=MAX_ROTATION_OVERLAP)
    """How long the previous secret keeps verifying, so that pages signed with it keep working."""


class IdentitySecret(BaseModel):
    """The new identity secret: shown in this answer only."""

    identity_secret: str
    overlap_seconds: int


class LLMKeyState(BaseModel):
    """Whether the tenant has its own key for one LLM provider; the key itself is never returned."""

    provider: str
    has_key: bool


class LLMKeyInput(BaseModel):
    """`PUT /api/v1/admin/llm/keys/{provider}`."""

    model_config = ConfigDict(extra="forbid")

    api_key: str = Field(min_length=1, max_length=4096)


class TenantSettings(BaseModel):
    """`GET`/`PATCH /api/v1/admin/settings`."""

    model_config = _OPEN

    id: str
    name: str
    store_id: str
    llm: TenantLLMConfig
    disabled_tools: list[str]
    limits: dict[str, Any]
    search: dict[str, Any]
    allowed_origins: list[str]
    webhooks: WebhookView
    plan: str
    identity: IdentityView
    recipes: list[RecipeInput] = []
    """The tenant's own dishes for the offline assistant's recipe book."""


def _limit_overrides() -> type[BaseModel]:
    # Built from `Limits` itself, so a new limit appears in the schema (and in the admin panel's form) at once.
    fields: dict[str, Any] = {
        name: (Optional[info.annotation], Field(default=None, description=info.description))  # noqa: UP045
        for name, info in Limits.model_fields.items()
    }
    return create_model(
        "LimitOverrides",
        __doc__="The tenant's own limits over its plan's; an omitted limit follows the plan.",
        __config__=ConfigDict(extra="forbid"),
        **fields,
    )


LimitOverrides = _limit_overrides()


class SearchOptions(BaseModel):
    """Per-tenant search options (`SearchService`); options this schema does not list are kept as sent."""

    model_config = ConfigDict(extra="allow")

    weights: dict[str, float] | None = Field(
        default=None, description="Weight of each retrieval leg by name."
    )
    rrf_k: int | None = Field(default=None, ge=1, description="Reciprocal rank fusion constant.")
    candidates: int | None = Field(
        default=None, ge=1, le=500, description="Candidates per leg before fusion."
    )
    trigram_below: int | None = Field(
        default=None, ge=0, description="Use trigram matching below this many hits."
    )
    head_bonus: float | None = Field(
        default=None, ge=0, description="Bonus for a query word in a product's head."
    )
    reranker: str | None = Field(default=None, description='A registered reranker, or "none".')
    reranker_options: dict[str, Any] | None = Field(
        default=None, description="Options of the chosen reranker."
    )
    dictionary: dict[str, list[str]] | None = Field(
        default=None, description="Word → Ukrainian words it means."
    )
    needs: dict[str, list[str]] | None = Field(
        default=None, description="Dish or occasion → groceries it needs."
    )


class SettingsInput(SettingsPatch):
    """`PATCH /api/v1/admin/settings`: omitted fields stay as they are (the plan: operators only)."""

    model_config = example(
        {"name": "Fresh Market", "disabled_tools": ["show_meal_plan"], "limits": {"max_rounds": 6}}
    )

    search: SearchOptions | None = None  # type: ignore[assignment]  # narrower than the core's dict
    limits: LimitOverrides | None = None  # type: ignore[valid-type]  # a model built at import time

    def to_patch(self) -> SettingsPatch:
        """The core's patch, with only what was sent; a null limit or search option means "not set", not null."""
        data = self.model_dump(exclude_unset=True)
        for name in ("limits", "search"):
            if isinstance(data.get(name), dict):
                data[name] = {k: v for k, v in data[name].items() if v is not None}
        return SettingsPatch.model_validate(data)


class ConversationSummary(BaseModel):
    """A row of the conversations list."""

    model_config = _OPEN

    conversation_id: str
    user_id: str
    store_id: str
    created_at: datetime | None
    updated_at: datetime | None
    messages: int
    cost: float
    first_message: str | None


class TranscriptEntry(BaseModel):
    """One logged message, tool call, tool result or frame."""

    model_config = _OPEN

    turn: int
    kind: str
    payload: dict[str, Any]
    created_at: datetime


class TranscriptUsage(BaseModel):
    """One model call's tokens and cost."""

    model_config = _OPEN

    model: str
    prompt_tokens: int
    completion_tokens: int
    cost: float
    created_at: datetime


class TurnSummary(BaseModel):
    """One turn: the shopper's words, the tools called, latency from first to last entry, cost."""

    model_config = _OPEN

    turn: int
    started_at: datetime
    ended_at: datetime
    message: str | None = None
    tools: list[str | None]
    frames: int
    latency_ms: int
    cost: float
    tokens: int


class Transcript(BaseModel):
    """`GET /api/v1/admin/conversations/{conversation_id}`."""

    model_config = _OPEN

    conversation: dict[str, Any]
    entries: list[TranscriptEntry]
    usage: list[TranscriptUsage]
    turns: list[TurnSummary]


class UsageLine(BaseModel):
    """One day and model."""

    day: date
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost: float
    llm_calls: int


class UsageActivity(BaseModel):
    """One day's conversations, messages and cart additions."""

    day: date
    conversations: int
    messages: int
    cart_additions: int


class UsageReport(BaseModel):
    """`GET /api/v1/admin/usage`."""

    model_config = _OPEN

    lines: list[UsageLine]
    activity: list[UsageActivity]


class WebhookSaved(BaseModel):
    """`PATCH /api/v1/admin/webhooks`: `secret` only when the platform generated it (shown once)."""

    ok: bool
    has_secret: bool
    secret: str | None = None

    @model_serializer(mode="wrap")
    def _omit_absent_secret(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # "The secret is never returned": not even as null, when none was generated.
        data: dict[str, Any] = handler(self)
        if data.get("secret") is None:
            data.pop("secret", None)
        return data


class WebhookTestInput(BaseModel):
    """`POST /api/v1/admin/webhooks/test`: SKUs to ask for (sample SKUs when empty)."""

    model_config = ConfigDict(extra="forbid")

    skus: list[str] = Field(default_factory=list, max_length=10)


class WebhookStatus(BaseModel):
    """Circuit breaker, concurrency and per-webhook counters, and who shares each."""

    model_config = _OPEN

    circuit: dict[str, Any]
    concurrency: dict[str, Any]
    webhooks: dict[str, Any]
    scope: dict[str, str]


class Health(BaseModel):
    """`/healthz` and `/readyz`."""

    status: Literal["ok", "ready"]
