"""Administration: roles and what each may do, and the shapes the admin API speaks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.models import MAX_TENANT_RECIPES, RecipeInput, Scope, TenantLLMConfig

Role = Literal["viewer", "editor", "owner", "operator"]
RANK: dict[str, int] = {"viewer": 0, "editor": 1, "owner": 2, "operator": 3}
"""Each role may do everything the roles below it may."""


class AdminIdentity(BaseModel):
    """Who calls the admin API: a signed-in person, or an `sk_` key with the `admin` scope."""

    actor: str
    """`user:<id>` or `key:<id>`, as the audit log records it."""
    tenant_id: str | None
    """None only for platform operators."""
    role: Role
    email: str | None = None


def require(identity: AdminIdentity, role: Role) -> None:
    """Refuse with `forbidden` unless the identity's role is at least `role`."""
    if RANK[identity.role] < RANK[role]:
        raise VizochokError(ErrorCode.FORBIDDEN, f"this needs the {role} role; you are {identity.role}")


class AdminUser(BaseModel):
    """A person who manages a tenant (or the platform)."""

    id: str
    tenant_id: str | None
    email: str
    role: Role
    disabled: bool = False
    created_at: datetime | None = None


class NewAdminUser(BaseModel):
    """What an owner gives to add a colleague."""

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)
    password: str = Field(min_length=10, max_length=200)
    role: Literal["viewer", "editor", "owner"]


class SettingsPatch(BaseModel):
    """A change to a tenant's settings; omitted fields stay as they are."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    llm: TenantLLMConfig | None = None
    disabled_tools: list[str] | None = None
    plugins: list[str] | None = None
    """Enabled plugin components by name (rerankers, extra tools)."""
    search: dict[str, Any] | None = None
    limits: dict[str, Any] | None = None
    allowed_origins: list[str] | None = None
    plan: str | None = None
    """Operators only."""
    identity_required: bool | None = None
    """Unsigned customer ids become anonymous visitors (docs/identity.md)."""
    recipes: list[RecipeInput] | None = Field(default=None, max_length=MAX_TENANT_RECIPES)
    """The tenant's own dishes for the offline assistant; the whole list is replaced (docs/agent.md)."""


class ApiKeyInfo(BaseModel):
    """A key as the admin API lists it: never the key itself."""

    id: str
    kind: Literal["pk", "sk"]
    display_prefix: str
    name: str
    scopes: list[Scope]
    revoked: bool
    expires_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


class NewApiKey(BaseModel):
    """A key to create."""

    kind: Literal["pk", "sk"]
    scopes: list[Scope] = Field(min_length=1)
    name: str = Field(default="", max_length=100)


class LedgerRow(BaseModel):
    """One day and model of a tenant's usage."""

    day: date
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost: float
    llm_calls: int


class DailyActivity(BaseModel):
    """Conversations, messages and cart additions of one day."""

    day: date
    conversations: int
    messages: int
    cart_additions: int


class AuditEntry(BaseModel):
    """Who changed what, when."""

    actor: str
    action: str
    target: str
    details: dict[str, Any]
    created_at: datetime


def check_key_scopes(new: NewApiKey) -> None:
    """Public keys live in browsers: they may only chat."""
    if new.kind == "pk" and set(new.scopes) != {"chat"}:
        raise VizochokError(ErrorCode.VALIDATION_ERROR, "a pk_ key may only have the chat scope")
