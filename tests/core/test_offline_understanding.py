"""The offline understanding layer piece by piece: quantity grammar, product choice, intents, words, confidence."""

from __future__ import annotations

from typing import Any

import pytest

from vizochok.adapters.llm.offline import OfflineLLM, Reading
from vizochok.adapters.llm.offline.match import choose, line_matches
from vizochok.adapters.llm.offline.quantities import Amount, parse_phrase, to_product_units
from vizochok.adapters.llm.offline.texts import number, reason
from vizochok.adapters.llm.offline.understand import understand
from vizochok.adapters.llm.offline.words import words
from vizochok.cli.agent_eval import Verdict, judge
from vizochok.core.chat.state import ChatMessage
from vizochok.core.llm.messages import LLMRequest


def offer(
    sku: str, name: str, category: str = "", unit: str = "pcs", brand: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "sku": sku,
        "name": name,
        "category": category,
        "unit": unit,
        "brand": brand,
        "price": 50.0,
        "promo_price": None,
        **extra,
    }


@pytest.mark.parametrize(
    ("text", "name", "amount", "size", "numbers"),
    [
        ("2 пачки масла Галичина 82,5%", ["масла", "галичина", "82,5%"], Amount(2, "pack"), None, ["82.5"]),
        ("молоко галичина 1,8 л", ["молоко", "галичина"], None, Amount(1.8, "l"), ["1.8"]),
        ("пару кефірів", ["кефірів"], Amount(2), None, []),
        ("пів кіло фаршу", ["фаршу"], Amount(0.5, "kg"), None, []),
        ("півтора кілограми яблук", ["яблук"], Amount(1.5, "kg"), None, []),
        ("два десятки яєць", ["яєць"], Amount(20, "pcs"), None, []),
        ("вареники з капустою три ведмеді", ["вареники", "з", "капустою", "три", "ведмеді"], None, None, []),
        ("моршинська 0,33 дванадцять штук", ["моршинська", "0,33"], Amount(12, "pcs"), None, ["0.33"]),
        ("a dozen cat food pouches", ["cat", "food", "pouches"], Amount(12, "pcs"), None, []),
        ("half a kilo of limes", ["limes"], Amount(0.5, "kg"), None, []),
        ("2 packs of nappies size 4", ["nappies", "4"], Amount(2, "pack"), None, ["4"]),
        ("600g trout", ["trout"], Amount(600, "g"), None, []),
        ("шесть бутылок воды 1,5 л", ["воды"], Amount(6, "pack"), Amount(1.5, "l"), ["1.5"]),
    ],
)
def test_quantity_grammar(
    text: str, name: list[str], amount: Amount | None, size: Amount | None, numbers: list[str]
) -> None:
    phrase = parse_phrase(words(text))
    assert phrase.words == name
    assert phrase.amount == amount
    assert phrase.size == size
    assert phrase.numbers == numbers


def test_amounts_in_the_products_own_unit() -> None:
    by_weight = offer("ham", "Шинка ваговий", unit="kg", quantity_step=0.1)
    pack = offer("bananas", "Банани фасовані 1 кг")
    bag = offer("potato-bag", "Картопля фасована 2 кг")
    eggs = offer("eggs", "Яйця курячі 10 шт")
    assert to_product_units(parse_phrase(words("300 г шинки")), by_weight).value == 0.3
    assert to_product_units(parse_phrase(words("2 kg bananas")), pack).value == 2
    assert to_product_units(parse_phrase(words("десяток яєць")), eggs).value == 1
    assert to_product_units(parse_phrase(words("два десятки яєць")), eggs).value == 2
    # Not whole packs, or pieces of a product sold by weight: not sure enough to act.
    assert to_product_units(parse_phrase(words("1,5 кг картоплі")), bag).confidence < 0.7
    assert (
        to_product_units(parse_phrase(words("3 bananas")), offer("b", "Банани", unit="kg")).confidence < 0.7
    )


def test_a_hit_of_another_type_is_never_chosen() -> None:
    bread = [offer("bread", "Хліб білий", "Хліб")]
    assert choose(parse_phrase(words("2 beers")), bread).offer is None
    beers = [
        offer("b1", "Пиво Оболонь 0,5 л", "Алкоголь > Пиво"),
        offer("b2", "Пиво Чернігівське 0,5 л", "Алкоголь > Пиво"),
        *bread,
    ]
    choice = choose(parse_phrase(words("2 beers")), beers)
    assert choice.offer is None
    assert {o["sku"] for o in choice.candidates} == {"b1", "b2"}  # a question with the real beers


