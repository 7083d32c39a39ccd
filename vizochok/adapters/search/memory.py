"""Brute-force search over the in-memory catalog: cosine on vectors plus word overlap, fused by RRF."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from vizochok.core.models import SearchHit
from vizochok.core.search import SearchRequest, normalize, rrf_fuse

if TYPE_CHECKING:
    from vizochok.adapters.db.memory import InMemoryCatalogRepository


def _stems(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"\w+", normalize(text)) if len(w) > 1}


class InMemoryProductSearch:
    """Same contract as the PostgreSQL engine, for dev mode and tests."""

    def __init__(self, catalog: InMemoryCatalogRepository) -> None:
        self._catalog = catalog

    async def search(self, tenant_id: str, request: SearchRequest) -> list[SearchHit]:
        """Fused hits over active, embedded products of one tenant."""
        products = {
            sku: p
            for sku, p in self._catalog.products.get(tenant_id, {}).items()
            if p.is_active and (tenant_id, sku) in self._catalog.vectors
            and (request.filters.brand is None or (p.brand or "").lower() == request.filters.brand.lower())
            and (request.filters.category_prefix is None or (p.category_path or "").startswith(request.filters.category_prefix))
        }  # fmt: skip
        ranked: dict[str, list[str]] = {}
        if request.vector is not None:
            scores = {
                sku: sum(a * b for a, b in zip(request.vector, self._catalog.vectors[(tenant_id, sku)], strict=False))
                for sku in products
            }
            ranked["vector"] = sorted(scores, key=lambda s: -scores[s])[:50]
        query = _stems(request.text)
        overlap = {sku: len(query & _stems(f"{p.name} {p.brand or ''} {p.category_path or ''}")) for sku, p in products.items()}
        ranked["fulltext"] = [s for s in sorted(overlap, key=lambda s: (-overlap[s], s)) if overlap[s]][:50]
        fused = rrf_fuse(ranked, request.weights, request.rrf_k)[: request.limit]
        return [
            SearchHit(
                sku=sku, name=products[sku].name, score=round(score, 6), brand=products[sku].brand,
                category_path=products[sku].category_path, unit=products[sku].unit,
                quantity_step=products[sku].quantity_step, min_quantity=products[sku].min_quantity,
                image_url=products[sku].image_url, attributes=products[sku].attributes,
            )
            for sku, score in fused
        ]  # fmt: skip
