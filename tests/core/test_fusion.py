"""Reciprocal-rank fusion and the query helpers the engines share."""

from __future__ import annotations

from pathlib import Path

import pytest

import vizochok.adapters.search
from vizochok.adapters.db.memory import InMemoryCatalogRepository
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.adapters.search.memory import InMemoryProductSearch
from vizochok.core.catalog.service import CatalogService
from vizochok.core.models import SearchHit, Tenant
from vizochok.core.search.request import LegRankings, SearchRequest, fuse, normalize, rrf_fuse
from vizochok.core.search.service import SearchService


def test_rrf_sums_weighted_reciprocal_ranks() -> None:
    fused = dict(
        rrf_fuse({"vector": ["a", "b"], "fulltext": ["b", "c"]}, {"vector": 1.0, "fulltext": 2.0}, k=60)
    )
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 2 / 61)
    assert fused["c"] == pytest.approx(2 / 62)
    assert [sku for sku, _ in rrf_fuse({"vector": ["a", "b"], "fulltext": ["b", "c"]})] == ["b", "a", "c"]


def test_zero_weight_drops_a_leg() -> None:
    ((sku, score),) = rrf_fuse({"vector": ["a"], "fulltext": ["b"]}, {"vector": 0})
    assert sku == "b" and score == pytest.approx(1 / 61)


def test_normalize_folds_case_apostrophes_and_space() -> None:
    assert normalize("  М’ЯСО   Свиняче ") == normalize("мʼясо свиняче") == normalize("м'ясо свиняче")
    assert " " not in normalize("  м'ясо  ").strip() and normalize("A  B") == "a b"


# Fusion happens once, in the service, for every engine (issue 16).


class FixedLegs:
    """An engine that answers every request with the same legs (what any adapter hands back)."""

    def __init__(self, found: LegRankings) -> None:
        self.found = found
        self.requests: list[SearchRequest] = []

    async def legs(self, tenant_id: str, request: SearchRequest) -> LegRankings:
        self.requests.append(request)
        return self.found


def _product(sku: str) -> SearchHit:
    return SearchHit(sku=sku, name=f"Product {sku}", score=0.0)


LEGS_FOUND = LegRankings(
    {"vector": ["a", "b", "c"], "fulltext": ["c", "b"], "trigram": ["d"]},
    {sku: _product(sku) for sku in "abcd"},
)


PLAIN = {"name": 0.0, "name_power": 0.0}
"""Plain weighted RRF: no name leg, full-text hits not weighed by their names."""


def test_fuse_ranks_by_weighted_reciprocal_rank_and_keeps_the_products() -> None:
    hits = fuse(SearchRequest(text="x", limit=3, weights=PLAIN), LEGS_FOUND)
    # Scores: b gets 1/62 twice, c gets 1/63 and 1/61, a gets 1/61, d gets 0.5/61.
    assert [h.sku for h in hits] == ["c", "b", "a"]
    assert hits[0].score == pytest.approx(round(1 / 63 + 1 / 61, 6)) and hits[0].name == "Product c"
    assert LEGS_FOUND.products["c"].score == 0.0  # the engine's rows are not changed
    no_fulltext = fuse(SearchRequest(text="x", limit=4, weights={**PLAIN, "fulltext": 0.0}), LEGS_FOUND)
    assert [h.sku for h in no_fulltext] == ["a", "b", "c", "d"]


def test_full_text_hits_count_by_how_much_of_the_query_their_names_hold() -> None:
    """A full match in the name beats names with one common query word that the vector leg also likes."""
    names = {
        "cake": "Lemon Pound Cake", "thins": "Lemon Thins", "mix": "Organic Lemon Cake Mix",
        "long": "Lemon Pound Cake Gluten Free Family Size", "other": "Vanilla Wafers",
    }  # fmt: skip
    found = LegRankings(
        {"vector": ["thins", "mix", "other", "cake", "long"], "fulltext": ["long", "cake", "mix", "thins"]},
        {sku: SearchHit(sku=sku, name=name, score=0.0) for sku, name in names.items()},
    )
    request = SearchRequest(text="lemon pound cake", limit=5, language="en")
    plain = [h.sku for h in fuse(request.model_copy(update={"weights": PLAIN}), found)]
    assert set(plain[:2]) == {"mix", "thins"}  # RRF alone: two legs' mild agreement wins
    sharp = [h.sku for h in fuse(request, found)]
    assert sharp[:2] == ["cake", "long"]  # full matches first, the name that is the query first of all
    assert sharp.index("mix") < sharp.index("thins")  # two of three words before one
    other = SearchRequest(text="зовсім інше", limit=5)  # no name holds it: the full-text leg is not decisive
    assert fuse(other, found) == fuse(other.model_copy(update={"weights": PLAIN}), found)


