"""`GET /widget/v1/vizochok-widget.js`: the widget SDK, one file, served at a versioned path."""

from __future__ import annotations

from functools import cache
from importlib import resources

from litestar import Response, get

WIDGET_PATH = "/widget/v1/vizochok-widget.js"
"""Stable within a major version: pages embed this URL and keep working across compatible releases."""


@cache
def widget_source() -> str:
    """The SDK's source, read once from the package."""
    return resources.files("vizochok.web.static").joinpath("vizochok-widget.js").read_text("utf-8")


@get(WIDGET_PATH, include_in_schema=False, sync_to_thread=False)
def widget_script() -> Response[str]:
    """The script behind the one-tag install; cached for an hour, served cross-origin to retailers' pages."""
    return Response(
        widget_source(),
        media_type="text/javascript; charset=utf-8",
        headers={
            "Cache-Control": "public, max-age=3600",
            "Access-Control-Allow-Origin": "*",
            "X-Content-Type-Options": "nosniff",
        },
    )
