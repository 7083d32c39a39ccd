"""The offline planner's replies, in uk, en and ru."""

from __future__ import annotations

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
    "cart_total": {"uk": "У кошику: {lines}. Разом {total} грн.", "en": "In the cart: {lines}. Total {total} UAH.", "ru": "В корзине: {lines}. Итого {total} грн."},
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
    "which": {"uk": "Який саме варіант «{query}» вам потрібен?", "en": "Which “{query}” do you mean?", "ru": "Какой именно вариант «{query}» вам нужен?"},
    "day": {"uk": "День {n}", "en": "Day {n}", "ru": "День {n}"},
    "breakfast": {"uk": "Сніданок: {dish}", "en": "Breakfast: {dish}", "ru": "Завтрак: {dish}"},
    "lunch": {"uk": "Обід: {dish}", "en": "Lunch: {dish}", "ru": "Обед: {dish}"},
    "dinner": {"uk": "Вечеря: {dish}", "en": "Dinner: {dish}", "ru": "Ужин: {dish}"},
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
    "webhook_error": {"uk": "магазин не підтвердив зміну, спробуйте ще раз", "en": "the store could not confirm, please retry", "ru": "магазин не подтвердил, попробуйте ещё раз"},
}  # fmt: skip


def text(key: str, lang: str, **values: Any) -> str:
    """A reply in `lang`."""
    variants = _TEXTS[key]
    return variants.get(lang, variants["uk"]).format(**values)


def reason(code: str | None, lang: str) -> str:
    """A retailer's refusal reason in words; unknown reasons are shown as they came."""
    code = code or "webhook_error"
    return REASONS.get(code, {}).get(lang) or code.replace("_", " ")
