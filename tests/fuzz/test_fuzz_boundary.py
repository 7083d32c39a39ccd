"""Property tests of the input boundary: whatever arrives, the answer is a frame or a documented refusal.

Bounded for CI (a few hundred examples, derandomized, well under a minute together);
`bench/fuzz.py` runs the same strategies against a live server at 100,000 frames.
"""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from tests.fuzz import corpus
from tests.fuzz.strategies import auth_frames, catalog_products, encode, raw_frames, search_queries
from vizochok.adapters.http.ws import decode_frame
from vizochok.adapters.search.postgres import tsqueries
from vizochok.core.catalog.service import validate_products
from vizochok.core.cleaning import BODY_LIMITS, InputRefused, decode_json
from vizochok.core.errors import ErrorCode
from vizochok.core.frames import Error
from vizochok.core.models import ProductInput
from vizochok.core.query import Dictionary, analyze
from vizochok.core.search.service import _searchable

CI = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
REFUSALS = {ErrorCode.INVALID_JSON, ErrorCode.MESSAGE_TOO_LARGE}


def assert_storable(value: Any, path: str = "") -> None:
    """What the boundary passes on can be stored anywhere: UTF-8, no NUL, finite numbers."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, str):
        value.encode("utf-8")  # raises on a lone surrogate
        assert "\x00" not in value, path
    elif isinstance(value, float):
        assert math.isfinite(value), path
    elif isinstance(value, dict):
        for key, item in value.items():
            assert_storable(key, path)
            assert_storable(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            assert_storable(item, f"{path}[{index}]")


def check_frame(raw: str) -> None:
    result = decode_frame({"type": "websocket.receive", "text": raw}, 65_536)
    if isinstance(result, Error):
        assert result.code in REFUSALS
        json.dumps(result.dump(), ensure_ascii=False).encode("utf-8")  # as the socket sends it
    else:
        assert_storable(result)


@CI
@given(raw_frames())
def test_any_frame_is_a_clean_frame_or_a_documented_refusal(raw: str) -> None:
    check_frame(raw)


@CI
@given(auth_frames().map(encode) | raw_frames(auth_frames()))
def test_any_auth_frame_is_clean_or_refused(raw: str) -> None:
    check_frame(raw)


def test_the_seed_corpus() -> None:
    for raw in corpus.FRAMES + [f.replace("{pk}", "pk_test_x") for f in corpus.AUTH_FRAMES]:
        check_frame(raw)


@CI
@given(st.lists(catalog_products(), max_size=5))
def test_catalog_bodies_are_clean_or_refused_with_a_field(products: list[dict[str, Any]]) -> None:
    try:
        body = decode_json(encode({"products": products}), BODY_LIMITS)
    except InputRefused as exc:
        assert exc.field.startswith("products") or "nested" in exc.reason
        return
    valid, errors = validate_products(body["products"])
    assert bool(valid or errors) == bool(products)  # every product is either stored or explained
    for product in valid:
        assert isinstance(product, ProductInput)
        assert_storable(product)
    for error in errors:
        error.encode("utf-8")


@CI
@given(st.lists(catalog_products(), max_size=5))
def test_imported_products_never_carry_unstorable_text(products: list[dict[str, Any]]) -> None:
    """The CLI import skips the HTTP boundary: `validate_products` cleans or refuses on its own."""
    valid, errors = validate_products(products)
    for product in valid:
        assert_storable(product)
    for error in errors:
        error.encode("utf-8")


def collect(strategy: st.SearchStrategy[Any], count: int) -> list[Any]:
    """Draw `count` examples deterministically (for checks that need the database, run outside `given`)."""
    found: list[Any] = []

    @settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(strategy)
    def draw(value: Any) -> None:
        found.append(value)

    draw()
    return found


async def test_no_query_makes_an_invalid_tsquery(database: Any) -> None:
    """Every query's tsquery literals are valid PostgreSQL, whatever the text (200 drawn + the corpus)."""
    dictionary = Dictionary(None, None)
    queries = [*corpus.SEARCH_QUERIES, *collect(search_queries, 200)]
    async with database.unscoped() as conn:
        for query in queries:
            own, needs = tsqueries(analyze(_searchable(query), dictionary))
            for literal in (own, *needs):
                await conn.execute("SELECT %s::tsquery", (literal,))
