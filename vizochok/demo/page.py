"""The demo's page at `/`: a grocery storefront with the widget, its public key and store filled in."""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any

from litestar import MediaType, Response, get

from vizochok.adapters.http.security import page_headers

if TYPE_CHECKING:
    from vizochok.demo.setup import DemoTenant


def page_handler(config: dict[str, Any]) -> Any:
    """`GET /` with the demo's public key and store filled in once the tenant exists."""
    template = resources.files("vizochok.web.static").joinpath("demo.html").read_text("utf-8")

    @get("/", include_in_schema=False)
    async def index() -> Response[str]:
        # `</` escaped: a value in the config can never close the inline script early.
        html = template.replace("/*VIZOCHOK_CONFIG*/{}", json.dumps(config, ensure_ascii=False).replace("</", "<\\/"))
        # Product pictures may come from any https host a retailer uses.
        return Response(html, media_type=MediaType.HTML, headers=page_headers(html, img_src="'self' data: https:"))

    return index


def page_config(demo: DemoTenant, store_id: str) -> dict[str, Any]:
    """What the page needs: only the public key, never the secret one."""
    return {"apiKey": demo.public_key, "storeId": store_id}
