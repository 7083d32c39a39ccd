"""Built-in tools; registered through the same `register_tools` hook a third party uses."""

from vizochok.core.agent.builtin.cart import (
    AddToSelection,
    ClearSelection,
    RemoveFromSelection,
    UpdateSelectionQuantity,
)
from vizochok.core.agent.builtin.catalog import GetProductDetails, SearchProducts, ShowProducts

BUILTIN_TOOLS = (
    SearchProducts,
    GetProductDetails,
    ShowProducts,
    AddToSelection,
    RemoveFromSelection,
    UpdateSelectionQuantity,
    ClearSelection,
)

__all__ = (
    "BUILTIN_TOOLS",
    "AddToSelection",
    "ClearSelection",
    "GetProductDetails",
    "RemoveFromSelection",
    "SearchProducts",
    "ShowProducts",
    "UpdateSelectionQuantity",
)
