"""The words that carry intent (not products), in Ukrainian, Russian and English, in folded form.

Folded means lower case with apostrophes removed (`п'ять` → `пять`), as `core.query.fold` writes
them. Product words are never listed here: the catalog itself, through search, decides what a
product phrase means. A cue of several words is written with spaces and matched as a sequence.
"""

from __future__ import annotations

ADD = frozenset({
    "додай", "додати", "додайте", "доклади", "докинь", "кинь", "киньте", "закинь", "поклади", "покладіть", "купи",
    "купити", "візьми", "візьму", "візьміть", "беру", "давай", "дай", "добавь", "добавьте", "добавить", "положи",
    "положите", "возьми", "возьму", "возьмите", "купить", "брось", "add", "put", "buy", "get", "grab",
    "need", "take", "throw", "order", "dodai", "dodaj", "dodaty", "daite", "kupy", "добав", "додай-но", "закинь-но",
})  # fmt: skip
REMOVE = frozenset({
    "видали", "видалити", "видаліть", "прибери", "прибрати", "приберіть", "забери", "заберіть", "убери", "уберите",
    "удали", "удалите", "удалить", "убрать", "выкинь", "викинь", "remove", "delete", "drop", "vydaly", "prybery",
})  # fmt: skip
REMOVE_PHRASES = ("не треба", "не потрібно", "не потрібен", "не потрібна", "не нужно", "не надо", "не нужен",
                  "не нужна", "take out", "take them out", "take it out", "after all", "dont need", "do not need",
                  "dont want")  # fmt: skip
CLEAR_VERBS = frozenset(
    {
        "очисти",
        "очистити",
        "очистіть",
        "очисть",
        "очистить",
        "почисти",
        "почисть",
        "почистить",
        "clear",
        "empty",
        "scrap",
        "reset",
        "обнули",
        "обнулить",
    }
)
ALL_WORDS = frozenset({"все", "всё", "усе", "everything", "all", "vse", "повністю"})
START_OVER = (
    "start over",
    "почну спочатку",
    "почнемо спочатку",
    "начну сначала",
    "начнем сначала",
    "pochnu spochatku",
    "з нуля",
    "с нуля",
)
EXCEPT = frozenset({"крім", "окрім", "кроме", "except", "but"})
UPDATE = frozenset({
    "зроби", "зробіть", "постав", "поставте", "зміни", "змініть", "заміни", "сделай", "сделайте", "поменяй", "измени",
    "поставь", "change", "make", "set", "up", "increase", "reduce", "decrease", "lower",
})  # fmt: skip
UPDATE_MARKERS = frozenset({
    "замість", "вместо", "instead", "досить", "вистачить", "достатньо", "достаточно", "хватит", "enough",
    "поменьше", "побольше", "менше", "більше", "less", "fewer", "more", "many", "much", "only", "just",
})  # fmt: skip
INCREMENT = frozenset({"ще", "еще", "ещё", "another", "more"})
NOT_BUT = (("не", "а"), ("not", "but"), ("not", "just"), ("not", "only"), ("не", "только"), ("не", "тільки"))
SEARCH = frozenset({
    "покажи", "покажіть", "покажите", "показати", "знайди", "знайдіть", "найди", "найдите", "шукаю", "ищу", "є", "есть",
    "які", "какие", "какой", "який", "яка", "яке", "почім", "почем", "ціна", "цена", "порадь", "порадьте",
    "посоветуй", "show", "find", "any", "have", "got", "there", "price", "cost", "costs", "much", "recommend",
    "looking", "search", "chy", "ye", "pokazhy", "shukaiu",
})  # fmt: skip
QUESTION = frozenset({"що", "что", "what", "скільки", "сколько", "how", "чи", "whats", "який", "какой"})
CART_WORDS = frozenset(
    {
        "кошик",
        "кошику",
        "кошика",
        "корзина",
        "корзине",
        "корзину",
        "корзины",
        "cart",
        "basket",
        "koshyk",
        "koshyka",
        "koshyku",
    }
)
TOTAL_WORDS = frozenset(
    {"total", "разом", "итого", "сума", "сумма", "позицій", "позиций", "позиції", "позиции", "items", "sum"}
)
GREET = frozenset(
    {
        "привіт",
        "вітаю",
        "привет",
        "здравствуйте",
        "здрастуйте",
        "hello",
        "hi",
        "hey",
        "вітання",
        "хай",
        "privit",
        "pryvit",
    }
)
GREET_PHRASES = ("добрий день", "добрий ранок", "добрий вечір", "добрый день", "доброе утро", "добрый вечер",
                 "good morning", "good evening", "good afternoon", "ти тут", "ты тут", "are you there")  # fmt: skip