def test_among_full_matches_the_name_whose_head_is_the_query_comes_first() -> None:
    """The `name` leg: an English name ends with what the product is, a Ukrainian one starts with it."""
    only_names = {"vector": 0.0, "fulltext": 0.001, "trigram": 0.0, "category": 0.0}  # the name leg decides

    def name_leg(text: str, language: str, names: dict[str, str]) -> list[str]:
        found = LegRankings(
            {"fulltext": list(names)},
            {sku: SearchHit(sku=sku, name=name, score=0.0) for sku, name in names.items()},
        )
        request = SearchRequest(text=text, language=language, weights=only_names)
        return [h.sku for h in fuse(request, found)]

    # Tightest first alone would put "Cashew Milk" (one word unasked) before the cashews (two).
    en = {"milk": "Cashew Milk", "nuts": "Roasted Salted Cashews", "bar": "Cashew Cookie Bar"}
    assert name_leg("cashew", "en", en)[0] == "nuts"
    uk = {"cheese": "Сир кисломолочний Ферма", "dumplings": "Вареники з сиром"}
    assert name_leg("сир", "uk", uk)[0] == "cheese"
    assert name_leg("сир", "uk", dict(reversed(uk.items())))[0] == "cheese"


async def test_the_service_fuses_the_engines_legs_with_the_tenants_weights() -> None:
    engine = FixedLegs(LEGS_FOUND)
    service = SearchService(engine, HashingEmbedder())
    tenant = Tenant(id="t", name="t", store_id="s", search={"weights": PLAIN})
    hits = await service.search(tenant, "молоко", limit=3)
    assert [h.sku for h in hits] == [h.sku for h in fuse(engine.requests[-1], LEGS_FOUND)] == ["c", "b", "a"]
    only_trigram = tenant.model_copy(update={"search": {"weights": {"vector": 0, "fulltext": 0}}})
    assert [h.sku for h in await service.search(only_trigram, "молоко", limit=3)] == ["d"]


async def test_the_memory_engine_returns_legs_and_the_service_fuses_them() -> None:
    catalog = InMemoryCatalogRepository()
    embedder = HashingEmbedder()
    catalog_service = CatalogService(catalog, embedder)
    job, _ = await catalog_service.upsert("t", [
        {"sku": "m1", "name": "Молоко Галичина 2,5%", "brand": "Галичина"},
        {"sku": "m2", "name": "Молоко Яготинське 1,5%"},
        {"sku": "k1", "name": "Кефір Галичина"},
    ])  # fmt: skip
    await catalog_service.wait(job.job_id)
    engine = InMemoryProductSearch(catalog)
    service = SearchService(engine, embedder)
    tenant = Tenant(id="t", name="t", store_id="s")
    request, found = await service.rankings(tenant, "молоко галичина")
    assert found.ranking("fulltext")[0] == "m1" and set(found.ranking("vector")) == {"m1", "m2", "k1"}
    # The same legs through the stub engine fuse to the same order: nothing in the engine fuses.
    stub = SearchService(FixedLegs(found), embedder)
    assert (
        [h.sku for h in await service.search(tenant, "молоко галичина")]
        == [h.sku for h in await stub.search(tenant, "молоко галичина")]
        == [h.sku for h in fuse(request, found)]
    )


def test_no_engine_fuses_on_its_own() -> None:
    """Every search adapter hands back legs; `core.search.fuse` is the one place they are combined."""
    package = Path(vizochok.adapters.search.__file__).parent
    for source in package.glob("*.py"):
        text = source.read_text("utf-8")
        assert "rrf_fuse" not in text and "fuse(" not in text, source.name
