"""The demo server: the platform, the demo retailer mounted beside it, and the page at `/`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vizochok.app import create_app
from vizochok.container import build_container, get
from vizochok.demo.page import page_config, page_handler
from vizochok.demo.retailer import DemoRetailer, load_retailer_data
from vizochok.demo.setup import demo_tenant_file, ensure_demo_catalog, ensure_demo_tenant, load_catalog
from vizochok.demo.storefront import storefront_products

if TYPE_CHECKING:
    from litestar import Litestar

    from vizochok.container import Container
    from vizochok.settings import Settings


def create_demo_app(settings: Settings, base_url: str, *, wait_for_vectors: bool = False) -> Litestar:
    """`settings` must allow private webhook hosts: the retailer lives on this machine.

    `wait_for_vectors` holds start-up until the demo catalog is embedded (tests that compare rankings).
    """
    data = load_retailer_data()
    catalog = load_catalog()
    retailer = DemoRetailer(products=data["products"], names={p["sku"]: p["name"] for p in catalog})
    config: dict[str, Any] = {}

    async def on_ready(_app: Litestar, container: Container) -> None:
        demo = await ensure_demo_tenant(
            container, base_url, demo_tenant_file(settings.data_dir, settings.profile)
        )
        tenant = await (await get(container.tenants)).get(demo.tenant_id)
        assert tenant is not None  # noqa: S101 - just ensured
        retailer.secret = demo.webhook_secret
        config.update(page_config(demo, tenant.store_id))
        await ensure_demo_catalog(container, demo.tenant_id, wait=wait_for_vectors)

    app = create_app(
        settings,
        container=build_container(settings),
        extra_routes=[retailer.router(), storefront_products(catalog, retailer), page_handler(config)],
        on_ready=[on_ready],
    )
    app.state.retailer = retailer
    app.state.demo_config = config
    return app
