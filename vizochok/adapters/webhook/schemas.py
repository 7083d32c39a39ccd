"""The documented shapes of the retailer's answers (vizochok-docs §3); anything else is `webhook_error`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from vizochok.core.models import LivePrice


class ProductsResponse(BaseModel):
    """Answer of the products webhook."""

    model_config = ConfigDict(extra="ignore")

    products: list[LivePrice]


class CartResponse(BaseModel):
    """Answer of the cart webhook."""

    model_config = ConfigDict(extra="ignore")

    ok: bool
    reason: str | None = None


class CartGetItem(BaseModel):
    """One line of the retailer's cart."""

    model_config = ConfigDict(extra="ignore")

    sku: str
    name: str = ""
    price: float = Field(ge=0)
    quantity: float = Field(gt=0)
    promo_price: float | None = None
    brand: str | None = None
    unit: str | None = None


class CartGetResponse(BaseModel):
    """Answer of the cart GET webhook."""

    model_config = ConfigDict(extra="ignore")

    items: list[CartGetItem]
