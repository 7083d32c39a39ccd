"""Short assistant sentences for turns that need no model (card buttons), in uk, en and ru."""

from __future__ import annotations

from typing import Any

_PHRASES: dict[str, dict[str, str]] = {
    "added": {
        "uk": "Додав до кошика: {name} × {quantity}.",
        "en": "Added to the cart: {name} × {quantity}.",
        "ru": "Добавил в корзину: {name} × {quantity}.",
    },
    "removed": {
        "uk": "Прибрав із кошика: {name}.",
        "en": "Removed from the cart: {name}.",
        "ru": "Убрал из корзины: {name}.",
    },
    "updated": {
        "uk": "Змінив кількість: {name} × {quantity}.",
        "en": "Changed the quantity: {name} × {quantity}.",
        "ru": "Изменил количество: {name} × {quantity}.",
    },
    "cleared": {"uk": "Кошик порожній.", "en": "The cart is empty now.", "ru": "Корзина пуста."},
    "refused": {
        "uk": "Магазин не підтвердив зміну ({reason}).",
        "en": "The store did not confirm the change ({reason}).",
        "ru": "Магазин не подтвердил изменение ({reason}).",
    },
    "budget": {
        "uk": "Ця розмова вже довга: щоб я й далі відповідав точно, почніть, будь ласка, нову.",
        "en": "This conversation is getting long: please start a new one so I can keep answering well.",
        "ru": "Этот разговор уже длинный: чтобы я и дальше отвечал точно, начните, пожалуйста, новый.",
    },
    "checklist_added": {
        "uk": "Додав до кошика {count} з {total} товарів.",
        "en": "Added {count} of {total} products to the cart.",
        "ru": "Добавил в корзину {count} из {total} товаров.",
    },
    "rounds": {
        "uk": "Вибачте, я заплутався з цим запитом. Перевірте, будь ласка, кошик і спробуйте простіше: один товар за раз.",
        "en": "Sorry, I got tangled up with this request. Please check the cart and try it more simply: one product at a time.",
        "ru": "Извините, я запутался с этим запросом. Проверьте, пожалуйста, корзину и попробуйте проще: один товар за раз.",
    },
    "invalid": {
        "uk": "Не вийшло: {reason}.",
        "en": "That did not work: {reason}.",
        "ru": "Не получилось: {reason}.",
    },
}


def phrase(key: str, language: str | None, **values: Any) -> str:
    """The sentence `key` in `language` (Ukrainian when unknown)."""
    variants = _PHRASES[key]
    return variants.get(language or "uk", variants["uk"]).format(**values)


def format_quantity(quantity: float) -> str:
    """`2` rather than `2.0`; `0.5` stays."""
    return f"{quantity:g}"
