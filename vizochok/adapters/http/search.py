"""`GET /api/v1/search`: catalog retrieval only, no webhook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import get
from litestar.params import Parameter

from vizochok.adapters.http.auth import key_with
from vizochok.adapters.http.body import clean_query
from vizochok.adapters.http.schemas import KEY_AUTH, KEY_ERRORS, SearchItem, SearchResults, errors
from vizochok.core.admin.access import tenant_of_key
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.models import Principal

if TYPE_CHECKING:
    from vizochok.core.ports import TenantRepository
    from vizochok.core.search.service import SearchService


@get(
    "/api/v1/search",
    tags=["search"],
    security=KEY_AUTH,
    responses=errors(*KEY_ERRORS),
    dependencies={"principal": key_with("catalog")},
    signature_namespace={"Principal": Principal},
)
async def search_catalog(
    principal: Principal,
    tenants: TenantRepository,
    search: SearchService,
    q: str = Parameter(min_length=1, max_length=200),
    limit: int = Parameter(default=10, ge=1, le=50),
) -> SearchResults:
    """`{"items": [{"sku", "name", "score"}]}`, best first."""
    # `%00` and friends decode to control characters: refused with the field, never a database error.
    q = clean_query(q, "q").strip()
    if not q:
        raise VizochokError(ErrorCode.VALIDATION_ERROR, "q is empty", field="q")
    hits = await search.search(await tenant_of_key(tenants, principal), q, limit=limit)
    return SearchResults(items=[SearchItem(sku=h.sku, name=h.name, score=h.score) for h in hits])
