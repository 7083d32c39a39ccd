"""Security headers: `nosniff` on every answer, and a Content-Security-Policy for each HTML page we serve.

The pages keep their scripts inline; the policy allows exactly those scripts by their SHA-256
hashes (`'sha256-…'`), so an injected `<script>` or event handler would not run. Styles stay
`'unsafe-inline'`: the widget sets `style` attributes on its elements, and style injection cannot
run code. No page may be framed (`frame-ancestors 'none'`): the admin panel holds a session, and
the storefront is a page of its own; retailers embed the widget script, never our pages.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)

COMMON_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "strict-origin-when-cross-origin"}


def script_hashes(html: str) -> str:
    """`'sha256-…'` sources for every inline `<script>` of `html`."""
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
        for body in _INLINE_SCRIPT.findall(html)
    )


def page_headers(html: str, *, img_src: str = "'self' data:") -> dict[str, str]:
    """Headers for one HTML page: its CSP (inline scripts by hash), no framing, no sniffing."""
    policy = "; ".join((
        "default-src 'none'",
        f"script-src 'self' {script_hashes(html)}",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {img_src}",
        "connect-src 'self'",  # same-origin ws:/wss: included (CSP level 3)
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))  # fmt: skip
    return {"Content-Security-Policy": policy, "X-Frame-Options": "DENY", **_title(COMMON_HEADERS)}


def _title(headers: dict[str, str]) -> dict[str, str]:
    return {"-".join(p.capitalize() for p in k.split("-")): v for k, v in headers.items()}


class SecurityHeadersMiddleware:
    """Adds `COMMON_HEADERS` to every HTTP answer that does not set them itself (API, widget, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass through, adding headers at `http.response.start`."""
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in COMMON_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
