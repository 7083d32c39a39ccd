"""The offline planner's replies, in uk, en and ru."""

from __future__ import annotations

import re
from typing import Any

_TEXTS: dict[str, dict[str, str]] = {
    "found": {"uk": "Ось що я знайшов за запитом «{query}».", "en": "Here is what I found for “{query}”.", "ru": "Вот что я нашёл по запросу «{query}»."},
    "promo": {
        "uk": " Акція: {name} — {promo} грн замість {price} грн.",
        "en": " On offer: {name} for {promo} UAH instead of {price} UAH.",
        "ru": " Акция: {name} — {promo} грн вместо {price} грн.",
    },
    "not_found": {
        "uk": "На жаль, не знайшов «{query}». Спробуйте сформулювати інакше.",
        "en": "Sorry, I could not find “{query}”. Try wording it differently.",
        "ru": "К сожалению, не нашёл «{query}». Попробуйте сформулировать иначе.",
    },
    "no_prices": {
        "uk": "Не вдалося завантажити ціни магазину. Спробуйте, будь ласка, за хвилину.",
        "en": "I could not load the store's prices. Please try again in a minute.",
        "ru": "Не удалось загрузить цены магазина. Попробуйте, пожалуйста, через минуту.",
    },
    "added": {"uk": "Додав до кошика: {name} × {quantity}.", "en": "Added to the cart: {name} × {quantity}.", "ru": "Добавил в корзину: {name} × {quantity}."},
    "add_failed": {"uk": "Не вдалося додати {name}: {reason}.", "en": "Could not add {name}: {reason}.", "ru": "Не удалось добавить {name}: {reason}."},
    "removed": {"uk": "Прибрав із кошика: {name}.", "en": "Removed from the cart: {name}.", "ru": "Убрал из корзины: {name}."},
    "updated": {"uk": "Тепер у кошику: {name} × {quantity}.", "en": "The cart now has {name} × {quantity}.", "ru": "Теперь в корзине: {name} × {quantity}."},
    "change_failed": {"uk": "Не вдалося змінити кошик: {reason}.", "en": "Could not change the cart: {reason}.", "ru": "Не удалось изменить корзину: {reason}."},
    "cleared": {"uk": "Готово, кошик порожній.", "en": "Done, the cart is empty.", "ru": "Готово, корзина пуста."},
    "not_in_cart": {"uk": "«{query}» немає у кошику.", "en": "“{query}” is not in the cart.", "ru": "«{query}» нет в корзине."},
    "cart_empty": {"uk": "Кошик поки порожній.", "en": "The cart is empty so far.", "ru": "Корзина пока пуста."},
    "cart_line": {"uk": "{name} × {quantity}", "en": "{name} × {quantity}", "ru": "{name} × {quantity}"},
    "cart_total": {"uk": "У кошику {count} поз.: {lines}. Разом {total} грн.", "en": "Your cart has {count} items: {lines}. Total {total} UAH.", "ru": "В корзине {count} поз.: {lines}. Итого {total} грн."},
    "recipe": {
        "uk": "Ось що потрібно для страви «{dish}» на {servings} порц. Зніміть позначку з того, що вже є вдома, і натисніть «Додати».",
        "en": "Here is what you need for {dish} ({servings} servings). Untick what you already have and press Add.",
        "ru": "Вот что нужно для блюда «{dish}» на {servings} порц. Снимите отметку с того, что уже есть дома, и нажмите «Добавить».",
    },
    "recipe_missing": {"uk": " Не знайшов у магазині: {items}.", "en": " Not found in the store: {items}.", "ru": " Не нашёл в магазине: {items}."},
    "meal_plan": {
        "uk": "Ось план харчування на {days} дн. Схваліть його — і я додам усе до кошика, або напишіть, що змінити.",
        "en": "Here is a {days}-day meal plan. Approve it and I will add everything to the cart, or tell me what to change.",
        "ru": "Вот план питания на {days} дн. Одобрите его — и я добавлю всё в корзину, или напишите, что изменить.",
    },
    "which": {"uk": "Який саме варіант «{query}» додати?", "en": "Which “{query}” should I add?", "ru": "Какой именно вариант «{query}» добавить?"},
    "day": {"uk": "День {n}", "en": "Day {n}", "ru": "День {n}"},
    "breakfast": {"uk": "Сніданок: {dish}", "en": "Breakfast: {dish}", "ru": "Завтрак: {dish}"},
    "lunch": {"uk": "Обід: {dish}", "en": "Lunch: {dish}", "ru": "Обед: {dish}"},
    "dinner": {"uk": "Вечеря: {dish}", "en": "Dinner: {dish}", "ru": "Ужин: {dish}"},
    "thanks": {"uk": "Будь ласка! Звертайтеся, якщо ще щось знадобиться.", "en": "You're welcome! Ask me any time you need something else.", "ru": "Пожалуйста! Обращайтесь, если ещё что-то понадобится."},
    "abilities": {
        "uk": "Я шукаю товари цього магазину, додаю їх до кошика, прибираю й змінюю кількість, підбираю продукти для страви чи план харчування. Напишіть, наприклад: «додай 2 кг картоплі» або «що треба на борщ?».",
        "en": "I find this shop's products, add them to your cart, remove them or change quantities, and gather what a dish or a meal plan needs. Try “add 2 kg of potatoes” or “what do I need for borscht?”.",
        "ru": "Я ищу товары этого магазина, добавляю их в корзину, убираю и меняю количество, подбираю продукты для блюда или план питания. Напишите, например: «добавь 2 кг картошки» или «что нужно для борща?».",
    },
    "off_topic": {
        "uk": "Вибачте, з цим я не допоможу: я помічник продуктового магазину. Можу знайти продукти чи зібрати кошик.",
        "en": "Sorry, I can't help with that: I'm a grocery shop's assistant. I can find products or fill your cart.",
        "ru": "Извините, с этим я не помогу: я помощник продуктового магазина. Могу найти продукты или собрать корзину.",
    },
    "unclear": {
        "uk": "Не зовсім зрозумів. Напишіть, що шукаєте, наприклад: «покажи гречку» або «додай молоко».",
        "en": "I didn't quite get that. Tell me what you're looking for, e.g. “show buckwheat” or “add milk”.",
        "ru": "Не совсем понял. Напишите, что ищете, например: «покажи гречку» или «добавь молоко».",
    },
    "which_line": {"uk": "Що саме з кошика змінити?", "en": "Which item in the cart do you mean?", "ru": "Что именно в корзине изменить?"},
    "which_card": {"uk": "Який саме товар? Спершу покажу варіанти — напишіть, що шукаєте.", "en": "Which product do you mean? Tell me what you're looking for and I'll show options.", "ru": "Какой именно товар? Напишите, что ищете, и я покажу варианты."},
    "how_much": {"uk": "Скільки взяти: {name}?", "en": "How much {name} would you like?", "ru": "Сколько взять: {name}?"},
    "something_else": {"uk": "Інше", "en": "Something else", "ru": "Другое"},
    "kg": {"uk": "кг", "en": "kg", "ru": "кг"},
    "pcs": {"uk": "шт.", "en": "pcs", "ru": "шт."},
    "currency": {"uk": "грн", "en": "UAH", "ru": "грн"},
    "this_product": {"uk": "товар", "en": "the product", "ru": "товар"},
    "plan_total": {"uk": " Разом за план: {total} грн.", "en": " The plan totals {total} UAH.", "ru": " Итого за план: {total} грн."},
    "greet": {
        "uk": "Вітаю! Я допоможу знайти продукти й зібрати кошик. Напишіть, наприклад: «додай два молока і хліб».",
        "en": "Hello! I can find groceries and fill your cart. Try: “add two milks and bread”.",
        "ru": "Здравствуйте! Помогу найти продукты и собрать корзину. Напишите, например: «добавь два молока и хлеб».",
    },
}  # fmt: skip

