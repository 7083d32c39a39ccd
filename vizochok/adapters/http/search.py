"""`GET /api/v1/search`: catalog retrieval only, no webhook."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import get
from litestar.params import Parameter

from vizochok.adapters.http.auth import authorize
from vizochok.adapters.http.body import refusal
from vizochok.adapters.http.schemas import KEY_AUTH, KEY_ERRORS, SearchItem, SearchResults, errors
from vizochok.core.cleaning import BODY_LIMITS, InputRefused, clean_string
from vizochok.core.errors import ErrorCode, VizochokError

if TYPE_CHECKING:
    from litestar import Request

    from vizochok.core.ports import KeyRepository, TenantRepository
    from vizochok.core.search.service import SearchService


@get("/api/v1/search", tags=["search"], security=KEY_AUTH, responses=errors(*KEY_ERRORS))
async def search_catalog(
    request: Request[Any, Any, Any],
    keys: KeyRepository,
    tenants: TenantRepository,
    search: SearchService,
    q: str = Parameter(min_length=1, max_length=200),
    limit: int = Parameter(default=10, ge=1, le=50),
) -> SearchResults:
    """`{"items": [{"sku", "name", "score"}]}`, best first."""
    principal = await authorize(request, keys, "catalog")
    try:
        # `%00` and friends decode to control characters: refused with the field, never a database error.
        q = clean_string(q, "q", BODY_LIMITS).strip()
    except InputRefused as exc:
        raise refusal(exc) from None
    if not q:
        raise VizochokError(ErrorCode.VALIDATION_ERROR, "q is empty", field="q")
    tenant = await tenants.get(principal.tenant_id)
    if tenant is None:
        raise VizochokError(ErrorCode.INVALID_API_KEY)
    hits = await search.search(tenant, q, limit=limit)
    return SearchResults(items=[SearchItem(sku=h.sku, name=h.name, score=h.score) for h in hits])
