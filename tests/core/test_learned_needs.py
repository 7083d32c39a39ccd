"""Needs learned from a tenant's own product texts, and the dish table as a seed a tenant extends."""

from __future__ import annotations

from vizochok.core.query import Dictionary, analyze, index_terms
from vizochok.core.query.analyze import term
from vizochok.core.query.learned import LEARNED_VERSION, LearnedNeeds, ProductText, learn_needs
from vizochok.testing import build_world

CATALOG = [
    ProductText("Пластівці кукурудзяні Своя Лінія", "Бакалія > Сухі сніданки", "Своя Лінія", "Пластівці для сніданку."),
    ProductText("Напій вівсяний Alpro 1 л", "Молочні продукти > Рослинні напої", "Alpro", "Вівсяний напій без молока."),
    ProductText("Молоко Ферма 2,5%", "Молочні продукти > Молоко", "Ферма", "Коров'яче молоко."),
    ProductText("Засіб для миття посуду Fairy", "Побутова хімія > Засоби для посуду", "Fairy"),
    ProductText("Unsweetened Oat Beverage", "dairy eggs > soy lactosefree", None, "A creamy drink, milk free."),
]  # fmt: skip


def _needs(query: str, learned: LearnedNeeds | None, language: str = "uk") -> tuple[tuple[str, ...], ...]:
    return analyze(query, Dictionary(seed=False), language=language, learned=learned).needs


def test_a_substitute_asks_for_what_is_without_it() -> None:
    learned = learn_needs(CATALOG, term)
    assert _needs("замінник молока", None) == ()
    analysis = analyze("замінник молока", Dictionary(seed=False), learned=learned)
    assert analysis.needs[0] == tuple(index_terms("напій вівсяний"))
    assert analysis.groups == ()  # neither «замінник» nor «молока» is searched as a product word
    assert "вівсяний" in analysis.vector_text


def test_a_purpose_the_table_does_not_know_is_read_from_descriptions_names_and_categories() -> None:
    learned = learn_needs(CATALOG, term)
    assert _needs("на сніданок", learned)[0] == tuple(index_terms("пластівці кукурудзяні"))
    assert tuple(index_terms("засіб миття")) in _needs("щось для посуду", learned)
    # Without a word of purpose «сніданок» is a word like any other.
    assert _needs("сніданок", learned) == ()


def test_english_catalogs_learn_free_of_and_name_products_by_their_aisle() -> None:
    learned = learn_needs(CATALOG, term)
    assert _needs("milk alternative", None, "en") == ()
    assert _needs("milk alternative", learned, "en")[0] == tuple(index_terms("soy lactosefree"))
    # "gluten free bread", "lactose free milk" name products: full text answers them.
    assert _needs("lactose free milk", learned, "en") == ()


def test_learned_needs_are_stored_as_json_and_an_old_version_is_learned_again() -> None:
    learned = learn_needs(CATALOG, term)
    data = learned.to_json()
    assert LearnedNeeds.from_json(data) == learned
    assert len(LearnedNeeds.from_json(data | {"version": LEARNED_VERSION - 1})) == 0


def test_the_dish_table_is_a_seed_a_tenant_extends_empties_or_replaces() -> None:
    assert Dictionary().needs("плов")
    assert Dictionary(needs={"плов": ""}).needs("плов") == ()
    assert Dictionary(seed=False).needs("плов") == ()
    own = Dictionary(needs={"сирна тарілка": "сир, виноград"}, seed=False)
    assert own.needs("сирна тарілка") == ("сир", "виноград")


async def test_a_catalog_job_teaches_search_its_needs() -> None:
    """Wired as shipped: the job learns and stores the needs, the search profile reads them."""
    world = await build_world()
    before = world.search.request(
        world.tenant, "для гарбузового супу", profile=await world.search.profile(world.tenant.id)
    )
    assert before.understood().needs == ()
    await world.add_products(
        [{"sku": "p1", "name": "Вершки Галичина 10%", "brand": "Галичина", "category_path": "Молочні > Вершки",
          "description": "Вершки для гарбузового супу і соусів."}]
    )  # fmt: skip
    stored = await world.products.learned_needs(world.tenant.id)
    assert stored["purposes"][term("гарбузового")][0] == "вершки"
    after = world.search.request(
        world.tenant, "для гарбузового супу", profile=await world.search.profile(world.tenant.id)
    )
    assert tuple(index_terms("вершки")) in after.understood().needs
