"""Tools that look at the catalog: search, details, and showing product cards."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, Field

from vizochok.core.agent.tools import ToolError, ToolResult
from vizochok.core.frames import ProductCards
from vizochok.core.models import ProductCard
from vizochok.core.search.request import SearchFilters

if TYPE_CHECKING:
    from vizochok.core.agent.tools import Turn
    from vizochok.core.models import LivePrice, SearchHit
    from vizochok.core.profile import UserProfile

MAX_CARDS = 8


def _offer(hit: SearchHit, price: LivePrice) -> dict[str, object]:
    """A product as the model sees it: catalog facts plus this turn's live price."""
    offer: dict[str, object] = {
        "sku": hit.sku,
        "name": hit.name,
        "brand": hit.brand,
        "unit": hit.unit,
        "category": hit.category_path,
        "price": price.price,
        "promo_price": price.promo_price,
        "promo_label": price.promo_label,
    }
    # The step and minimum say what "300 г" of a product sold by weight becomes; absent ones cost no tokens.
    if hit.quantity_step is not None:
        offer["quantity_step"] = hit.quantity_step
    if hit.min_quantity is not None:
        offer["min_quantity"] = hit.min_quantity
    return offer


def personalise(hits: list[SearchHit], profile: UserProfile | None) -> list[SearchHit]:
    """Drop what the shopper's diet rules out; favourite brands first, otherwise in search order."""
    if profile is None:
        return hits
    allowed = [h for h in hits if not profile.excludes(h.attributes)]
    favorites = {b.casefold() for b in profile.favorite_brands}
    return sorted(allowed, key=lambda h: (h.brand or "").casefold() not in favorites)


class SearchProductsArgs(BaseModel):
    query: str = Field(min_length=1, max_length=200, description="What the shopper is looking for.")
    filters: SearchFilters | None = Field(
        default=None, description="Optional category prefix, brand, attributes."
    )


class SearchProducts:
    """Search the catalog and price the hits with the retailer."""

    name: ClassVar[str] = "search_products"
    description: ClassVar[str] = (
        "Search the store's catalog. Returns products that are in stock with live prices. "
        "Only SKUs returned here (or already in the cart) may be used by other tools."
    )
    args: ClassVar[type[BaseModel]] = SearchProductsArgs
    interactive: ClassVar[bool] = False

    async def run(self, turn: Turn, args: SearchProductsArgs) -> ToolResult:
        """Hits that the retailer prices and has in stock; others are dropped."""
        await turn.emitter.status("searching")
        hits = await turn.services.search.search(turn.tenant, args.query, limit=10, filters=args.filters)
        hits = personalise(hits, turn.profile)
        prices = await turn.live_prices([h.sku for h in hits])
        if turn.prices_failed:
            return ToolResult({"query": args.query, "items": [], "error": "prices_unavailable"})
        offers = []
        for hit in hits:
            price = prices.get(hit.sku)
            if price is None or not price.in_stock:
                continue
            turn.products[hit.sku] = hit
            offers.append(_offer(hit, price))
        turn.state.remember_skus([o["sku"] for o in offers])  # type: ignore[misc]
        return ToolResult({"query": args.query, "items": offers})


class GetProductDetailsArgs(BaseModel):
    sku: str = Field(min_length=1)


class GetProductDetails:
    """Everything the catalog knows about one product."""

    name: ClassVar[str] = "get_product_details"
    description: ClassVar[str] = (
        "Details of one product: description, ingredients, country, weight or volume."
    )
    args: ClassVar[type[BaseModel]] = GetProductDetailsArgs
    interactive: ClassVar[bool] = False

    async def run(self, turn: Turn, args: GetProductDetailsArgs) -> ToolResult:
        """Catalog facts plus the live price."""
        turn.require_seen(args.sku)
        product = (await turn.catalog_data([args.sku])).get(args.sku)
        if product is None:
            raise ToolError(f"no product {args.sku!r}")
        price = (await turn.live_prices([args.sku])).get(args.sku)
        details = product.model_dump(exclude_none=True, exclude={"is_active"})
        if price is not None:
            details.update(price=price.price, promo_price=price.promo_price, in_stock=price.in_stock)
        return ToolResult(details)


class ShowProductsArgs(BaseModel):
    skus: list[str] = Field(min_length=1, max_length=MAX_CARDS)


class ShowProducts:
    """Show product cards; prices come from this turn's products webhook only."""

    name: ClassVar[str] = "show_products"
    description: ClassVar[str] = (
        f"Show up to {MAX_CARDS} products to the shopper as cards with price and Add button."
    )
    args: ClassVar[type[BaseModel]] = ShowProductsArgs
    interactive: ClassVar[bool] = False

    async def run(self, turn: Turn, args: ShowProductsArgs) -> ToolResult:
        """Emit `product_cards` for the SKUs the retailer has in stock."""
        for sku in args.skus:
            turn.require_seen(sku)
        skus = list(dict.fromkeys(args.skus))
        prices = await turn.live_prices(skus)
        missing_info = [s for s in skus if s not in turn.products]
        catalog = await turn.catalog_data(missing_info) if missing_info else {}
        cards = []
        for sku in skus:
            price = prices.get(sku)
            info = turn.products.get(sku) or catalog.get(sku)
            if price is None or not price.in_stock or info is None:
                continue
            cards.append(
                ProductCard(
                    sku=sku, name=info.name, brand=info.brand, price=price.price, promo_price=price.promo_price,
                    promo_label=price.promo_label, image_url=info.image_url, unit=info.unit,
                    quantity_step=info.quantity_step, min_quantity=info.min_quantity, in_stock=price.in_stock,
                )
            )  # fmt: skip
        if cards:
            turn.emitter.ui(ProductCards(items=cards))
        return ToolResult(
            {
                "shown": [c.sku for c in cards],
                "not_available": [s for s in skus if s not in {c.sku for c in cards}],
            }
        )
