"""A built-in recipe book of common Ukrainian dishes, for "what do I need for …" and meal plans.

Each ingredient is `(search query, kilograms, packs)` for four servings: the amount in kilograms
(litres for liquids) when the recipe has one, else a count of packs. The planner scales by servings
and turns the amount into the product's own unit (200 g of flour is one 1 kg pack). The query's first
word is the ingredient's type: only a product of that type is picked, the plainest name first.

An operator extends the book with `VIZOCHOK_OFFLINE_RECIPES`, a JSON list of
`{"key", "names": {"uk", "en", "ru"}, "aliases": [...], "meal", "vegetarian",
"ingredients": [[query, kg, packs], ...]}`; a dish with a built-in key replaces the built-in one.

A tenant extends it too, with its `recipes` setting (`PATCH /api/v1/admin/settings`, the same fields,
validated by `core.models.RecipeInput`): the agent loop hands them to the model request's context, and
`find_recipe` and `plan_dishes` take them as `extra`. A tenant's dish replaces a built-in or operator
dish of the same key for that tenant only.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vizochok.core.search.request import normalize

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


@dataclass(frozen=True)
class Recipe:
    """One dish."""

    key: str
    names: dict[str, str]
    """The dish's name in uk, en and ru."""
    aliases: tuple[str, ...]
    """Word stems that name the dish in any of the three languages."""
    meal: str
    """`breakfast`, `soup` or `main`: where it fits in a meal plan."""
    vegetarian: bool
    ingredients: tuple[tuple[str, float, int], ...]


def _r(  # noqa: PLR0917 - the recipe table's rows, positional so each dish reads as two or three lines
    key: str,
    uk: str,
    en: str,
    ru: str,
    aliases: str,
    meal: str,
    veg: bool,
    *ingredients: tuple[str, float, int],
) -> Recipe:
    return Recipe(key, {"uk": uk, "en": en, "ru": ru}, tuple(aliases.split()), meal, veg, ingredients)


