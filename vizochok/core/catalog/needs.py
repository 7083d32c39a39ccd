"""Needs learned from a tenant's catalog at import time, stored per tenant, read by search.

A catalog job ends by reading the tenant's active products once (`learn_tenant_needs`): their
purpose and "without" phrases (`core/query/learned.py`) are stored with the tenant, and the
search service's profile picks them up. Nothing here runs on the query path.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from vizochok.core.query.analyze import term
from vizochok.core.query.learned import LearnedNeeds, ProductText, learn_needs

if TYPE_CHECKING:
    from vizochok.core.models import ProductInput

PAGE = 1000


@runtime_checkable
class LearnedNeedsStore(Protocol):
    """Where a tenant's learned needs are kept (the catalog repository)."""

    async def learned_needs(self, tenant_id: str) -> dict[str, Any]:
        """The stored `LearnedNeeds.to_json()`, or `{}`."""
        ...

    async def store_learned_needs(self, tenant_id: str, data: dict[str, Any]) -> None:
        """Replace them."""
        ...


class ProductPages(Protocol):
    """The catalog read page by page (the catalog repository)."""

    async def export_page(
        self, tenant_id: str, after_sku: str, limit: int
    ) -> list[tuple[ProductInput, list[float] | None]]:
        """Products in SKU order after `after_sku`."""
        ...


def product_text(product: ProductInput) -> ProductText:
    """The fields needs are learned from."""
    return ProductText(
        name=product.name,
        category_path=product.category_path,
        brand=product.brand,
        description=product.description,
        ingredients=product.ingredients,
    )


async def learn_tenant_needs(repo: ProductPages, store: LearnedNeedsStore, tenant_id: str) -> LearnedNeeds:
    """Read the tenant's active products, learn their needs (in a worker thread), store them."""
    texts: list[ProductText] = []
    after = ""
    while page := await repo.export_page(tenant_id, after, PAGE):
        texts += [product_text(p) for p, _ in page if p.is_active]
        after = page[-1][0].sku
    learned = await asyncio.to_thread(learn_needs, texts, term)
    await store.store_learned_needs(tenant_id, learned.to_json())
    return learned
