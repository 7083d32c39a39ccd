"""What the catalog embeds, indexes and compares: pure functions over `ProductInput`."""

from __future__ import annotations

import hashlib
import json

from vizochok.core.models import ProductInput
from vizochok.core.search import normalize

EMBEDDED_FIELDS = ("name", "description", "ingredients", "brand", "category_path", "country")
"""A change to any of these re-embeds the product (vizochok-docs §7.3)."""


def content_hash(product: ProductInput) -> str:
    """Hash of the embedded fields only."""
    payload = json.dumps([getattr(product, f) for f in EMBEDDED_FIELDS], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def row_hash(product: ProductInput) -> str:
    """Hash of every field: equal hashes mean an upload changed nothing."""
    payload = product.model_dump_json(exclude_none=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def embedding_text(product: ProductInput) -> str:
    """The passage that represents a product in vector space, most telling fields first."""
    parts = [product.name, product.brand, product.category_path, product.description, product.ingredients]
    if product.country:
        parts.append(f"Країна: {product.country}")
    return ". ".join(p.strip() for p in parts if p and p.strip())


def search_name(product: ProductInput) -> str:
    """Normalized name and brand for fuzzy (trigram) matching."""
    return normalize(" ".join(p for p in (product.name, product.brand) if p))


def fulltext_fields(product: ProductInput) -> tuple[str, str, str, str]:
    """Normalized texts weighted A (name), B (brand), C (category), D (description and ingredients)."""
    return (
        normalize(product.name),
        normalize(product.brand or ""),
        normalize((product.category_path or "").replace(">", " ")),
        normalize(" ".join(p for p in (product.description, product.ingredients) if p)),
    )