def test_product_numbers_and_exact_names_decide() -> None:
    milks = [
        offer("m25", "Молоко Галичина 2,5% 900 мл", "Молочні продукти > Молоко", brand="Галичина"),
        offer("m35", "Молоко Галичина 3,5% 900 мл", "Молочні продукти > Молоко", brand="Галичина"),
        offer("tv", "Сир кисломолочний Галичина 5%", "Молочні продукти > Сир", brand="Галичина"),
    ]
    assert choose(parse_phrase(words("молоко Галичина 2,5%")), milks).offer["sku"] == "m25"  # type: ignore[index]
    feta = [offer("feta", "Сир Фета Dodoni 43% 200 г", "Сири", brand="Dodoni"), offer("gouda", "Сир Гауда", "Сири"),
            offer("cucumber", "Огірки", "Овочі")]  # fmt: skip
    assert choose(parse_phrase(words("Сир Фета грецька Dodoni")), feta).offer["sku"] == "feta"  # type: ignore[index]


def test_without_is_a_filter_not_a_word() -> None:
    hits = [
        offer("cherry", "Вишня без кісточки", "Заморожені"),
        offer("milk", "Молоко безлактозне 1,5%", "Молоко"),
    ]
    choice = choose(parse_phrase(words("молоко без лактози")), hits)
    assert choice.offer is not None and choice.offer["sku"] == "milk"


def test_cart_lines_by_words() -> None:
    cart = [{"sku": "a", "name": "Корм для котів Whiskas 85 г"}, {"sku": "b", "name": "Корм сухий для котів Optimeal"},
            {"sku": "c", "name": "Хліб житній"}]  # fmt: skip
    assert {line["sku"] for line in line_matches(["кошачий", "корм"], cart)} == {"a", "b"}
    assert [line["sku"] for line in line_matches(["хліба"], cart)] == ["c"]


@pytest.mark.parametrize(
    ("text", "kind", "lang"),
    [
        ("привіт, що ти вмієш?", "act", "uk"),
        ("купи квиток на потяг", "act", "uk"),
        ("що в моєму кошику?", "cart", "uk"),
        ("what's my total so far?", "cart", "en"),
        ("дякую, на цьому все", "act", "uk"),
        ("vjkjrj", "search", "uk"),
        ("moloko", "search", "uk"),
        ("dodai hrechku", "add", "uk"),
        ("rdfc nfhfc 2 in", "add", "uk"),
        ("очисти кошик", "clear", "uk"),
        ("scrap all that, i'll start over", "clear", "en"),
        ("no bananas after all, take them out", "remove", "en"),
        ("йогуртів не два а чотири", "update", "uk"),
        ("що треба на борщ на 6 людей?", "recipe", "uk"),
        ("меню на тиждень", "meal_plan", "uk"),
        ("покажи гречку", "search", "uk"),
    ],
)
def test_intents(text: str, kind: str, lang: str) -> None:
    utterance = understand(text, "en" if text.isascii() else "uk", has_cards=False, has_cart=True)
    assert utterance.kind == kind, utterance.reason
    assert utterance.lang == lang


def test_card_references() -> None:
    assert understand("додай другу", "uk", has_cards=True, has_cart=False).ref == 2
    cheapest = understand("I'll take two of the cheapest", "en", has_cards=True, has_cart=False)
    assert (cheapest.ref, cheapest.amount) == ("cheapest", Amount(2))
    assert (
        understand("the cheapest one", "en", has_cards=True, has_cart=False).amount is None
    )  # "one" is a pronoun


def test_new_quantities() -> None:
    assert understand("ковбаси зроби 700 грам замість пів кіла", "uk", False, True).amount == Amount(700, "g")
    assert understand("not 6 beers, just 4", "en", False, True).amount == Amount(4)
    assert understand("помидоров поменьше, граммов 500", "ru", False, True).amount == Amount(500, "g")


def test_refusal_reasons_are_words_and_numbers_use_a_decimal_comma() -> None:
    assert reason("max_6_per_customer", "uk") == "магазин дозволяє не більше 6 шт. в одні руки"
    assert reason("out_of_stock", "en") == "out of stock"
    assert "_" not in reason("some_new_code", "ru")
    assert number(1.5, "uk") == "1,5"
    assert number(1.5, "en") == "1.5"


