"""Bearer-key authorization of HTTP requests."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vizochok.core.errors import ErrorCode, VizochokError

if TYPE_CHECKING:
    from litestar import Request

    from vizochok.core.models import Principal, Scope
    from vizochok.core.ports import KeyRepository


async def authorize(request: Request[Any, Any, Any], keys: KeyRepository, scope: Scope) -> Principal:
    """The principal of an `sk_` key with `scope`, or 401/403."""
    header = request.headers.get("authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    if not token:
        raise VizochokError(ErrorCode.UNAUTHORIZED, "send Authorization: Bearer <sk_ key>")
    principal = await keys.authenticate(token)
    if principal is None:
        raise VizochokError(ErrorCode.INVALID_API_KEY, "unknown or revoked key")
    if principal.kind != "sk" or scope not in principal.scopes:
        raise VizochokError(ErrorCode.FORBIDDEN, f"this endpoint needs an sk_ key with the {scope!r} scope")
    return principal
