"""Domain models shared by the core, the ports and the adapters."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints, field_validator

Scope = Literal["chat", "catalog", "admin"]


class ProductInput(BaseModel):
    """One product as the catalog API receives it (vizochok-docs §7.2)."""

    model_config = ConfigDict(extra="forbid")

    sku: str = Field(min_length=1, max_length=128)
    """Primary key within a tenant; a re-upload updates the product."""
    name: str = Field(min_length=1, max_length=500)
    """The field that matters most for search."""
    category_path: str | None = Field(default=None, max_length=500)
    """Levels separated by `" > "`."""
    brand: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    ingredients: str | None = Field(default=None, max_length=5000)
    country: str | None = Field(default=None, max_length=100)
    unit: str = Field(default="pcs", max_length=20)
    """`pcs`, `kg`, `l`, …"""
    quantity_step: float | None = Field(default=None, gt=0)
    min_quantity: float | None = Field(default=None, gt=0)
    weight: float | None = Field(default=None, ge=0)
    """Grams."""
    volume: float | None = Field(default=None, ge=0)
    """Millilitres."""
    image_url: str | None = Field(default=None, max_length=2000)
    attributes: dict[str, Any] | None = None
    barcode: str | None = Field(default=None, max_length=64)
    is_active: bool = True
    """`False` hides the product from search (soft delete)."""

    @field_validator("unit", mode="before")
    @classmethod
    def _unit_default(cls, value: object) -> object:
        # Optional fields accept null as well as absence (DECISIONS §3).
        return "pcs" if value is None else value

    @field_validator("is_active", mode="before")
    @classmethod
    def _active_default(cls, value: object) -> object:
        return True if value is None else value


class SearchHit(BaseModel):
    """One catalog hit, best first; `score` is the fused score."""

    sku: str
    name: str
    score: float
    brand: str | None = None
    category_path: str | None = None
    unit: str = "pcs"
    quantity_step: float | None = None
    min_quantity: float | None = None
    image_url: str | None = None
    attributes: dict[str, Any] | None = None


class LivePrice(BaseModel):
    """What the products webhook says about one SKU right now."""

    sku: str
    price: float = Field(ge=0)
    in_stock: bool
    promo_price: float | None = Field(default=None, ge=0)
    promo_label: str | None = None


class ProductCard(BaseModel):
    """A card in `product_cards`; prices come from this turn's products webhook."""

    sku: str
    name: str
    brand: str | None
    price: float
    promo_price: float | None
    promo_label: str | None
    image_url: str | None
    unit: str
    quantity_step: float | None
    min_quantity: float | None
    in_stock: bool


class CartItem(BaseModel):
    """One line of the shopper's selection as the widget shows it."""

    sku: str
    name: str
    price: float
    promo_price: float | None = None
    brand: str | None = None
    quantity: float


CartAction = Literal["add", "remove", "update_quantity", "clear"]


class CartOperation(BaseModel):
    """A change the retailer's cart webhook must confirm."""

    action: CartAction
    sku: str | None = None
    name: str | None = None
    quantity: float | None = None
    price: float | None = None


class CartResult(BaseModel):
    """The retailer's answer: the selection changes only when `ok` is true."""

    ok: bool
    reason: str | None = None


class WebhookConfig(BaseModel):
    """A tenant's webhook endpoints; `secret` is decrypted in memory only."""

    products_url: str = ""
    cart_url: str = ""
    cart_get_url: str = ""
    timeout_seconds: float = 5.0
    secret: str | None = Field(default=None, repr=False)


class TenantLLMConfig(BaseModel):
    """A tenant's choice of models; empty fields fall back to the global settings."""

    provider: str | None = None
    complex_model: str | None = None
    fast_model: str | None = None
    fallback_model: str | None = None
    system_prompt: str | None = None
    text_tool_calls: bool | None = None
    """Read tool calls written as JSON text (small local models); unset: the global setting."""
    hybrid: bool | None = None
    """False: every turn goes to the model, even those the keyless layer understands surely."""
    hybrid_threshold: float | None = Field(default=None, ge=0.0, le=1.0)


