"""The credentials of HTTP requests, taken out of their headers: the services decide what they are worth."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide

from vizochok.core.admin.access import server_key
from vizochok.core.admin.model import AdminIdentity
from vizochok.core.admin.service import AdminService
from vizochok.core.models import Principal, Scope
from vizochok.core.ports import KeyRepository

ADMIN_COOKIE = "vz_admin"
CSRF_HEADER = "x-csrf-token"
TENANT_HEADER = "x-vizochok-tenant"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_token(request: Request[Any, Any, Any]) -> str | None:
    """The token of `Authorization: Bearer <token>`, or None without that header."""
    header = request.headers.get("authorization", "")
    return header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None


def key_with(scope: Scope) -> Provide:
    """A dependency giving the handler the principal of an `sk_` key with `scope` (`core.admin.access`)."""

    async def principal(request: Request[Any, Any, Any], keys: KeyRepository) -> Principal:
        return await server_key(keys, bearer_token(request), scope)

    return Provide(principal)


async def admin_identity(
    request: Request[Any, Any, Any], admin: AdminService, keys: KeyRepository
) -> AdminIdentity:
    """Who calls the admin API: an `sk_` key with the `admin` scope, or the session cookie.

    Only the headers are read here; the key's kind and scope, the CSRF token on changes and an
    operator's choice of tenant are `core` rules (`server_key`, `AdminService.session_identity`).
    """
    token = bearer_token(request)
    if token is not None:
        return admin.key_identity(await server_key(keys, token, "admin"))
    return await admin.session_identity(
        request.cookies.get(ADMIN_COOKIE),
        csrf=request.headers.get(CSRF_HEADER),
        changes=request.method not in _SAFE,
        acting_for=request.headers.get(TENANT_HEADER),
    )


ADMIN = {"identity": Provide(admin_identity)}
"""The admin controllers' dependencies: a handler names `identity: AdminIdentity` and gets the caller."""
