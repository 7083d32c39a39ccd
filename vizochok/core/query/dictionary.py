"""The grocery dictionary: English and Russian words to Ukrainian ones, and dishes to ingredients.

Multilingual vectors already carry much of this; the dictionary makes the lexical legs find
the Ukrainian names too, and states the grocery-specific readings a general model misses
("масло" is butter in Ukrainian but usually oil in Russian). A tenant extends or overrides
entries with `tenant.search["dictionary"] = {"word": ["українське", ...]}`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from vizochok.core.query.fold import fold
from vizochok.core.query.stem import stem

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

_ENGLISH = """
milk: молоко | butter: масло вершкове | cheese: сир | cottage: кисломолочний сир | cream: вершки
sour: сметана | kefir: кефір | yogurt: йогурт | yoghurt: йогурт | egg: яйця | eggs: яйця
bread: хліб | loaf: батон | baguette: багет | bun: булка | flour: борошно | sugar: цукор | salt: сіль
pepper: перець | rice: рис | buckwheat: гречка | oats: вівсяні | oatmeal: вівсяні пластівці
pasta: макарони спагеті | spaghetti: спагеті | noodles: локшина | cereal: пластівці | muesli: мюслі
oil: олія | sunflower: соняшникова | olive: оливкова | vinegar: оцет | mayonnaise: майонез
ketchup: кетчуп | mustard: гірчиця | sauce: соус | honey: мед | jam: джем варення
chicken: курка куряче | wings: крила крильця | wing: крила крильця | breast: філе грудка | fillet: філе
beef: яловичина | pork: свинина | lamb: баранина | mince: фарш | minced: фарш | meat: мясо
sausage: ковбаса | sausages: сосиски | ham: шинка | bacon: бекон | salami: салямі
fish: риба | salmon: лосось сьомга | herring: оселедець | tuna: тунець | shrimp: креветки
potato: картопля | potatoes: картопля | tomato: помідори томати | tomatoes: помідори томати
cucumber: огірки | cucumbers: огірки | onion: цибуля | onions: цибуля | garlic: часник
carrot: морква | carrots: морква | cabbage: капуста | beet: буряк | beets: буряк | mushrooms: гриби
pepper: перець | greens: зелень | dill: кріп | parsley: петрушка | corn: кукурудза | peas: горошок
beans: квасоля | lentils: сочевиця | apple: яблуко яблучний | apples: яблука | pear: груша
pears: груші | banana: банани | bananas: банани | orange: апельсин апельсиновий | oranges: апельсини
lemon: лимон | grapes: виноград | strawberry: полуниця | berries: ягоди | cherry: вишня
juice: сік | water: вода | sparkling: газована | still: негазована | mineral: мінеральна
tea: чай | green: зелений | black: чорний | coffee: кава | beans: зерна | ground: мелена
instant: розчинна | decaf: без кофеїну | cocoa: какао | chocolate: шоколад | candy: цукерки
sweets: цукерки | cookies: печиво | biscuits: печиво | cake: торт | wafers: вафлі | waffles: вафлі
chips: чіпси | crisps: чіпси | nuts: горіхи | seeds: насіння | crackers: крекери | snack: снеки
beer: пиво | wine: вино | red: червоне | white: біле | dry: сухе | sweet: солодке | dark: темне
vodka: горілка | cider: сидр | soda: газований напій | lemonade: лимонад | kvass: квас
dumplings: вареники пельмені | pelmeni: пельмені | vareniki: вареники | pizza: піца
frozen: заморожені | ice: морозиво | icecream: морозиво | soup: суп | canned: консерви
baby: дитяче | formula: суміш | puree: пюре | porridge: каша | diapers: підгузки
cat: котів | dog: собак | food: корм | detergent: засіб прання | dishwashing: засіб для посуду
soap: мило | shampoo: шампунь | toothpaste: зубна паста | paper: папір | toilet: туалетний
napkins: серветки | cleaner: засіб для прибирання | lactose: лактози | free: без
spices: спеції | yeast: дріжджі | vanilla: ванілін | cinnamon: кориця | ketchup: кетчуп
borscht: борщ | borsch: борщ | borshch: борщ | pilaf: плов | plov: плов | pancakes: млинці
breakfast: сніданок | party: вечірка | picnic: пікнік | cleaning: прибирання | laundry: прання
salad: салат | dessert: десерт | barbecue: барбекю | bbq: барбекю | grill: гриль | kebab: шашлик
"""

_RUSSIAN = """
сыр: сир | творог: кисломолочний сир | сливки: вершки | масло: масло олія | подсолнечное: соняшникова
подсолнечный: соняшникова | растительное: олія | сливочное: вершкове | хлеб: хліб | батон: батон
булка: булка | мука: борошно | сахар: цукор | соль: сіль | перец: перець | гречка: гречка
крупа: крупа | макароны: макарони | лапша: локшина | хлопья: пластівці | яйца: яйця | яйцо: яйця
курица: курка | куриное: куряче | куриные: курячі | куриный: курячий | крылышки: крила крильця
крылья: крила крильця | филе: філе | говядина: яловичина | свинина: свинина | фарш: фарш | мясо: мясо
колбаса: ковбаса | сосиски: сосиски | ветчина: шинка | рыба: риба | селедка: оселедець
картофель: картопля | картошка: картопля | помидоры: помідори | огурцы: огірки | лук: цибуля
чеснок: часник | морковь: морква | капуста: капуста | свекла: буряк | грибы: гриби | зелень: зелень
укроп: кріп | яблоки: яблука | яблоко: яблуко | груши: груші | бананы: банани | апельсины: апельсини
лимон: лимон | виноград: виноград | клубника: полуниця | ягоды: ягоди | вишня: вишня
сок: сік | вода: вода | газированная: газована | минеральная: мінеральна | чай: чай | кофе: кава
молотый: мелена | растворимый: розчинна | зерновой: зерна | шоколад: шоколад | конфеты: цукерки
печенье: печиво | торт: торт | вафли: вафлі | чипсы: чіпси | орехи: горіхи | семечки: насіння
пиво: пиво | вино: вино | красное: червоне | белое: біле | сухое: сухе | темное: темне
водка: горілка | пельмени: пельмені | вареники: вареники | мороженое: морозиво
замороженные: заморожені | консервы: консерви | детское: дитяче | смесь: суміш | каша: каша
подгузники: підгузки | корм: корм | кошек: котів | собак: собак | стиральный: прання
мыло: мило | шампунь: шампунь | безлактозное: безлактозне | безлактозный: безлактозний
нерафинированное: нерафінована | рафинированное: рафінована | сметана: сметана | кефир: кефір
молоко: молоко | ряженка: ряжанка | йогурт: йогурт | сгущенка: згущене | масляный: вершкове
"""

# Dishes and occasions to the groceries they need: what "для плову" or "до чаю" is after.
# A key marked `*` is a product in its own right ("кава"), so it expands only after a word of
# purpose ("до кави", "щось для кави"); unmarked keys ("плов") always expand.
_NEEDS = """
плов: рис, морква, цибуля, баранина, свинина, спеції, олія
окрошка: квас, огірки, редиска, яйця, ковбаса варена, кефір, зелень, картопля
борщ: буряк, капуста, картопля, морква, цибуля, томатна паста, сметана
щавлевий: щавель, шпинат, яйця, картопля, сметана
*суп: картопля, морква, цибуля, вермішель, зелень, філе куряче
юшка: риба, картопля, морква, цибуля, зелень
солянка: ковбаса копчена, сосиски, огірки мариновані, оливки, томатна паста, лимон
*голубці: капуста, фарш, рис, морква, цибуля, томатна паста, сметана
*котлети: фарш, яйця, цибуля, батон, сухарі
*деруни: картопля, цибуля, яйця, борошно, сметана
*пельмені: фарш, борошно, яйця, цибуля, сметана
*вареники: борошно, яйця, кисломолочний сир, картопля, капуста, вишня, сметана
холодець: свинина, яловичина, часник, желатин
вінегрет: буряк, картопля, морква, огірки мариновані, квасоля, капуста, олія
шуба: оселедець, буряк, картопля, морква, майонез, яйця
олівє: картопля, морква, горошок, яйця, майонез, ковбаса варена, огірки
*салат: огірки, помідори, зелень, олія, сметана
цезар: філе куряче, листя салату, пармезан, сухарики, батон
грецький: огірки, помідори, перець солодкий, сир фета, оливки, олія оливкова
крабовий: крабові палички, кукурудза, яйця, рис, майонез
карбонара: спагеті, бекон, яйця, пармезан, вершки
болоньєзе: спагеті, фарш, томатна паста, цибуля, пармезан
лазанья: макарони, фарш, моцарела, пармезан, томатна паста, молоко
*піца: борошно, дріжджі, моцарела, томатна паста, ковбаса, кетчуп
суші/роли: рис, лосось, форель, норі, соєвий соус, імбир, васабі
рагу: картопля, кабачки, морква, цибуля, перець солодкий, баклажани
*бутерброди: хліб, батон, масло вершкове, ковбаса, сир, шинка
сендвіч: хліб тостовий, шинка, сир, помідори, листя салату
*тости: хліб тостовий, масло вершкове, сир, шинка
омлет: яйця, молоко, сир, помідори, зелень
яєчня: яйця, масло вершкове, бекон, помідори
*каша: гречка, пшоно, вівсяні пластівці, рис, крупа, молоко, масло вершкове
*млинці: борошно, молоко, яйця, цукор, олія
*налисники: борошно, молоко, яйця, кисломолочний сир, сметана
оладки: кефір, борошно, яйця, цукор, розпушувач
*сирники: кисломолочний сир, борошно, яйця, сметана, цукор
запіканка: кисломолочний сир, яйця, манна крупа, цукор, сметана
шарлотка: яблука, борошно, яйця, цукор
*пиріг/пирога: борошно, яйця, цукор, масло вершкове, яблука, вишня, розпушувач
*торт: борошно, яйця, цукор, масло вершкове, вершки, какао, шоколад
*печиво: борошно, масло вершкове, цукор, яйця, розпушувач
кекс: борошно, яйця, цукор, масло вершкове, розпушувач, родзинки
випічка: борошно, дріжджі, розпушувач, цукор, яйця, масло вершкове, ванілін
*паска: борошно, дріжджі, яйця, цукор, масло вершкове, родзинки, молоко
кутя: пшениця, мак, мед, горіхи, родзинки
узвар: сухофрукти, мед
*смузі: банани, ягоди, йогурт, молоко, вівсяні пластівці
коктейль: молоко, морозиво, банани, ягоди
глінтвейн: вино червоне, апельсини, кориця, гвоздика, мед
*какао: молоко, какао, цукор, зефір
*кава: молоко, вершки, цукор, печиво, цукерки
*чай/чаю: печиво, вафлі, цукерки, мед, лимон, цукор
*пиво/пива: чіпси, сухарики, горіхи, риба копчена, кальмар, арахіс
*вино/вина: сир, виноград, шоколад, фрукти, ковбаса сирокопчена
закуски: сир, ковбаса, шинка, оливки, крекери, чіпси, горіхи
перекус: горіхи, сухофрукти, яблука, банани, батончик, йогурт, хлібці
попити: вода, сік, квас, напій, лимонад
холодне: вода, квас, сік, лимонад, напій
спека: вода, морозиво, квас, лимонад, сік
*солодке: шоколад, цукерки, печиво, торт, морозиво, зефір, вафлі
десерт: торт, морозиво, тістечка, зефір, шоколад, печиво
сніданок: пластівці, вівсяні, яйця, йогурт, молоко
гриль/барбекю: ковбаски, мясо, маринована, соус, кетчуп
шашлик: маринована, свинина, кетчуп, цибуля
пікнік: ковбаса, хліб, сир, овочі, напій, чіпси
свято/свята/святковий/застілля: ковбаса, сир, вино ігристе, торт, фрукти, ікра, майонез, оливки
гості: сир, ковбаса, вино, торт, фрукти, цукерки, напій
вечірка/вечірки/вечірку: чіпси, напій, пиво, вино, сир, горіхи
народження: торт, вино ігристе, цукерки, напій, фрукти, чіпси
великдень: паска, яйця, ковбаса, шинка, хрін, сир
дитина/малюк/дитячий: пюре, суміш молочна, каша дитяча, сік дитячий, підгузки
немовля/немовляти: суміш молочна, пюре, підгузки, серветки вологі
кіт/кота/кішка/котик/кошеня: корм для котів, ласощі для котів, наповнювач
собака/пес/пса/цуценя: корм для собак, ласощі для собак
дієта/схуднення/дієтичний: хлібці, йогурт натуральний, кефір, гречка, вівсяні пластівці, овочі, філе куряче
піст/посту/пісне/пісний: нут, сочевиця, квасоля, гречка, овочі, напій вівсяний, олія
веган/веганський: напій вівсяний, нут, сочевиця, тофу, хлібці, овочі
спорт: батончик, сир кисломолочний, філе куряче, яйця, банани, вода
застуда: лимон, мед, імбир, чай, малина
гігієна: мило, гель для душу, шампунь, зубна паста, туалетний папір
прибирання: засіб для прибирання, засіб для посуду, засіб для чищення, засіб для скла, губки, серветки
*кухня/кухні: засіб для посуду, засіб для прибирання
прання: засіб для прання, порошок, гель для прання
"""


def _words(value: Sequence[str] | str) -> list[str]:
    return fold(value).split() if isinstance(value, str) else [w for v in value for w in fold(v).split()]


def _phrases(value: Sequence[str] | str) -> list[str]:
    """Needs as phrases: a comma-separated string or a list."""
    items = value.split(",") if isinstance(value, str) else value
    return [fold(i) for i in items if fold(i)]


def _parse(table: str) -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {}
    for chunk in table.replace("\n", "|").split("|"):
        if ":" in chunk:
            key, _, value = chunk.partition(":")
            entries.setdefault(fold(key), []).extend(fold(value).split())
    return entries


@lru_cache(maxsize=1)
def base_dictionary() -> dict[str, tuple[str, ...]]:
    """The built-in entries, keyed by folded word and by stem."""
    merged: dict[str, list[str]] = {}
    for table in (_ENGLISH, _RUSSIAN):
        for key, words in _parse(table).items():
            merged.setdefault(key, []).extend(words)
    return _with_stems(merged)


@lru_cache(maxsize=1)
def base_needs() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """Dish and occasion entries by stem (each need a phrase), and the stems that are products themselves."""
    parsed: dict[str, tuple[str, ...]] = {}
    for line in _NEEDS.strip().splitlines():
        keys, _, value = line.partition(":")
        marked = keys.strip().startswith("*")
        for key in keys.strip().lstrip("*").split("/"):  # forms the stemmer does not join: чай/чаю, кіт/кота
            parsed[("*" if marked else "") + key.strip()] = tuple(_phrases(value))
    products = frozenset(stem(fold(k[1:])) for k in parsed if k.startswith("*"))
    return {stem(fold(k.lstrip("*"))): v for k, v in parsed.items()}, products


def _with_stems(entries: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for key, words in entries.items():
        out[key] = tuple(dict.fromkeys(words))
        out.setdefault("~" + stem(key), out[key])  # "~" marks a stem key
    return out


class Dictionary:
    """The base dictionary with one tenant's entries on top (theirs win).

    `extra` maps a word to its Ukrainian words; `needs` maps a dish or occasion to what it
    needs (a key starting with `*` is a product itself and expands only after "для", "до"…).
    """

    def __init__(
        self,
        extra: Mapping[str, Sequence[str] | str] | None = None,
        needs: Mapping[str, Sequence[str] | str] | None = None,
        *,
        seed: bool = True,
    ) -> None:
        self._entries = dict(base_dictionary())
        if extra:
            self._entries.update(_with_stems({fold(k): _words(v) for k, v in extra.items()}))
        # The built-in dish table is a seed: a tenant adds keys, empties one ("кава": "") to drop
        # it, or (`seed` false, `tenant.search["needs_seed"]`) starts from its own entries alone.
        base, products = base_needs() if seed else ({}, frozenset())
        self._needs = dict(base)
        self._products = set(products)
        for key, value in (needs or {}).items():
            self._needs[stem(fold(key.lstrip("*")))] = tuple(_phrases(value))
            if key.startswith("*"):
                self._products.add(stem(fold(key[1:])))

    def needs(self, word: str) -> tuple[str, ...]:
        """What a dish or an occasion needs (each need a phrase such as "томатна паста"), or nothing."""
        return self._needs.get(stem(word), ())

    def is_product(self, word: str) -> bool:
        """Whether a dish word also names a product (then it expands only after a word of purpose)."""
        return stem(word) in self._products

    def lookup(self, word: str) -> tuple[str, ...]:
        """Ukrainian words for a folded word, by exact form first and then by stem."""
        return self._entries.get(word) or self._entries.get("~" + stem(word), ())
