"""Who an API key is and which tenant it acts for: the rules every key-authenticated endpoint shares.

The HTTP handlers only take the token out of the `Authorization` header; whether it is missing, unknown,
of the wrong kind or scope, or names a tenant that is gone is decided here, once (the chat socket's
handshake uses `tenant_of_key` too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.core.errors import ErrorCode, VizochokError

if TYPE_CHECKING:
    from vizochok.core.models import Principal, Scope, Tenant
    from vizochok.core.ports import KeyRepository, TenantRepository


async def server_key(keys: KeyRepository, token: str | None, scope: Scope) -> Principal:
    """The principal of an `sk_` key with `scope`.

    Refused with 401 `unauthorized` without a token, 401 `invalid_api_key` for an unknown or revoked
    one, and 403 `forbidden` for a `pk_` key or a key without the scope.
    """
    if not token:
        raise VizochokError(ErrorCode.UNAUTHORIZED, "send Authorization: Bearer <sk_ key>")
    principal = await keys.authenticate(token)
    if principal is None:
        raise VizochokError(ErrorCode.INVALID_API_KEY, "unknown or revoked key")
    if principal.kind != "sk" or scope not in principal.scopes:
        raise VizochokError(ErrorCode.FORBIDDEN, f"this endpoint needs an sk_ key with the {scope!r} scope")
    return principal


async def tenant_of_key(tenants: TenantRepository, principal: Principal) -> Tenant:
    """The tenant a key belongs to; a key whose tenant is gone is as good as unknown (`invalid_api_key`)."""
    tenant = await tenants.get(principal.tenant_id)
    if tenant is None:
        raise VizochokError(ErrorCode.INVALID_API_KEY, "unknown or revoked key")
    return tenant