REASONS: dict[str, dict[str, str]] = {
    "out_of_stock": {"uk": "немає в наявності", "en": "out of stock", "ru": "нет в наличии"},
    "quantity_exceeded": {"uk": "стільки немає, спробуйте меншу кількість", "en": "not enough in stock, try fewer", "ru": "столько нет, попробуйте меньше"},
    "product_not_found": {"uk": "товар не знайдено", "en": "product not found", "ru": "товар не найден"},
    "not_in_cart": {"uk": "цього немає в кошику", "en": "it is not in the cart", "ru": "этого нет в корзине"},
    "webhook_timeout": {"uk": "магазин не відповів вчасно, спробуйте ще раз", "en": "the store did not answer in time, please retry", "ru": "магазин не ответил вовремя, попробуйте ещё раз"},
    "webhook_refused": {"uk": "магазин відмовив", "en": "the shop declined it", "ru": "магазин отказал"},
    "minimum_not_met": {"uk": "замало для замовлення", "en": "below the minimum order", "ru": "меньше минимального заказа"},
    "invalid_quantity": {"uk": "така кількість неможлива", "en": "that quantity is not possible", "ru": "такое количество невозможно"},
    "webhook_error": {"uk": "магазин не підтвердив зміну, спробуйте ще раз", "en": "the store could not confirm, please retry", "ru": "магазин не подтвердил, попробуйте ещё раз"},
}  # fmt: skip


def text(key: str, lang: str, **values: Any) -> str:
    """A reply in `lang`."""
    variants = _TEXTS[key]
    return variants.get(lang, variants["uk"]).format(**values)


_LIMIT = re.compile(r"^max_(\d+(?:\.\d+)?)_?(?:per_customer|per_order|items|pcs)?$")
_LIMIT_TEXT = {
    "uk": "магазин дозволяє не більше {n} шт. в одні руки",
    "en": "the shop allows at most {n} per customer",
    "ru": "магазин разрешает не больше {n} шт. в одни руки",
}


def reason(code: str | None, lang: str) -> str:
    """A retailer's refusal reason in words; an unknown code is read as words, never shown raw."""
    code = (code or "webhook_error").strip()
    known = REASONS.get(code, {}).get(lang)
    if known:
        return known
    limit = _LIMIT.match(code)
    if limit:
        return _LIMIT_TEXT.get(lang, _LIMIT_TEXT["uk"]).format(n=number(float(limit.group(1)), lang))
    return REASONS["webhook_refused"].get(lang, REASONS["webhook_refused"]["uk"])


def number(value: float, lang: str, decimals: int | None = None) -> str:
    """A number as the shopper writes it: a decimal comma in uk and ru (1,5), a dot in en."""
    out = f"{value:.{decimals}f}" if decimals is not None else f"{value:g}"
    return out.replace(".", ",") if lang in ("uk", "ru") else out