RECIPES: tuple[Recipe, ...] = (
    _r("borshch", "Борщ", "Borscht", "Борщ", "борщ borsch borshch борщу борща", "soup", False,
       ("яловичина", 0.6, 1), ("буряк", 0.5, 1), ("картопля", 0.6, 1), ("капуста білокачанна", 0.5, 1),
       ("морква", 0.2, 1), ("цибуля", 0.2, 1), ("томатна паста", 0.1, 1), ("часник", 0.05, 1), ("сметана", 0.2, 1),
       ("кріп", 0.05, 1)),
    _r("green_borshch", "Зелений борщ", "Green borscht", "Зелёный борщ",
       "зелений борщ borsch щавел sorrel щавель green", "soup", False,
       ("курка", 0.6, 1), ("картопля", 0.6, 1), ("щавель", 0.2, 1), ("яйця", 0.0, 1), ("цибуля", 0.1, 1),
       ("кріп", 0.05, 1), ("сметана", 0.2, 1)),
    _r("kapusniak", "Капусняк", "Sauerkraut soup", "Капустняк", "капусняк капустняк", "soup", False,
       ("свинина", 0.5, 1), ("квашена капуста", 0.5, 1), ("картопля", 0.5, 1), ("пшоно", 0.1, 1), ("цибуля", 0.1, 1),
       ("морква", 0.1, 1)),
    _r("solianka", "Солянка", "Solyanka", "Солянка", "солянк solyanka", "soup", False,
       ("ковбаса", 0.3, 1), ("сосиски", 0.2, 1), ("огірки мариновані", 0.2, 1), ("томатна паста", 0.1, 1),
       ("цибуля", 0.1, 1), ("лимон", 0.1, 1), ("маслини", 0.1, 1)),
    _r("yushka", "Юшка рибна", "Fish soup", "Уха", "юшк уха ухи fish soup", "soup", False,
       ("риба", 0.6, 1), ("картопля", 0.5, 1), ("морква", 0.1, 1), ("цибуля", 0.1, 1), ("лавровий лист", 0.01, 1),
       ("кріп", 0.05, 1)),
    _r("okroshka", "Окрошка", "Okroshka", "Окрошка", "окрошк okroshka", "soup", False,
       ("квас", 0.0, 2), ("картопля", 0.4, 1), ("огірки", 0.3, 1), ("редиска", 0.2, 1), ("яйця", 0.0, 1),
       ("ковбаса варена", 0.3, 1), ("кріп", 0.05, 1)),
    _r("veg_soup", "Овочевий суп", "Vegetable soup", "Овощной суп", "овочев овощн vegetable", "soup", True,
       ("картопля", 0.5, 1), ("морква", 0.2, 1), ("цибуля", 0.1, 1), ("капуста білокачанна", 0.3, 1),
       ("квасоля", 0.0, 1), ("кріп", 0.05, 1)),
    _r("mushroom_soup", "Грибний суп", "Mushroom soup", "Грибной суп", "грибн mushroom", "soup", True,
       ("гриби", 0.4, 1), ("картопля", 0.5, 1), ("морква", 0.1, 1), ("цибуля", 0.1, 1), ("вершки", 0.0, 1),
       ("кріп", 0.05, 1)),
    _r("varenyky_potato", "Вареники з картоплею", "Varenyky with potato", "Вареники с картошкой",
       "вареник varenyky dumplings", "main", True,
       ("борошно", 0.5, 1), ("картопля", 0.8, 1), ("цибуля", 0.2, 1), ("олія соняшникова", 0.05, 1),
       ("сметана", 0.2, 1)),
    _r("varenyky_cheese", "Вареники з сиром", "Varenyky with cottage cheese", "Вареники с творогом",
       "вареник varenyky сиром творогом cottage", "main", True,
       ("борошно", 0.5, 1), ("сир кисломолочний", 0.5, 1), ("яйця", 0.0, 1), ("цукор", 0.05, 1), ("сметана", 0.2, 1)),
    _r("holubtsi", "Голубці", "Cabbage rolls", "Голубцы", "голубц holubtsi cabbage rolls", "main", False,
       ("капуста білокачанна", 1.0, 1), ("фарш", 0.5, 1), ("рис", 0.2, 1), ("морква", 0.2, 1), ("цибуля", 0.2, 1),
       ("томатна паста", 0.1, 1), ("сметана", 0.2, 1)),
    _r("deruny", "Деруни", "Potato pancakes", "Драники", "деруни дерун драник драники", "breakfast", True,
       ("картопля", 1.0, 1), ("цибуля", 0.1, 1), ("яйця", 0.0, 1), ("борошно", 0.1, 1), ("олія соняшникова", 0.1, 1),
       ("сметана", 0.2, 1)),
    _r("olivier", "Олів'є", "Olivier salad", "Оливье", "олів'є олівьє олив'є оливье olivier", "main", False,
       ("картопля", 0.5, 1), ("морква", 0.2, 1), ("ковбаса варена", 0.3, 1), ("горошок консервований", 0.0, 1),
       ("огірки мариновані", 0.2, 1), ("яйця", 0.0, 1), ("майонез", 0.2, 1)),
    _r("vinegret", "Вінегрет", "Vinaigrette salad", "Винегрет", "вінегрет винегрет vinaigrette", "main", True,
       ("буряк", 0.4, 1), ("картопля", 0.4, 1), ("морква", 0.2, 1), ("квашена капуста", 0.2, 1),
       ("огірки мариновані", 0.2, 1), ("олія соняшникова", 0.05, 1)),
    _r("herring_fur", "Оселедець під шубою", "Herring under a fur coat", "Селёдка под шубой",
       "шубою шубой шуба fur coat оселед", "main", False,
       ("оселедець", 0.3, 1), ("буряк", 0.4, 1), ("картопля", 0.4, 1), ("морква", 0.2, 1), ("яйця", 0.0, 1),
       ("майонез", 0.2, 1)),
    _r("nalysnyky", "Налисники з сиром", "Crepes with cottage cheese", "Блинчики с творогом",
       "налисник blintz", "breakfast", True,
       ("борошно", 0.3, 1), ("молоко", 0.0, 1), ("яйця", 0.0, 1), ("сир кисломолочний", 0.4, 1), ("цукор", 0.05, 1),
       ("масло вершкове", 0.05, 1)),
    _r("mlyntsi", "Млинці", "Pancakes", "Блины", "млинц млинці блин блины pancakes crepes", "breakfast", True,
       ("борошно", 0.3, 1), ("молоко", 0.0, 1), ("яйця", 0.0, 1), ("цукор", 0.05, 1), ("олія соняшникова", 0.05, 1)),
    _r("syrnyky", "Сирники", "Syrnyky (cottage cheese pancakes)", "Сырники",
       "сирник сырник syrnyky cheesecakes", "breakfast", True,
       ("сир кисломолочний", 0.5, 1), ("яйця", 0.0, 1), ("борошно", 0.1, 1), ("цукор", 0.05, 1), ("сметана", 0.2, 1)),
    _r("pelmeni", "Пельмені", "Pelmeni", "Пельмени", "пельмен pelmeni", "main", False,
       ("борошно", 0.5, 1), ("фарш", 0.5, 1), ("цибуля", 0.2, 1), ("яйця", 0.0, 1), ("сметана", 0.2, 1)),
    _r("plov", "Плов", "Plov (pilaf)", "Плов", "плов pilaf plov", "main", False,
       ("свинина", 0.6, 1), ("рис", 0.4, 1), ("морква", 0.3, 1), ("цибуля", 0.2, 1), ("часник", 0.05, 1),
       ("олія соняшникова", 0.1, 1)),
    _r("kotlety", "Котлети", "Cutlets", "Котлеты", "котлет cutlets patties", "main", False,
       ("фарш", 0.6, 1), ("хліб", 0.0, 1), ("яйця", 0.0, 1), ("цибуля", 0.1, 1), ("сухарі панірувальні", 0.0, 1),
       ("олія соняшникова", 0.1, 1)),
    _r("buckwheat_meat", "Гречка з м'ясом", "Buckwheat with meat", "Гречка с мясом", "гречк buckwheat", "main", False,
       ("гречка", 0.4, 1), ("свинина", 0.5, 1), ("морква", 0.1, 1), ("цибуля", 0.1, 1), ("олія соняшникова", 0.05, 1)),
    _r("kholodets", "Холодець", "Kholodets (meat aspic)", "Холодец", "холодец холодц aspic", "main", False,
       ("свинина", 1.0, 1), ("курка", 0.5, 1), ("морква", 0.1, 1), ("цибуля", 0.1, 1), ("часник", 0.05, 1),
       ("лавровий лист", 0.01, 1)),
    _r("kulish", "Куліш", "Kulish (millet porridge)", "Кулеш", "куліш кулеш kulish", "soup", False,
       ("пшоно", 0.3, 1), ("сало", 0.2, 1), ("картопля", 0.4, 1), ("цибуля", 0.1, 1), ("кріп", 0.05, 1)),
    _r("banosh", "Банош", "Banosh", "Банош", "банош banosh", "breakfast", False,
       ("кукурудзяна крупа", 0.3, 1), ("сметана", 0.4, 1), ("бринза", 0.2, 1), ("сало", 0.1, 1), ("гриби", 0.2, 1)),
    _r("pyrizhky", "Пиріжки з капустою", "Pies with cabbage", "Пирожки с капустой", "пиріж пирож pies", "main", True,
       ("борошно", 0.6, 1), ("дріжджі", 0.0, 1), ("молоко", 0.0, 1), ("капуста білокачанна", 0.6, 1),
       ("цибуля", 0.1, 1), ("олія соняшникова", 0.1, 1)),
    _r("zrazy", "Зрази картопляні з грибами", "Potato zrazy with mushrooms", "Зразы картофельные с грибами",
       "зраз zrazy", "main", True,
       ("картопля", 1.0, 1), ("гриби", 0.3, 1), ("цибуля", 0.1, 1), ("яйця", 0.0, 1), ("борошно", 0.1, 1),
       ("олія соняшникова", 0.1, 1)),
    _r("pechenia", "Печеня", "Pechenia (pot roast)", "Жаркое", "печеня жарк pot roast", "main", False,
       ("свинина", 0.7, 1), ("картопля", 1.0, 1), ("морква", 0.2, 1), ("цибуля", 0.2, 1), ("часник", 0.05, 1),
       ("лавровий лист", 0.01, 1)),
    _r("zavyvanets", "Завиванець з маком", "Poppy seed roll", "Рулет с маком",
       "завиванец завиванц poppy маком", "breakfast", True,
       ("борошно", 0.5, 1), ("мак", 0.0, 1), ("молоко", 0.0, 1), ("дріжджі", 0.0, 1), ("цукор", 0.1, 1),
       ("масло вершкове", 0.1, 1), ("яйця", 0.0, 1)),
    _r("pizza", "Домашня піца", "Homemade pizza", "Домашняя пицца",
       "піца піцу піци пицца пиццу пиццы pizza", "main", False,
       ("борошно пшеничне", 0.4, 1), ("дріжджі сухі", 0.0, 1), ("паста томатна", 0.0, 1), ("сир моцарела", 0.25, 1),
       ("шинка", 0.2, 1), ("олія оливкова", 0.0, 1)),
    _r("carbonara", "Спагеті карбонара", "Spaghetti carbonara", "Спагетти карбонара",
       "карбонара carbonara карбонару", "main", False,
       ("спагеті", 0.4, 1), ("яйця курячі", 0.0, 1), ("сир пармезан", 0.1, 1), ("бекон", 0.2, 1),
       ("перець чорний мелений", 0.0, 1)),
    _r("chicken_curry", "Курка карі", "Chicken curry", "Курица карри", "карі карри curry", "main", False,
       ("філе куряче", 0.6, 1), ("рис", 0.3, 1), ("цибуля ріпчаста", 0.2, 1), ("куркума", 0.0, 1), ("вершки", 0.0, 1),
       ("часник", 0.05, 1)),
    _r("egg_fried_rice", "Смажений рис з яйцем", "Egg fried rice", "Жареный рис с яйцом",
       "fried смажений жареный", "main", True,
       ("рис", 0.3, 1), ("яйця курячі", 0.0, 1), ("соус соєвий", 0.0, 1), ("горошок зелений", 0.0, 1),
       ("морква", 0.2, 1), ("олія соняшникова", 0.0, 1)),
    _r("oatmeal", "Вівсянка з бананом", "Oatmeal with banana", "Овсянка с бананом",
       "вівсян овсян oatmeal porridge", "breakfast", True,
       ("вівсяні пластівці", 0.0, 1), ("молоко", 0.0, 1), ("банани", 0.5, 1), ("мед", 0.0, 1)),
)  # fmt: skip


