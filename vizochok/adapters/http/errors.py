"""Every HTTP error is JSON `{"code", "detail"}` with a fitting status."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from litestar import MediaType, Response
from litestar.exceptions import HTTPException, ValidationException

from vizochok.core.errors import ErrorCode, VizochokError

if TYPE_CHECKING:
    from litestar import Request

_log = logging.getLogger(__name__)

_BY_STATUS = {
    400: ErrorCode.VALIDATION_ERROR,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.NOT_FOUND,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    429: ErrorCode.RATE_LIMIT_EXCEEDED,
    503: ErrorCode.SERVICE_UNAVAILABLE,
}


def _json(status: int, code: str, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    return Response({"code": code, "detail": detail, **extra}, status_code=status, media_type=MediaType.JSON)


def vizochok_error(_: Request[Any, Any, Any], exc: VizochokError) -> Response[dict[str, Any]]:
    """A core error, by its code."""
    return _json(exc.http_status, exc.code, exc.detail or exc.code.replace("_", " "), **exc.extra)


def http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    """Litestar's own errors, in our shape."""
    if isinstance(exc, ValidationException):
        errors = exc.extra if isinstance(exc.extra, list) else []
        # `field` names the first offending field, as the input boundary's own refusals do.
        first = next((e.get("key") for e in errors if isinstance(e, dict) and e.get("key")), None)
        extra = {"field": first} if first else {}
        return _json(422, ErrorCode.VALIDATION_ERROR, str(exc.detail), errors=errors, **extra)
    code = _BY_STATUS.get(exc.status_code, ErrorCode.INTERNAL_ERROR)
    return _json(exc.status_code, code, str(exc.detail))


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """A bug: logged with its traceback, answered without internals."""
    _log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _json(500, ErrorCode.INTERNAL_ERROR, "internal error; it has been logged")


EXCEPTION_HANDLERS = {VizochokError: vizochok_error, HTTPException: http_error, Exception: unexpected_error}
