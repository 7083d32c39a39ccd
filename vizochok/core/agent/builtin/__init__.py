"""Built-in tools; registered through the same `register_tools` hook a third party uses."""

from vizochok.core.agent.builtin.cart import (
    AddToSelection,
    ClearSelection,
    RemoveFromSelection,
    UpdateSelectionQuantity,
)
from vizochok.core.agent.builtin.catalog import GetProductDetails, SearchProducts, ShowProducts
from vizochok.core.agent.builtin.interactive import AskUser, ShowMealPlan, ShowRecipeChecklist

BUILTIN_TOOLS = (
    SearchProducts,
    GetProductDetails,
    ShowProducts,
    AddToSelection,
    RemoveFromSelection,
    UpdateSelectionQuantity,
    ClearSelection,
    AskUser,
    ShowRecipeChecklist,
    ShowMealPlan,
)

__all__ = (
    "BUILTIN_TOOLS",
    "AddToSelection",
    "AskUser",
    "ClearSelection",
    "GetProductDetails",
    "RemoveFromSelection",
    "SearchProducts",
    "ShowMealPlan",
    "ShowProducts",
    "ShowRecipeChecklist",
    "UpdateSelectionQuantity",
)
