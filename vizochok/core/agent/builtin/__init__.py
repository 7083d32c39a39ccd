"""Built-in tools: core features, registered through the same `register_tools` hook a third party uses."""

from vizochok.core.agent.builtin.cart import (
    add_to_selection,
    clear_selection,
    remove_from_selection,
    update_selection_quantity,
)
from vizochok.core.agent.builtin.catalog import get_product_details, search_products, show_products
from vizochok.core.agent.builtin.interactive import ask_user, show_meal_plan, show_recipe_checklist

BUILTIN_TOOLS = (
    search_products,
    get_product_details,
    show_products,
    add_to_selection,
    remove_from_selection,
    update_selection_quantity,
    clear_selection,
    ask_user,
    show_recipe_checklist,
    show_meal_plan,
)

__all__ = (
    "BUILTIN_TOOLS",
    "add_to_selection",
    "ask_user",
    "clear_selection",
    "get_product_details",
    "remove_from_selection",
    "search_products",
    "show_meal_plan",
    "show_products",
    "show_recipe_checklist",
    "update_selection_quantity",
)