# Words this short («з», «на», "of") name no dish.
_SHORT_WORD = 2
# Declension changes the last letter or two ("плов" → "плову", "борщ" → "борщу", "вареники" → "вареників"):
# an alias's first five letters, or all but its last (at least three), stand for all its forms.
_STEM_LEN = 5
_MIN_STEM = 3


def _words(text: str) -> list[str]:
    return [w for w in normalize(text).replace("'", "").split() if len(w) > _SHORT_WORD]


def _stem(word: str) -> str:
    return word[:_STEM_LEN] if len(word) > _STEM_LEN else word[: max(_MIN_STEM, len(word) - 1)]


def to_recipe(data: Any) -> Recipe:
    """A dish from the file's JSON shape or a tenant's `RecipeInput` (anything with those fields)."""
    d = data.model_dump() if hasattr(data, "model_dump") else data
    names = {lang: name for lang, name in dict(d["names"]).items() if name}
    return Recipe(
        key=d["key"], names=names, aliases=tuple(normalize(a) for a in d.get("aliases", ())),
        meal=d.get("meal", "main"), vegetarian=bool(d.get("vegetarian", False)),
        ingredients=tuple((str(q), float(kg), int(packs)) for q, kg, packs in d["ingredients"]),
    )  # fmt: skip


def tenant_recipes(items: Iterable[Any] | None) -> tuple[Recipe, ...]:
    """A tenant's dishes (the model request's `context["recipes"]`) as recipes."""
    return tuple(to_recipe(item) for item in items or ())