THANKS = frozenset({"дякую", "спасибі", "спасибо", "thanks", "thank", "thx", "дякс", "dyakuyu", "diakuiu"})
THANKS_PHRASES = (
    "на цьому все",
    "на этом все",
    "на этом всё",
    "thats all",
    "that is all",
    "до побачення",
    "до свидания",
    "bye",
)
ABILITIES = ("що ти вмієш", "що вмієш", "що ти можеш", "что ты умеешь", "что умеешь", "что ты можешь",
             "what can you do", "what do you do", "how does this work", "хто ти", "кто ты", "who are you", "допоможи",
             "помоги", "help")  # fmt: skip
OFF_TOPIC = frozenset({
    # travel, services, entertainment, medicine: things a grocery shop does not sell
    "квиток", "квитки", "квитка", "білет", "билет", "билеты", "билетов", "ticket", "tickets", "потяг", "поїзд", "поезд",
    "train", "таксі", "такси", "taxi", "uber", "літак", "самолет", "flight", "готель", "отель", "hotel", "кіно",
    "кино", "cinema", "movie", "фільм", "фильм", "анекдот", "анекдоти", "жарт", "шутку", "шутка", "joke", "погода",
    "погоду", "weather", "ліки", "лекарство", "лекарства", "medicine", "pills", "таблетки", "ібупрофен", "ибупрофен",
    "ibuprofen", "amoxicillin", "амоксицилін", "амоксициллин", "антибіотик", "антибиотик", "antibiotic", "аспірин",
    "аспирин", "aspirin", "парацетамол", "paracetamol", "болю", "боли", "headache", "аптека", "pharmacy", "book",
    "забронюй", "забронируй", "airport", "ресторан", "ресторану", "ресторана", "ресторане", "restaurant", "кафе",
    "cafe", "аеропорт", "аэропорт", "політика", "политика", "бензин", "petrol",
})  # fmt: skip
ORDINALS: dict[str, int] = {
    **dict.fromkeys(("перший", "перша", "перше", "першу", "першого", "першій", "первый", "первая", "первое", "первую",
                     "first", "1st"), 1),
    **dict.fromkeys(("другий", "друга", "друге", "другу", "другого", "второй", "вторая", "второе", "вторую", "second",
                     "2nd"), 2),
    **dict.fromkeys(("третій", "третя", "третє", "третю", "третього", "третий", "третья", "третье", "третью", "third",
                     "3rd"), 3),
    **dict.fromkeys(("четвертий", "четверта", "четверте", "четверту", "четвертый", "четвертая", "четвертую", "fourth",
                     "4th"), 4),
    **dict.fromkeys(("пятий", "пята", "пяте", "пяту", "пятый", "пятая", "пятую", "fifth", "5th"), 5),
    **dict.fromkeys(("шостий", "шоста", "шосте", "шосту", "шестой", "шестая", "шестую", "sixth", "6th"), 6),
    **dict.fromkeys(("останній", "остання", "останнє", "останню", "последний", "последняя", "последнюю", "last"), -1),
}  # fmt: skip
CHEAPEST = frozenset({"найдешевше", "найдешевший", "найдешевша", "найдешевшу", "найдешевшого", "дешевший", "дешевше",
                      "самый", "дешевый", "дешёвый", "дешевую", "дешёвую", "дешевое",
                      "cheapest", "cheaper"})  # fmt: skip
