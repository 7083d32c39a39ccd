"""Brute-force search over the in-memory catalog: the same query understanding and legs as PostgreSQL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.core.catalog.indexing import fulltext_fields, search_name
from vizochok.core.models import SearchHit
from vizochok.core.search.request import NEED_LEG, LegRankings, SearchRequest

if TYPE_CHECKING:
    from vizochok.adapters.db.memory import InMemoryCatalogRepository
    from vizochok.core.models import ProductInput

_FIELD_WEIGHTS = (1.0, 0.4, 0.2, 0.1)  # PostgreSQL's ts_rank defaults for A, B, C, D


def _matches(terms: set[str], want: str) -> bool:
    return want in terms or (len(want) >= 4 and any(t.startswith(want) for t in terms))  # noqa: PLR2004


def _dot(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=False))


class InMemoryProductSearch:
    """Same contract as the PostgreSQL engine, for dev mode and tests (no trigram leg)."""

    def __init__(self, catalog: InMemoryCatalogRepository) -> None:
        self._catalog = catalog

    def _visible(self, tenant_id: str, request: SearchRequest) -> dict[str, ProductInput]:
        f = request.filters
        return {
            sku: p
            for sku, p in self._catalog.products.get(tenant_id, {}).items()
            if p.is_active  # text legs answer before the vector is there, as in PostgreSQL
            and (f.brand is None or (p.brand or "").lower() == f.brand.lower())
            and (f.category_prefix is None or (p.category_path or "").lower().startswith(f.category_prefix.lower()))
            and (not f.attributes or all((p.attributes or {}).get(k) == v for k, v in f.attributes.items()))
        }  # fmt: skip

    async def catalog_facts(self, tenant_id: str) -> tuple[list[tuple[str, int]], list[str]]:
        """Active products per category path, and every active product's folded name and brand."""
        active = [p for p in self._catalog.products.get(tenant_id, {}).values() if p.is_active]
        counts: dict[str, int] = {}
        for p in active:
            if p.category_path:
                counts[p.category_path] = counts.get(p.category_path, 0) + 1
        return list(counts.items()), [search_name(p) for p in active]

    async def legs(self, tenant_id: str, request: SearchRequest) -> LegRankings:
        """Each leg's ranking over one tenant's active products (the vector leg: those with a vector)."""
        products = self._visible(tenant_id, request)
        analysis = request.understood()
        n = max(request.limit, request.candidates)
        ranked: dict[str, list[str]] = {}
        if request.vector is not None and request.weight("vector") > 0:
            vectors = self._catalog.vectors
            scores = {
                sku: sum(a * b for a, b in zip(request.vector, vectors[(tenant_id, sku)], strict=False))
                for sku in products
                if (tenant_id, sku) in vectors
            }
            ranked["vector"] = sorted(scores, key=lambda s: -scores[s])[:n]
        fields = {sku: [set(f) for f in fulltext_fields(p)] for sku, p in products.items()}
        wanted = [t for group in analysis.groups for t in group]
        text_scores = {
            sku: sum(
                w for terms, w in zip(fs, _FIELD_WEIGHTS, strict=True) for t in wanted if _matches(terms, t)
            )
            for sku, fs in fields.items()
        }
        if request.categories and request.vector is not None:
            wanted_paths = set(request.categories)
            in_category = [s for s, p in products.items() if p.category_path in wanted_paths]
            ranked["category"] = sorted(
                in_category, key=lambda s: -_dot(request.vector or [], self._catalog.vectors[(tenant_id, s)])
            )[:n]
        ranked["fulltext"] = [
            s for s in sorted(text_scores, key=lambda s: (-text_scores[s], s)) if text_scores[s]
        ][:n]
        codes = set(analysis.codes)
        ranked["code"] = sorted(
            s for s, p in products.items() if s.lower() in codes or (p.barcode or "") in codes
        )
        for index, need in enumerate(analysis.needs):
            ranked[f"{NEED_LEG}{index}"] = [
                s for s in sorted(fields) if all(_matches(set().union(*fields[s]), t) for t in need)
            ][:n]
        found = {sku for skus in ranked.values() for sku in skus}
        return LegRankings.of(ranked, {sku: _hit(products[sku]) for sku in found})


def _hit(p: ProductInput) -> SearchHit:
    return SearchHit(
        sku=p.sku, name=p.name, score=0.0, brand=p.brand, category_path=p.category_path, unit=p.unit,
        quantity_step=p.quantity_step, min_quantity=p.min_quantity, image_url=p.image_url, attributes=p.attributes,
    )  # fmt: skip