async def test_understand_reports_confidence_reason_and_the_answer() -> None:
    llm = OfflineLLM()
    greeting = await llm.understand(
        LLMRequest(model="offline", system="", messages=[ChatMessage(role="user", content="привіт!")])
    )
    assert isinstance(greeting, Reading)
    assert greeting.confidence >= 0.9
    assert (
        greeting.result is not None and greeting.result.tool_calls == () and "Вітаю" in greeting.result.text
    )
    unclear = await llm.understand(
        LLMRequest(model="offline", system="", messages=[ChatMessage(role="user", content="хм")])
    )
    assert unclear.confidence < 0.7
    assert unclear.reason


def test_judge_counts_wrong_changes_apart_from_misses() -> None:
    add = {"intent": "add", "items": [{"any_of_skus": ["a"], "quantity": 2}]}
    assert judge(add, {}, {"a": 2.0}, [], []) == Verdict(True, False)
    assert judge(add, {}, {}, [], []).wrong_change is False  # untouched: a miss
    assert judge(add, {}, {"a": 5.0}, [], []).wrong_change is True
    assert judge(add, {}, {"a": 2.0, "b": 1.0}, [], []).wrong_change is True
    remove = {"intent": "remove", "removed_skus": ["a"]}
    assert judge(remove, {"a": 1.0, "b": 1.0}, {"b": 1.0}, [], []).passed
    assert judge(remove, {"a": 1.0, "b": 1.0}, {}, [], []).wrong_change is True
    clarify = {"intent": "clarify"}
    assert judge(clarify, {}, {}, [{"type": "quick_replies"}], []).passed
    assert judge(clarify, {}, {"x": 1.0}, [{"type": "quick_replies"}], []).wrong_change is True
    ref = {"intent": "add_ref", "ref": "cheapest", "quantity": 1}
    shown = [
        {"sku": "a", "price": 10.0, "promo_price": None},
        {"sku": "b", "price": 12.0, "promo_price": 9.0},
    ]
    assert judge(ref, {}, {"b": 1.0}, [], shown).passed


def test_an_operator_extends_the_recipe_book_and_the_vocabulary(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vizochok.adapters.llm.offline.recipes import find_recipe, recipe_book
    from vizochok.adapters.llm.offline.vocabulary import vocabulary
    from vizochok.adapters.llm.offline.words import forms

    recipes = tmp_path / "recipes.json"
    recipes.write_text('[{"key": "uzvar", "names": {"uk": "Узвар", "en": "Uzvar", "ru": "Узвар"},'
                       ' "aliases": ["узвар", "uzvar"], "meal": "breakfast", "vegetarian": true,'
                       ' "ingredients": [["сухофрукти", 0.3, 1], ["мед", 0, 1]]}]')  # fmt: skip
    words_file = tmp_path / "words.json"
    words_file.write_text('{"aubergine": "баклажан"}')
    monkeypatch.setenv("VIZOCHOK_OFFLINE_RECIPES", str(recipes))
    monkeypatch.setenv("VIZOCHOK_OFFLINE_VOCABULARY", str(words_file))
    for cached in (recipe_book, vocabulary, forms):
        cached.cache_clear()
    try:
        assert find_recipe("що треба на узвар").key == "uzvar"  # type: ignore[union-attr]
        assert understand("що потрібно для узвару?", "uk", False, False).kind == "recipe"
        assert "баклажан" in forms("aubergine")
    finally:
        monkeypatch.delenv("VIZOCHOK_OFFLINE_RECIPES")
        monkeypatch.delenv("VIZOCHOK_OFFLINE_VOCABULARY")
        for cached in (recipe_book, vocabulary, forms):
            cached.cache_clear()


async def test_a_round_after_another_models_searches_is_not_vouched_for() -> None:
    from vizochok.core.chat.state import ToolCall

    call = ToolCall(id="m1", name="search_products", arguments={"query": "whole milk"})
    messages = [
        ChatMessage(role="user", content="додай молоко галичина"),
        ChatMessage(role="assistant", content="", tool_calls=[call]),
        ChatMessage(
            role="tool",
            tool_call_id="m1",
            name="search_products",
            content='{"query": "whole milk", "items": []}',
        ),
    ]
    reading = await OfflineLLM().understand(LLMRequest(model="offline", system="", messages=messages))
    assert reading.confidence < 0.5
