"""HTTP JSON bodies through the input boundary (`vizochok.core.cleaning`) before any handler sees them."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.enums import ScopeType
from litestar.types import Empty

from vizochok.core.cleaning import BODY_LIMITS, InputRefused, MalformedJSON, clean_string, decode_json
from vizochok.core.errors import ErrorCode, VizochokError

if TYPE_CHECKING:
    from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Receive, Scope, Send


def refusal(exc: InputRefused) -> VizochokError:
    """`invalid_json` (400) for what is not JSON, `validation_error` (422) with the field for the rest."""
    if isinstance(exc, MalformedJSON):
        return VizochokError(ErrorCode.INVALID_JSON, exc.reason)
    extra = {"field": exc.field} if exc.field else {}
    return VizochokError(ErrorCode.VALIDATION_ERROR, str(exc), **extra)


def clean_query(value: str, field: str) -> str:
    """A query parameter through the input boundary: refused (422 with the field) rather than passed on."""
    try:
        return clean_string(value, field, BODY_LIMITS)
    except InputRefused as exc:
        raise refusal(exc) from None


class CleanRequest(Request[Any, Any, Any]):
    """A request whose `json()` is decoded with limits and cleaned: Litestar's `data` comes from here.

    Litestar's own decoder would hand on NUL characters (PostgreSQL refuses them: a 500), lone
    surrogates, `1e309` as infinity, and nesting as deep as the body allows.
    """

    async def json(self) -> Any:
        """The cleaned body; raises `VizochokError` for a body the boundary refuses."""
        if self._json is Empty:
            if (cached := self._connection_state.json) is not Empty:
                self._json = cached
            else:
                body = await self.body()
                try:
                    value = decode_json(body or b"null", BODY_LIMITS)
                except InputRefused as exc:
                    raise refusal(exc) from None
                self._json = self._connection_state.json = value
        return self._json


_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _unsafe_part(scope: Scope) -> str | None:
    """The name of the first path or query part with a control character or a lone surrogate."""
    if _UNSAFE.search(scope.get("path", "")):
        return "path"
    query = scope.get("query_string", b"").decode("latin-1")
    if "%" not in query and query.isprintable():
        return None
    for name, value in parse_qsl(query, keep_blank_values=True, errors="surrogateescape"):
        if _UNSAFE.search(name) or _UNSAFE.search(value):
            return _UNSAFE.sub("", name)[:50] or "query"
    return None


class CleanPathMiddleware:
    """Refuses a path or query parameter with a NUL, another control character or undecodable bytes.

    `%00` in `/api/v1/profiles/u%00` or `?q=a%00` would otherwise reach PostgreSQL, which refuses
    NUL in text: a 500. Answered here, once, for every route: 422 `validation_error` with the field.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse, or pass through."""
        if scope["type"] == ScopeType.HTTP and (field := _unsafe_part(scope)) is not None:
            detail = f"{field}: contains a control character or invalid bytes"
            body = json.dumps({"code": "validation_error", "detail": detail, "field": field}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            start: HTTPResponseStartEvent = {"type": "http.response.start", "status": 422, "headers": headers}
            end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
            await send(start)
            await send(end)
            return
        await self.app(scope, receive, send)
