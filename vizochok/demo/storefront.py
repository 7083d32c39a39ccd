"""The demo shop's own read-only product feed: what its product grid shows, with the retailer's live prices."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import get

if TYPE_CHECKING:
    from vizochok.demo.retailer import DemoRetailer


def shelf(catalog: list[dict[str, Any]], retailer: DemoRetailer) -> list[dict[str, Any]]:
    """Active catalog products the retailer sells, in catalog order, with price, promo and stock."""
    items = []
    for product in catalog:
        live = retailer.products.get(product["sku"])
        if live is None or not product.get("is_active", True):
            continue
        category, _, subcategory = product.get("category_path", "").partition(" > ")
        items.append(
            {
                "sku": product["sku"],
                "name": product["name"],
                "brand": product.get("brand"),
                "category": category,
                "subcategory": subcategory,
                "unit": product.get("unit", "pcs"),
                "volume": product.get("volume"),
                "weight": product.get("weight"),
                "image_url": product.get("image_url"),
                "price": live["price"],
                "promo_price": live.get("promo_price"),
                "promo_label": live.get("promo_label"),
                "in_stock": live["stock"] > 0,
            }
        )
    return items


def storefront_products(catalog: list[dict[str, Any]], retailer: DemoRetailer) -> Any:
    """`GET /demo-retailer/storefront/products`: the grid's data; the platform never calls it."""

    @get("/demo-retailer/storefront/products", include_in_schema=False, sync_to_thread=False)
    def products() -> dict[str, Any]:
        return {"items": shelf(catalog, retailer)}

    return products