@lru_cache(maxsize=1)
def recipe_book() -> tuple[Recipe, ...]:
    """The built-in dishes with the operator's file on top."""
    path = os.environ.get("VIZOCHOK_OFFLINE_RECIPES")
    if not path:
        return RECIPES
    extra = [to_recipe(d) for d in json.loads(Path(path).read_text("utf-8"))]
    return _merge(RECIPES, extra)


def _merge(base: Sequence[Recipe], extra: Sequence[Recipe]) -> tuple[Recipe, ...]:
    keys = {r.key for r in extra}
    return tuple(r for r in base if r.key not in keys) + tuple(extra)


def book_with(extra: Sequence[Recipe] = ()) -> tuple[Recipe, ...]:
    """The deployment's book (`recipe_book`) with a tenant's `extra` dishes on top."""
    return _merge(recipe_book(), extra) if extra else recipe_book()


def find_recipe(text: str, extra: Sequence[Recipe] = ()) -> Recipe | None:
    """The dish a sentence names: the recipe with the most alias stems in it ("вареники з сиром")."""
    words = _words(text)
    best, best_score = None, 0
    for recipe in book_with(extra):
        # Score by how many of the sentence's words the dish's names explain ("зеленого борщу" → green borshch).
        score = len(
            {w for w in words for alias in recipe.aliases if w.startswith(_stem(alias.replace("'", "")))}
        )
        if score > best_score:
            best, best_score = recipe, score
    return best


def plan_dishes(days: int, vegetarian: bool, extra: Sequence[Recipe] = ()) -> list[list[tuple[str, Recipe]]]:
    """`days` lists of (meal name key, dish): a breakfast, a soup for lunch and a main for dinner."""
    pool = {
        meal: [r for r in book_with(extra) if r.meal == meal and (r.vegetarian or not vegetarian)]
        for meal in ("breakfast", "soup", "main")
    }
    return [
        [
            (meal, pool[kind][day % len(pool[kind])])
            for meal, kind in (("breakfast", "breakfast"), ("lunch", "soup"), ("dinner", "main"))
        ]
        for day in range(days)
    ]