class IdentityConfig(BaseModel):
    """A tenant's shopper identity verification (docs/identity.md); `keys` are decrypted in memory only."""

    required: bool = False
    """Unsigned customer ids become anonymous visitors; off, they are trusted as before."""
    keys: list[str] = Field(default_factory=list, repr=False, exclude=True)
    """The current identity secret first, then the previous one while its rotation overlap lasts."""
    configured: bool = False
    """Whether the tenant has an identity secret at all (the admin API shows this, never the secret)."""


_Word = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]

MAX_TENANT_RECIPES = 200
"""How many dishes a tenant may add to the offline assistant's recipe book."""


class RecipeNames(BaseModel):
    """A dish's name per language; a missing language shows the Ukrainian name."""

    model_config = ConfigDict(extra="forbid")

    uk: _Word
    en: _Word | None = None
    ru: _Word | None = None


class RecipeInput(BaseModel):
    """A dish a tenant adds to the offline assistant's recipe book (docs/agent.md, "Recipes").

    The same fields as the operator's `VIZOCHOK_OFFLINE_RECIPES` file. Amounts are for four servings.
    """

    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[a-z0-9_]{1,60}$")
    """A built-in dish with the same key is replaced by this one, for this tenant only."""
    names: RecipeNames
    aliases: list[_Word] = Field(min_length=1, max_length=20)
    """Words that name the dish in any language; the planner matches their stems ("весна" → "весн")."""
    meal: Literal["breakfast", "soup", "main"] = "main"
    """Where it fits in a meal plan."""
    vegetarian: bool = False
    ingredients: list[
        tuple[_Word, Annotated[float, Field(ge=0, le=100)], Annotated[int, Field(ge=0, le=100)]]
    ] = Field(min_length=1, max_length=30)
    """`[search query, kilograms (0 = unknown), packs]`; the query's first word is the ingredient's type."""


class Tenant(BaseModel):
    """A retailer and everything it configured."""

    id: str
    name: str
    store_id: str
    llm: TenantLLMConfig = Field(default_factory=TenantLLMConfig)
    disabled_tools: list[str] = Field(default_factory=list)
    limits: dict[str, Any] = Field(default_factory=dict)
    """Overrides of `LimitSettings` fields by name."""
    search: dict[str, Any] = Field(default_factory=dict)
    """Search options: fusion weights, `rrf_k`, reranker, dictionary."""
    allowed_origins: list[str] = Field(default_factory=list)
    webhooks: WebhookConfig = Field(default_factory=WebhookConfig)
    plan: str = "standard"
    """Names a set of limits in the settings' plan table; the tenant's own `limits` override it."""
    llm_keys: dict[str, SecretStr] = Field(default_factory=dict, exclude=True, repr=False)
    """The tenant's own API key per LLM provider, decrypted in memory only; never dumped."""
    identity: IdentityConfig = Field(default_factory=IdentityConfig)
    recipes: list[RecipeInput] = Field(default_factory=list, max_length=MAX_TENANT_RECIPES)
    """Dishes the tenant adds to the offline assistant's recipe book (or built-ins it replaces by key)."""


class Principal(BaseModel):
    """An authenticated API key."""

    key_id: str
    tenant_id: str
    kind: Literal["pk", "sk"]
    scopes: list[Scope]


JobStatus = Literal["pending", "embedding", "complete", "failed"]


class CatalogJob(BaseModel):
    """Progress of one catalog upload (vizochok-docs §7.1)."""

    job_id: str
    tenant_id: str
    status: JobStatus
    total: int = 0
    embedded: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = Field(default_factory=list)
    started_at: datetime | None = None
    completed_at: datetime | None = None