THIS_ONE = frozenset({"цю", "цей", "це", "цього", "эту", "этот", "это", "this", "that", "it"})
SEPARATORS = frozenset({",", ";", "і", "й", "та", "и", "and", "&", "плюс", "plus", "also", "а також"})
ALTERNATIVES = frozenset({"або", "или", "or", "чи"})
FILLER = frozenset({
    "будь", "ласка", "please", "pls", "plz", "пожалуйста", "плиз", "мені", "мне", "me", "also", "some", "трохи",
    "немного", "the", "my", "мій", "мою", "моя", "мої", "мой", "в", "у", "до", "in", "into", "to", "ой", "oh", "ну",
    "так", "actually", "just", "will", "you", "can", "could", "would", "i", "ill", "id", "want", "хочу", "тепер",
    "теперь", "now", "а", "же", "ж", "вже", "уже", "ok", "okay", "окей", "гаразд", "ладно", "ще", "еще",
    "ещё", "us", "нам", "мы", "ми", "нас", "щось", "что-то", "something", "anything", "тоже", "теж", "too",
    "бы", "б", "of", "one", "ones", "them", "it", "that", "these", "those", "цей", "ці", "эти", "with",
    "gonna", "going", "let", "lets", "давайте", "можна", "можно", "вас", "є", "есть", "have", "do",
    "is", "are", "there", "got", "any", "what", "which", "які", "какие", "тут", "here", "sir",
}) | CART_WORDS  # fmt: skip
"""Words that never name a product; dropped from product phrases."""
PURPOSE = frozenset({"для", "for", "на", "під", "под", "к"})
"""After these, words tell what the product is for: they may match but need not."""
MEAL_PLAN = ("план харчування", "план харчувань", "план на", "меню на", "план їжі", "meal plan", "menu for",
             "plan meals", "план питания", "меню на неделю", "раціон на")  # fmt: skip
WEEK = frozenset({"тиждень", "тижня", "week", "неделю", "неделя"})
RECIPE_CUES = frozenset({
    "треба", "потрібно", "потрібні", "потрібен", "купити", "інгредієнти", "рецепт", "приготувати", "зварити", "спекти",
    "посмажити", "зробити", "продукти", "продукты", "нужно", "нужны", "надо", "купить", "ингредиенты", "приготовить",
    "сварить", "испечь", "пожарить", "need", "buy", "ingredients", "recipe", "cook", "make", "bake", "treba", "kupyty",
    "portsii", "порцій", "порції", "людей", "осіб", "гостей", "человек", "people", "servings", "persons", "guests",
})  # fmt: skip

TRANSLIT = frozenset({
    "dodai", "dodaj", "dodaty", "daite", "kupy", "kupyty", "vydaly", "prybery", "chy", "ye", "pokazhy", "shukaiu",
    "vse", "koshyk", "koshyka", "koshyku", "privit", "pryvit", "dyakuyu", "diakuiu", "treba", "portsii", "shcho", "na",
})  # fmt: skip
"""Ukrainian intent words as shoppers type them in Latin letters: evidence of Ukrainian, not of English."""

LEXICON_WORDS = frozenset(
    ADD
    | REMOVE
    | CLEAR_VERBS
    | ALL_WORDS
    | UPDATE
    | UPDATE_MARKERS
    | SEARCH
    | QUESTION
    | CART_WORDS
    | GREET
    | THANKS
    | OFF_TOPIC
    | frozenset(ORDINALS)
    | CHEAPEST
    | FILLER
    | RECIPE_CUES
    | PURPOSE
    | SEPARATORS
    | ALTERNATIVES
    | frozenset(
        w for p in REMOVE_PHRASES + START_OVER + GREET_PHRASES + THANKS_PHRASES + ABILITIES for w in p.split()
    )
)
"""Every intent word: a Latin message is read as the script that explains most of them."""
