"""Grocery words the search dictionary lacks, for matching a shopper's words to Ukrainian product names.

Generic shop vocabulary, not this or that catalog: English words with their Ukrainian product
words, and Ukrainian and Russian forms that a stemmer cannot bring back to the name's word
(«яєць» is «яйця», «шиї» is «шия»). An operator adds words with `VIZOCHOK_OFFLINE_VOCABULARY`, a
JSON file `{"word": "українські слова"}`; a tenant's `search.dictionary` entries count as well,
since search reads them and this layer reads what search returns.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

_WORDS = """
lime: лайм | limes: лайм | mango: манго | mangoes: манго | nectarine: нектарини | nectarines: нектарини
prawn: креветки | prawns: креветки | king: королівські | sweetcorn: кукурудза солодка | trout: форель
filet: філе | fillet: філе | pork: свинина свиняча | beef: яловичина яловичий | chicken: курка курячий куряче
parmesan: пармезан | neck: шия шиї | marinated: маринований | shashlik: шашлик
plant: рослинний напій | based: рослинний | oat: вівсяний | oats: вівсяні | pouch: корм | pouches: корм
liquid: засіб | washing: миття прання | powder: порошок | nappies: підгузки | diapers: підгузки
wipes: серветки | frankfurter: сосиски | frankfurters: сосиски | wieners: сосиски | turkey: індичка індички
drumstick: гомілка | drumsticks: гомілка | thigh: стегно | thighs: стегно | leg: окорочок гомілка | duck: качка
mackerel: скумбрія | squid: кальмар | crab: крабові | sticks: палички | pumpkin: гарбуз | zucchini: кабачки цукіні
courgette: кабачки | spinach: шпинат | champignon: печериці | champignons: печериці | mushroom: гриби печериці
blueberry: чорниця | blueberries: чорниця | cherries: вишня черешня | cola: кола | energy: енергетичний
drink: напій | drinks: напої | marshmallow: зефір | cashew: кешью | dried: сушений | raisins: родзинки
cornflakes: пластівці кукурудзяні | baking: розпушувач | turmeric: куркума | paprika: паприка
seasoning: приправа | mayo: майонез | pickles: огірки мариновані | gherkins: корнішони | tinned: консерви
stew: тушкована | condensed: згущене | varenyky: вареники | cauliflower: капуста цвітна | seedless: кишмиш
pink: рожевий | yellow: жовтий | smoked: копчена копчений копчення | chilled: охолоджене | boneless: без кістки
tenderloin: вирізка | mozzarella: моцарела | suluguni: сулугуні | gouda: гауда | ryazhenka: ряжанка
iodized: йодована | jasmine: жасмин | millet: пшоно | barley: ячна | chickpeas: нут | chickpea: нут
vermicelli: вермішель | tagliatelle: тальятеле | fusilli: fusilli | rye: житній | wheat: пшеничний
toast: тостовий | pita: лаваш | lavash: лаваш | flatbread: лаваш | crispbread: хлібці | nectar: нектар
candies: цукерки | bar: батончик | bars: батончик | glass: скла | gel: гель | treats: ласощі
detergent: засіб порошок | dish: посуду | dishes: посуду | up: миття | bleach: засіб | cleaner: засіб
toilet: туалетний | roll: рулонів | rolls: рулонів | lactose: лактози | gluten: глютену | sugar: цукру
caffeine: кофеїну | alcohol: алкоголю | decaf: decaf
яєць: яйця | яєчка: яйця | яйце: яйця | яиц: яйця | яйца: яйця | яйцо: яйця | шиї: шия | шеи: шия
курей: курка | кур: курка | помидор: помідори | помидоры: помідори | помидоров: помідори | свинячої: свинина
свиной: свинина | свиная: свинина | куриные: курячі | куриное: куряче | куриный: курячий | куриных: курячі
сосисок: сосиски | сасиски: сосиски | сасисок: сосиски | пакетик: пакетиків | пакетики: пакетиків
"""
# An English word ending in "s" with more letters than this may be a plural ("eggs", not "gas").
PLURAL_OVER = 3


def _parse(table: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for entry in table.replace("\n", " | ").split("|"):
        if ":" in entry:
            key, value = entry.split(":", 1)
            out[key.strip()] = tuple(value.split())
    return out


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, tuple[str, ...]]:
    """The built-in words with the operator's file on top."""
    words = _parse(_WORDS)
    path = os.environ.get("VIZOCHOK_OFFLINE_VOCABULARY")
    if path:
        extra = json.loads(Path(path).read_text("utf-8"))
        words.update(
            {
                k.casefold(): tuple(str(v).split()) if isinstance(v, str) else tuple(v)
                for k, v in extra.items()
            }
        )
    return words


def translate(word: str) -> tuple[str, ...]:
    """A word's entry, trying English singulars ("cashews", "mangoes", "cherries") when the plural is absent."""
    words = vocabulary()
    if word in words:
        return words[word]
    if word.isascii() and len(word) > PLURAL_OVER and word.endswith("s"):
        for single in (word[:-1], word[:-2], word[:-3] + "y"):
            if single in words:
                return words[single]
    return ()
