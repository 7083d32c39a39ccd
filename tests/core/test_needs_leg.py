"""The needs leg: only products that *are* a need, earlier needs first (`core/search/needs.py`)."""

from __future__ import annotations

from vizochok.core.models import SearchHit
from vizochok.core.query import analyze
from vizochok.core.search.needs import needs_ranking
from vizochok.core.search.request import LegRankings, SearchRequest, fuse


def _hit(sku: str, name: str, category: str = "") -> SearchHit:
    return SearchHit(sku=sku, name=name, score=0.0, category_path=category or None)


PRODUCTS = {
    h.sku: h
    for h in (
        _hit("kvas", "Квас Тарас темний 2 л", "Напої > Квас"),
        _hit("beans", "Квасоля біла Bonduelle 400 г", "Консерви > Овочеві консерви"),
        _hit("butter", "Масло вершкове Простонаше 73%", "Молочні продукти > Масло вершкове"),
        _hit("wafers", "Вафлі Roshen Wafers вершкові", "Солодощі > Вафлі"),
        _hit("sugar", "Цукор тростинний Своя Лінія 500 г", "Бакалія > Цукор та сіль"),
        _hit("salt", "Сіль йодована Своя Лінія 1 кг", "Бакалія > Цукор та сіль"),
        _hit("choc", "Шоколад молочний Корона з цілим горіхом", "Солодощі > Шоколад"),
        _hit("cashew", "Кешью смажений 150 г", "Снеки > Горіхи та насіння"),
        _hit("mozz", "Сир Моцарела Galbani 250 г", "Молочні продукти > Сири"),
    )
}


def _only(need: str, skus: list[str]) -> list[str]:
    return needs_ranking([skus], PRODUCTS, [tuple(analyze(need).groups[0][:1])])


def test_a_need_is_what_the_name_or_the_category_says_the_product_is() -> None:
    assert _only("квас", ["kvas", "beans"]) == ["kvas"]  # not the beans "квас…" is a prefix of
    assert _only("моцарела", ["mozz"]) == ["mozz"]  # the second name word says what it is too
    assert _only("горіхи", ["choc", "cashew"]) == ["cashew"]  # its category; not a bar "з горіхом"
    # A product named for the need outranks its category's others: sugar, not the salt beside it.
    assert _only("цукор", ["salt", "sugar"]) == ["sugar"]
    # Nothing is cream: an adjective in a name is not the need, and nothing replaces it.
    assert _only("вершки", ["wafers", "butter"]) == []


def test_later_needs_start_further_down() -> None:
    per_need = [["a1", "a2", "a3"], ["b1", "b2"], ["c1"]]
    needs = [("ax",), ("bx",), ("cx",)]
    products = {s: _hit(s, f"{s[0]}x {s}") for need in per_need for s in need}
    assert needs_ranking(per_need, products, needs, step=0) == ["a1", "b1", "c1", "a2", "b2", "a3"]
    assert needs_ranking(per_need, products, needs, step=1) == ["a1", "b1", "a2", "c1", "b2", "a3"]


def test_fuse_builds_the_needs_leg_from_an_engines_per_need_legs() -> None:
    found = LegRankings.of({"vector": [], "need:0": ["beans", "kvas"], "need:1": ["butter"]}, PRODUCTS)
    assert found.needs == [["beans", "kvas"], ["butter"]] and "need:0" not in found.legs
    request = SearchRequest(text="для окрошки")
    request.analysis = analyze("для окрошки")
    assert [h.sku for h in fuse(request, found)] == ["kvas"]


def test_an_english_name_says_what_it_is_at_its_end_before_the_amount() -> None:
    products = {
        "bar": _hit("bar", "Milk Chocolate Bar 3 oz", "snacks > candy chocolate"),
        "milk": _hit("milk", "Organic Grass Fed Whole Milk 64 oz", "dairy eggs > milk"),
    }
    # Both are named for milk: one by its first word, one by its last before the amount (which the
    # index terms append: the gallon of milk must not fall back to its category and be dropped).
    assert needs_ranking([["bar", "milk"]], products, [("milk",)], language="en") == ["bar", "milk"]
