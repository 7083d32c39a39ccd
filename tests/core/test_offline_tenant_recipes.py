"""A tenant extends the offline assistant's recipe book with its own dishes (docs/agent.md, "Recipes")."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tests.core.world import demo_world
from vizochok.core.admin.model import SettingsPatch
from vizochok.core.models import RecipeInput

VESNA = {
    "key": "salad_vesna",
    "names": {"uk": "Салат «Весна»", "en": "Spring salad"},
    "aliases": ["весна", "весни", "spring"],
    "meal": "main",
    "vegetarian": True,
    "ingredients": [["огірки", 0.3, 1], ["редиска", 0.2, 1], ["сметана", 0.2, 1]],
}
ASKED = 'що треба для мого фірмового салату "Весна"?'


def checklist(frames: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((f for f in frames if f["type"] == "ingredient_checklist"), None)


async def test_a_tenant_dish_yields_its_checklist_and_another_tenant_has_none() -> None:
    own = await demo_world(recipes=[RecipeInput.model_validate(VESNA)])
    await own.open()
    found = checklist(await own.say(ASKED))
    assert found is not None
    assert "Весна" in found["recipe"]
    names = " ".join(i["name"].lower() for i in found["items"])
    assert "огір" in names and "редис" in names and "сметан" in names
    assert len(found["items"]) == 3

    other = await demo_world()
    await other.open()
    assert checklist(await other.say(ASKED)) is None


async def test_a_tenant_dish_replaces_a_built_in_of_the_same_key() -> None:
    plov = {**VESNA, "key": "plov", "names": {"uk": "Плов по-нашому"}, "aliases": ["плов"]}
    world = await demo_world(recipes=[RecipeInput.model_validate(plov)])
    await world.open()
    found = checklist(await world.say("що треба для плову?"))
    assert found is not None and found["recipe"] == "Плов по-нашому" and len(found["items"]) == 3


@pytest.mark.parametrize(
    "bad",
    [
        {**VESNA, "key": "Not A Key"},
        {**VESNA, "ingredients": []},
        {**VESNA, "ingredients": [["огірки", 0.3, 1]] * 31},
        {**VESNA, "ingredients": [["огірки", -1, 1]]},
        {**VESNA, "aliases": []},
        {**VESNA, "names": {"uk": "x" * 101}},
        {**VESNA, "meal": "dessert"},
        {**VESNA, "spicy": True},
    ],
)
def test_a_bad_dish_is_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        SettingsPatch.model_validate({"recipes": [bad]})


def test_the_book_is_bounded() -> None:
    with pytest.raises(ValidationError):
        SettingsPatch.model_validate({"recipes": [{**VESNA, "key": f"d{i}"} for i in range(201)]})
    assert len(SettingsPatch.model_validate({"recipes": [VESNA] * 200}).recipes or []) == 200
