"""What the catalog embeds, indexes and compares: pure functions over `ProductInput`."""

from __future__ import annotations

import hashlib
import json

from vizochok.core.models import ProductInput
from vizochok.core.query import fold, index_terms
from vizochok.core.query.script import to_cyrillic, to_latin

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
    """Folded name and brand for fuzzy (trigram) matching."""
    return fold(" ".join(p for p in (product.name, product.brand) if p))


def fulltext_fields(product: ProductInput) -> tuple[list[str], list[str], list[str], list[str]]:
    """Index terms weighted A (name), B (brand), C (category), D (description, ingredients, country).

    A brand is also indexed in the other script, so "мілка" finds Milka and "roshen" finds Рошен;
    Latin words of a name get their Cyrillic reading for the same reason.
    """
    name = fold(product.name)
    latin_words = " ".join(w for w in name.split() if w.isascii() and w.isalpha())
    brand = fold(product.brand or "")
    brand_terms = index_terms(brand) + index_terms(to_cyrillic(brand)) + index_terms(to_latin(brand))
    return (
        index_terms(name) + index_terms(to_cyrillic(latin_words)) if latin_words else index_terms(name),
        list(dict.fromkeys(brand_terms)),
        index_terms((product.category_path or "").replace(">", " ")),
        index_terms(" ".join(p for p in (product.description, product.ingredients, product.country) if p)),
    )
