"""Query understanding: folding, scripts, layouts, stems, amounts and the dictionary, with no engine."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from vizochok.core.query import Dictionary, analyze, fold, index_terms, quantities, stem
from vizochok.core.query.fold import is_cyrillic
from vizochok.core.query.script import (
    cyrillic_plausibility,
    layout_to_english,
    layout_to_russian,
    layout_to_ukrainian,
    to_cyrillic,
    to_latin,
)

OFF = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "off-cyrillic"


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("кефiр", "кефір"),  # Latin i inside a Cyrillic word
        ("КEФІР", "кефір"),  # Latin capital E
        ("мʼясо", "мясо"),
        ("м’ясо", "мясо"),
        ("м'ясо", "мясо"),
        ("Ґринджоли", "гринджоли"),
        ("моло́ко", "молоко"),
        ("Nescafé", "nescafe"),
        ("milkа", "milka"),  # Cyrillic а inside a Latin word
        ("їжак   Йогурт", "їжак йогурт"),
    ],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_national_standard_transliteration() -> None:
    # Examples from the standard's own table (КМУ №55, 2010).
    assert to_latin("згорани") == "zghorany"
    assert to_latin("щука") == "shchuka"
    assert to_latin("юрій") == "yurii"
    assert to_latin("яготинське") == "yahotynske"
    assert to_latin("їжакевич") == "yizhakevych"


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("moloko galychyna", "молоко галичина"),
        ("syr kyslomolochnyi", "сир кисломолочний"),
        ("yohurt", "йогурт"),
        ("pechyvo", "печиво"),
        ("shchuka", "щука"),
        ("zhmenka", "жменка"),
        ("kolbasa", "колбаса"),
    ],
)
def test_informal_latin_reads_as_cyrillic(latin: str, cyrillic: str) -> None:
    assert to_cyrillic(latin) == cyrillic


def _real_words(limit: int = 600) -> list[str]:
    """Cyrillic words of real product names (Open Food Facts), for known-item checks."""
    if not OFF.exists():
        pytest.skip("shared data folder absent")
    words: list[str] = []
    with next(OFF.glob("*.csv")).open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["name_script"] == "cyrillic":
                words += [
                    w
                    for w in fold(row["product_name"]).split()
                    if w.isalpha() and len(w) > 3 and is_cyrillic(w)
                ]
    return list(dict.fromkeys(words))[:limit]


def test_real_names_typed_on_the_english_layout_are_recovered() -> None:
    words = _real_words()
    en_keys = str.maketrans("йцукенгшщзхїфівапролджєячсмитьбюыэъё", "qwertyuiop[]asdfghjkl;'zxcvbnm,.s']`")
    found = 0
    for word in words:
        typed = word.translate(en_keys)
        found += any(stem(word) in group for group in analyze(typed).groups)
    assert found / len(words) > 0.9


def test_real_names_in_transliteration_are_recovered() -> None:
    # Only words the standard covers one to one (no Russian-only letters).
    words = [w for w in _real_words() if not set(w) & set("ыэъё")]
    found = sum(any(stem(w) in group for group in analyze(to_latin(w)).groups) for w in words)
    assert found / len(words) > 0.6


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("vjkjrj", "молоко"),
        ("cjcbcrb", "сосиски"),
        ("rfhnjgkz", "картопля"),
        ("xfq", "чай"),
        ("ctktlrf", "селедка"),
    ],
)
def test_wrong_layout(typed: str, meant: str) -> None:
    assert meant in (layout_to_ukrainian(typed), layout_to_russian(typed))


def test_layout_back_to_english() -> None:
    assert layout_to_english("ьшдл") == "milk"
    assert layout_to_english("иуук") == "beer"


def test_plausibility_tells_words_from_key_mash() -> None:
    assert cyrillic_plausibility("молоко") > cyrillic_plausibility(layout_to_ukrainian("moloko"))
    assert cyrillic_plausibility(layout_to_ukrainian("gtxbdj")) > cyrillic_plausibility(to_cyrillic("gtxbdj"))


@pytest.mark.parametrize(
    "forms",
    [
        ["кефір", "кефіру", "кефіром"],
        ["сосиска", "сосиски", "сосисок"],
        ["крильця", "крилець"],
        ["молоко", "молока", "молоком"],
        ["галичина", "галичини", "галичиною"],
        ["безлактозне", "безлактозное", "безлактозний"],
    ],
)
def test_inflected_forms_share_a_stem(forms: list[str]) -> None:
    assert len({stem(f) for f in forms}) == 1


def test_amounts() -> None:
    assert {(q.unit, q.value) for q in quantities(fold("Молоко 2,5% 900мл"))} == {("pct", 2.5), ("ml", 900.0)}
    assert [(q.unit, q.value) for q in quantities(fold("вода 1,5 л"))] == [("ml", 1500.0)]
    assert [(q.unit, q.value) for q in quantities(fold("1.5 L"))] == [("ml", 1500.0)]
    assert [(q.unit, q.value) for q in quantities(fold("яйця десяток"))] == [("pcs", 10.0)]
    assert [(q.unit, q.value) for q in quantities(fold("сметана 15 відсотків"))] == [("pct", 15.0)]
    # Query and product spell the same amount differently and still share an index term.
    assert set(index_terms("1,5 л")) & set(index_terms("Вода 1500 мл"))


def test_analysis_reads_every_way() -> None:
    layout = analyze("vjkjrj")
    assert any("молок" in g for g in layout.groups)
    assert layout.vector_text == "молоко"
    translit = analyze("moloko galychyna")
    assert "молоко галичина" in translit.readings
    english = analyze("butter")
    assert "масло" in english.vector_text
    russian = analyze("сыр")
    assert any("сир" in g for g in russian.groups)
    code = analyze("4826253600158")
    assert code.codes == ("4826253600158",)


def test_dishes_ask_for_their_groceries() -> None:
    pilaf = analyze("для плову")
    assert ("рис",) in pilaf.needs
    assert pilaf.groups == ()  # nobody wants a product called "плов" here
    coffee = analyze("кава")
    assert coffee.needs == ()  # coffee itself, not what goes with it
    assert analyze("щось до кави").needs


def test_only_the_word_right_before_a_dish_product_makes_it_a_purpose() -> None:
    breakfast_coffee = analyze("кава на сніданок")
    assert ("кав", "kava") in breakfast_coffee.groups  # the shopper still wants coffee
    assert ("пластівц",) in breakfast_coffee.needs  # and breakfast things besides
    assert analyze("до чаю").needs  # a form the stemmer keeps apart from "чай" is listed with it
    assert analyze("чай зелений").needs == ()
    assert analyze("перець солодкий").needs == ()  # "солодке" means sweets only as "щось солодке"
    assert ("шоколад",) in analyze("щось солодке").needs
    assert analyze("млинці").needs == () and analyze("приготувати млинці").needs


def test_occasions_and_dishes_in_other_languages() -> None:
    for text in ("for borscht", "для борща", "dlia borshchu"):
        assert ("буряк",) in analyze(text).needs, text
    beer_snacks = analyze("snacks for beer")
    assert ("чіпс",) in beer_snacks.needs
    assert not any("пив" in group for group in beer_snacks.groups)  # beer itself is not what is searched
    assert ("корм", "кот") in analyze("для кота").needs and ("корм", "кот") in analyze("cat food").needs


def test_tenant_dictionary_extends_the_base() -> None:
    assert not any("кріплене" in g for g in analyze("porto").groups)
    own = Dictionary({"porto": ["портвейн", "кріплене"]}, {"сирна тарілка": "сир, виноград, горіхи"})
    assert any("кріплен" in g for g in analyze("porto", own).groups)
    assert own.lookup("milk") == Dictionary().lookup("milk")  # the base stays
