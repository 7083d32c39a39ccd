"""HTTP JSON bodies through the input boundary (`vizochok.core.cleaning`) before any handler sees them."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.types import Empty

from vizochok.core.cleaning import BODY_LIMITS, InputRefused, MalformedJSON, decode_json
from vizochok.core.errors import ErrorCode, VizochokError


def refusal(exc: InputRefused) -> VizochokError:
    """`invalid_json` (400) for what is not JSON, `validation_error` (422) with the field for the rest."""
    if isinstance(exc, MalformedJSON):
        return VizochokError(ErrorCode.INVALID_JSON, exc.reason)
    extra = {"field": exc.field} if exc.field else {}
    return VizochokError(ErrorCode.VALIDATION_ERROR, str(exc), **extra)


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
