"""Argument models more than one built-in tool takes, declared once."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

Sku = Annotated[str, Field(min_length=1)]
"""A product's SKU, as search results and the cart give it."""


class SkuArgs(BaseModel):  # noqa: D101 - a docstring would reach the model as the schema's description
    # One product.
    sku: Sku


class ProductLine(BaseModel):  # noqa: D101 - a docstring would reach the model as the schema's description
    # A product and a quantity in its own unit (pieces, or kilograms for goods sold by weight).
    sku: Sku
    quantity: float = Field(gt=0)


class NoArgs(BaseModel):  # noqa: D101 - a docstring would reach the model as the schema's description
    pass
