"""The offline planner on the demo catalog, in Ukrainian, English and Russian."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import text_of, types
from vizochok.testing import World, build_world, demo_world


def cards(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for f in frames if f["type"] == "product_cards" for c in f["items"]]


def changes(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f for f in frames if f["type"] == "cart_changed"]


@pytest.fixture
async def world() -> World:
    w = await demo_world()
    await w.open()
    return w


@pytest.mark.parametrize(
    ("text", "word"), [("покажи молоко", "Ось"), ("show me milk", "Here"), ("покажи мне молоко", "Вот")]
)
async def test_search_and_show_in_three_languages(world: World, text: str, word: str) -> None:
    frames = await world.say(text)
    assert types(frames) == ["status", "text_delta", "text_end", "product_cards", "response_complete"]
    assert any("молоко" in c["name"].lower() for c in cards(frames))
    assert text_of(frames).startswith(word)


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("додай два молока галичина 2,5% і хліб київхліб український", "Додав"),
        ("add two galychyna 2.5% milks and kvochka eggs", "Added"),
        ("добавь два молока галичина 2,5% и яйца квочка", "Добавил"),
    ],
)
async def test_add_several_items(world: World, text: str, reply: str) -> None:
    frames = await world.say(text)
    added = {c["sku"]: c["quantity"] for c in changes(frames)}
    second = "bread-kyivkhlib-ukrainskyi-650" if "хліб" in text else "eggs-kvochka-c0-10"
    assert added == {"milk-galychyna-25-900": 2, second: 1}
    assert reply in text_of(frames)
    assert "milk-galychyna" not in text_of(frames)  # names, never SKUs


async def test_a_broad_word_is_a_question_not_the_first_hit(world: World) -> None:
    frames = await world.say("додай два молока і хліб")
    assert changes(frames) == []
    ask = next(f for f in frames if f["type"] == "quick_replies")
    assert len(ask["options"]) >= 2
    assert all("Молоко" in o["label"] for o in ask["options"] if o["value"] != "Інше")


async def test_units_and_dozen(world: World) -> None:
    frames = await world.say("додай 2 кг картоплі білої і десяток яєць квочка")
    lines = {c["sku"]: c["quantity"] for c in changes(frames)}
    assert lines == {"potato-white-kg": 2, "eggs-kvochka-c0-10": 1}  # one pack already holds ten


async def test_remove_update_and_clear(world: World) -> None:
    await world.say("додай хліб київхліб український і молоко галичина 2,5%")
    frames = await world.say("видали хліб")
    assert [c["action"] for c in changes(frames)] == ["item_removed"]
    frames = await world.say("зроби молоко 3")
    assert [(c["action"], c["quantity"]) for c in changes(frames)] == [("quantity_updated", 3)]
    frames = await world.say("очисти кошик")
    assert [c["action"] for c in changes(frames)] == ["cart_cleared"]
    assert (await world.state()).selection == []


@pytest.mark.parametrize(
    ("text", "lang_word"),
    [
        ("що треба для борщу?", "борщ"),
        ("what do I need for borscht?", "Borscht"),
        ("что нужно для борща?", "Борщ"),
    ],
)
async def test_recipe_checklist_then_submit(world: World, text: str, lang_word: str) -> None:
    frames = await world.say(text)
    checklist = next(f for f in frames if f["type"] == "ingredient_checklist")
    assert lang_word.lower() in checklist["recipe"].lower()
    assert len(checklist["items"]) >= 7
    assert all(i["checked"] and i["price"] > 0 for i in checklist["items"])
    state = await world.state()
    assert state.pending_tool is not None and state.pending_tool.tool == "show_recipe_checklist"

    chosen = [i["sku"] for i in checklist["items"][:3]]
    frames = await world.act({"action": "checklist_submit", "skus": chosen})
    assert [c["sku"] for c in changes(frames)] == chosen
    assert (await world.state()).pending_tool is None


async def test_servings_scale_quantities(world: World) -> None:
    four = next(f for f in await world.say("що треба для плову?") if f["type"] == "ingredient_checklist")
    eight = next(
        f for f in await world.say("що треба для плову на 8 порцій?") if f["type"] == "ingredient_checklist"
    )
    assert eight["servings"] == 8
    assert sum(i["quantity"] for i in eight["items"]) > sum(i["quantity"] for i in four["items"])


async def test_recipe_book_has_at_least_25_dishes() -> None:
    from vizochok.adapters.llm.offline.recipes import RECIPES

    assert len(RECIPES) >= 25
    assert len({r.key for r in RECIPES}) == len(RECIPES)


async def test_meal_plan_approve_puts_everything_in_the_cart(world: World) -> None:
    frames = await world.say("план харчування на 2 дні")
    plan = next(f for f in frames if f["type"] == "meal_plan")
    assert len(plan["days"]) == 2
    assert all(len(d["meals"]) == 3 for d in plan["days"])
    skus = {i["sku"] for d in plan["days"] for m in d["meals"] for i in m["items"]}
    frames = await world.act({"action": "meal_plan_approve"})
    assert {c["sku"] for c in changes(frames)} <= skus
    assert len(changes(frames)) >= len(skus) - 2  # out-of-stock lines may be refused


async def test_meal_plan_modify_replans(world: World) -> None:
    await world.say("meal plan for 1 day")
    frames = await world.act({"action": "meal_plan_modify", "text": "meal plan for 2 days"})
    plan = next(f for f in frames if f["type"] == "meal_plan")
    assert len(plan["days"]) == 2


async def test_vegetarian_profile_from_a_statement(world: World) -> None:
    await world.say("я вегетаріанка")
    profile = await world.profiles.get(world.tenant.id, "u1")
    assert profile is not None and profile.dietary == ["vegetarian"]
    frames = await world.say("покажи ковбасу")
    assert all("ковбас" not in c["name"].lower() for c in cards(frames))
    plan = next(f for f in await world.say("меню на 3 дні") if f["type"] == "meal_plan")
    names = " ".join(m["name"] for d in plan["days"] for m in d["meals"])
    assert "Борщ" not in names and "Котлети" not in names


async def test_favourite_brand_comes_first(world: World) -> None:
    await world.say("мій улюблений бренд Яготинське")
    frames = await world.say("покажи молоко")
    assert cards(frames)[0]["brand"] == "Яготинське"


async def test_ambiguous_add_asks_and_the_answer_resumes() -> None:
    from vizochok.adapters.llm.offline import OfflineLLM

    products = [
        {"sku": "milk", "name": "Молоко коров'яче 2,5%", "category_path": "Молочні продукти > Молоко"},
        {"sku": "condensed", "name": "Молоко згущене з цукром", "category_path": "Бакалія > Консерви"},
        {"sku": "coconut", "name": "Молоко кокосове", "category_path": "Світова кухня > Азія"},
    ]
    stock = {p["sku"]: {"price": 40.0, "stock": 10} for p in products}
    world = await build_world(llm=OfflineLLM(), products=products, stock=stock)
    await world.open()
    frames = await world.say("додай молоко")
    ask = next(f for f in frames if f["type"] == "quick_replies")
    assert {o["value"] for o in ask["options"]} == {"milk", "condensed", "coconut"}
    assert all(o["label"].endswith("40,00 грн") for o in ask["options"])  # live prices, decimal comma
    assert "cart_changed" not in types(frames)
    state = await world.state()
    assert state.pending_tool is not None and state.pending_tool.payload == ask
    choice = ask["options"][1]["value"]
    frames = await world.act({"action": "quick_reply", "value": choice})
    assert [c["sku"] for c in changes(frames)] == [choice]
    assert (await world.state()).pending_tool is None


async def test_offline_records_zero_tokens(world: World) -> None:
    await world.say("покажи молоко")
    assert world.usage.records
    assert {(r.prompt_tokens, r.completion_tokens, r.cost) for r in world.usage.records} == {(0, 0, 0.0)}
