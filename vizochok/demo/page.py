"""The demo's page at `/`: a grocery storefront with the widget, its public key and store filled in."""

from __future__ import annotations

import json
import secrets
from importlib import resources
from typing import TYPE_CHECKING, Any

from litestar import MediaType, Request, Response, get
from litestar.datastructures import Cookie

from vizochok.adapters.http.security import page_headers
from vizochok.core.identity import user_hash

if TYPE_CHECKING:
    from vizochok.demo.setup import DemoTenant


def page_handler(config: dict[str, Any]) -> Any:
    """`GET /` with the demo's public key and store filled in once the tenant exists."""
    template = resources.files("vizochok.web.static").joinpath("demo.html").read_text("utf-8")

    @get("/", include_in_schema=False)
    async def index(request: Request[Any, Any, Any]) -> Response[str]:
        # `</` escaped in the config: a value can never close the inline script early.
        # Each browser is "signed in" as its own demo customer (kept in a cookie, as a shop's session
        # would be), so that two visitors never share a cart at the demo retailer.
        customer = request.cookies.get(CUSTOMER_COOKIE, "")
        if not customer.startswith(DEMO_CUSTOMER) or len(customer) > 64 or not customer.isascii():  # noqa: PLR2004
            customer = f"{DEMO_CUSTOMER}-{secrets.token_hex(6)}"
        signing = config.get("_identity_secret")
        page = {k: v for k, v in config.items() if not k.startswith("_")}
        if signing:
            page.update(userId=customer, userHash=user_hash(signing, customer))
        html = template.replace(
            "/*VIZOCHOK_CONFIG*/{}", json.dumps(page, ensure_ascii=False).replace("</", "<\\/")
        )
        cookie = Cookie(key=CUSTOMER_COOKIE, value=customer, httponly=True, samesite="lax", path="/")
        # Product pictures may come from any https host a retailer uses.
        headers = page_headers(html, img_src="'self' data: https:")
        return Response(html, media_type=MediaType.HTML, headers=headers, cookies=[cookie])

    return index


DEMO_CUSTOMER = "demo-customer"
"""Prefix of the shopper ids the demo storefront has "signed in"; each is signed as a retailer's backend would."""
CUSTOMER_COOKIE = "demo_customer"


def page_config(demo: DemoTenant, store_id: str) -> dict[str, Any]:
    """What the page needs: only the public key, never the secret one; the customer id with its signature.

    The page is rendered by the (demo) retailer's backend, which knows who is signed in: it signs
    the customer id with the tenant's identity secret, and the secret never reaches the browser.
    """
    config: dict[str, Any] = {"apiKey": demo.public_key, "storeId": store_id}
    if demo.identity_secret:
        # Kept server-side: the handler signs each visitor's id with it and drops it from the page.
        config["_identity_secret"] = demo.identity_secret
    return config
