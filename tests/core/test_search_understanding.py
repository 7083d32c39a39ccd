"""Language-aware terms, the tenant vocabulary (typos) and category matching, with no engine."""

from __future__ import annotations

import time

from vizochok.core.query import analyze, index_terms
from vizochok.core.query.analyze import term
from vizochok.core.query.categories import CategoryIndex
from vizochok.core.query.language import catalog_language, detect_language, english_stem
from vizochok.core.query.vocabulary import Vocabulary


def test_language_of_a_text() -> None:
    assert detect_language("молоко галичина") == "uk"
    assert detect_language("сир кисломолочний їжачок") == "uk"
    assert detect_language("подсолнечное масло") == "ru"
    assert detect_language("organic whole milk") == "en"
    assert detect_language("milka шоколад молочний") == "uk"  # a Latin brand inside a Ukrainian name
    assert detect_language("12345") == ""
    assert catalog_language(["Organic Bananas", "Whole Milk", "Молоко"]) == "en"


def test_english_text_is_stemmed_and_loses_stop_words() -> None:
    assert index_terms("Noodle Soup Mix With Chicken Broth") == ["noodl", "soup", "mix", "chicken", "broth"]
    # Singular and plural, on both sides of a match, meet in one term.
    assert term("strawberries") == term("strawberry") == english_stem("strawberries")
    assert index_terms("Frozen Vegetables") == index_terms("frozen vegetable")
    # Cyrillic keeps its own stemmer.
    assert index_terms("Сосиски молочні") == ["сосиск", "молочн"]


def test_english_query_on_an_english_catalog_embeds_english() -> None:
    assert analyze("butter").vector_text == "масло вершкове"  # a Ukrainian catalog: the translation
    assert analyze("butter", language="en").vector_text == "butter"
    # The dish table's needs are Ukrainian phrases: an English catalog does not expand dishes.
    assert analyze("for borscht", language="en").needs == ()
    assert analyze("for borscht").needs


def test_vocabulary_corrects_only_unknown_words() -> None:
    names = [
        "Organic Whole Milk",
        "Organic Bananas",
        "Greek Yogurt Plain",
        "Chocolate Chip Cookies",
        "Молоко Галичина 2,5%",
    ]
    vocabulary = Vocabulary.from_texts(names, term)
    assert vocabulary.correct("oganic") == ["organic"]
    assert vocabulary.correct("yougurt") == ["yogurt"]
    assert vocabulary.correct("organic") == []  # known
    assert vocabulary.correct("zzzzzz") == []
    typo = analyze("oganic milk", language="en", vocabulary=vocabulary)
    assert "organic" in typo.groups[0]
    assert typo.vector_text == "organic milk"
    # A word the catalog knows in another form is not "corrected": «молока» is a form of «молоко».
    assert analyze("молока", vocabulary=vocabulary).groups == analyze("молока").groups
    # Transliteration that reads as a known Cyrillic word is not a typo either.
    assert analyze("moloko", vocabulary=vocabulary).groups == analyze("moloko").groups


def test_vocabulary_lookup_is_fast_next_to_a_common_word() -> None:
    names = [f"Organic {w} {i}" for i in range(2000) for w in ("milk", "apples", "pasta")]
    names += [f"Product{i} special" for i in range(5000)]
    vocabulary = Vocabulary.from_texts(names, term)
    start = time.perf_counter()
    for _ in range(20):
        assert vocabulary.correct("oganic") == ["organic"]
    assert (time.perf_counter() - start) / 20 < 0.005


def _unit(*xs: float) -> list[float]:
    norm = sum(x * x for x in xs) ** 0.5
    return [x / norm for x in xs]


def test_categories_by_words_by_vector_and_by_department() -> None:
    facts = [
        ("Молочні продукти > Молоко", 5),
        ("Молочні продукти > Сир", 3),
        ("Солодощі > Шоколад", 4),
        ("Бакалія > Макарони", 2),
    ]
    entries = CategoryIndex.entries(facts)
    assert "Молочні продукти" in entries  # departments are entries of their own
    vectors = {e: _unit(1.0, 0.1 * i, 0.0) for i, e in enumerate(entries)}
    vectors["Молочні продукти"] = _unit(0.0, 0.0, 1.0)
    index = CategoryIndex.build(facts, vectors, "uk")
    # By words: every query word in one level of the path; a department brings all its paths.
    assert index.match(analyze("молочні продукти"), None) == [
        "Молочні продукти > Молоко",
        "Молочні продукти > Сир",
    ]
    assert index.match(analyze("шоколад"), None) == ["Солодощі > Шоколад"]
    # By vector: a colloquial word («молочка») that no path spells, close to the dairy department.
    assert index.match(analyze("молочка"), _unit(0.0, 0.05, 1.0), margin=0.01) == [
        "Молочні продукти > Молоко", "Молочні продукти > Сир",
    ]  # fmt: skip
    # Far from every category: nothing, whatever is nearest.
    assert index.match(analyze("молочка"), _unit(0.0, 0.05, 1.0), floor=1.01) == []


def test_department_words_and_compounds_name_a_category() -> None:
    facts = [
        ("Хліб та випічка > Хліб", 5), ("Бакалія > Макарони", 2), ("Побутова хімія > Засоби для посуду", 3),
        ("dairy > butter", 2), ("dairy > buttermilk", 1), ("household > cleaning products", 4),
    ]  # fmt: skip
    index = CategoryIndex.build(facts, {e: _unit(1.0, 0.0, 0.0) for e in CategoryIndex.entries(facts)}, "uk")
    # A compound that starts with a level's word, and a generic word the path does not repeat.
    assert index.match(analyze("хлібобулочні вироби"), None) == ["Хліб та випічка > Хліб"]
    assert index.match(analyze("cleaning supplies", language="en"), None) == ["household > cleaning products"]
    # Not an English compound: buttermilk is not butter.
    assert index.match(analyze("buttermilk", language="en"), None) == ["dairy > buttermilk"]
    # A generic word alone is still the whole query.
    assert index.match(analyze("засоби"), None) == ["Побутова хімія > Засоби для посуду"]


def test_a_single_latin_letter_is_part_of_an_english_name() -> None:
    # "Special K", "Vitamin C": on an English catalog the letter is a word of the query…
    assert analyze("special k", language="en").groups[1][0] == "k"
    assert len(analyze("vitamin c", language="en").groups) == 2
    # …but not on a Ukrainian one, where a lone letter is a preposition or a layout slip.
    assert len(analyze("vitamin c").groups) == 1
    assert len(analyze("молоко в пакеті").groups) == 2
