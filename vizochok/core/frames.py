"""WebSocket frames of DECISIONS §1: the client's and the server's, fields in documented order."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from vizochok.core.chat.state import PendingTool
from vizochok.core.cleaning import check_identifier, clean_text
from vizochok.core.models import CartItem, ProductCard

# --- client → server -------------------------------------------------------------------------
# Strings reach these models from `vizochok.core.cleaning.decode_json` (limits, no surrogates);
# here free text loses its control characters and is put in NFC, and identifiers with a control
# character are refused (an id is opaque: quietly dropping a character would make it another id).


def _text(value: str) -> str:
    cleaned = clean_text(value).strip()
    if not cleaned:
        msg = "empty once control characters and spaces are removed"
        raise ValueError(msg)
    return cleaned


def _identifier(value: str) -> str:
    return check_identifier(value, "")


Text = Annotated[str, AfterValidator(_text)]
"""A shopper's words (bounded by the frame's size limit)."""
Identifier = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_identifier)]
MAX_QUANTITY = 10_000


class _ClientFrame(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AuthFrame(_ClientFrame):
    """The first frame of every socket."""

    type: Literal["auth"]
    token: Identifier
    store_id: Identifier | None = None
    user_id: Identifier | None = None
    conversation_id: Identifier | None = None
    user_hash: str | None = Field(default=None, max_length=200)
    """HMAC-SHA256 of `user_id` under the tenant's identity secret, lowercase hex (docs/identity.md)."""
    user_token: str | None = Field(default=None, max_length=4096)
    """A short-lived HS256 JWT whose `sub` is the customer id, instead of `user_hash`."""


class MessageFrame(_ClientFrame):
    """A shopper's message."""

    type: Literal["message"]
    text: Text
    conversation_id: Identifier | None = None


class AddToCartAction(_ClientFrame):
    action: Literal["add_to_cart"]
    sku: Identifier
    quantity: float | None = Field(default=None, gt=0, le=MAX_QUANTITY)


class RemoveFromCartAction(_ClientFrame):
    action: Literal["remove_from_cart"]
    sku: Identifier


class UpdateQuantityAction(_ClientFrame):
    action: Literal["update_quantity"]
    sku: Identifier
    quantity: float = Field(ge=0, le=MAX_QUANTITY)


class QuickReplyAction(_ClientFrame):
    action: Literal["quick_reply"]
    value: Text


class ChecklistSubmitAction(_ClientFrame):
    action: Literal["checklist_submit"]
    skus: list[Identifier]


class MealPlanApproveAction(_ClientFrame):
    action: Literal["meal_plan_approve"]


class MealPlanModifyAction(_ClientFrame):
    action: Literal["meal_plan_modify"]
    text: Text


Action = Annotated[
    AddToCartAction
    | RemoveFromCartAction
    | UpdateQuantityAction
    | QuickReplyAction
    | ChecklistSubmitAction
    | MealPlanApproveAction
    | MealPlanModifyAction,
    Field(discriminator="action"),
]


class ActionFrame(_ClientFrame):
    """Answers an interactive tool or acts on a card. The action's fields sit beside `action`."""

    type: Literal["action"]
    action: Action


class PingFrame(_ClientFrame):
    type: Literal["ping"]


class PongFrame(_ClientFrame):
    type: Literal["pong"]


ClientFrame = Annotated[
    AuthFrame | MessageFrame | ActionFrame | PingFrame | PongFrame, Field(discriminator="type")
]
_client_frames: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)


def parse_client_frame(data: dict[str, Any]) -> ClientFrame:
    """Validate a decoded client frame. Raises `pydantic.ValidationError`.

    Actions arrive flat (`{"type":"action","action":"add_to_cart","sku":…}`), so the
    action's own fields are folded into the nested model before validation.
    """
    if data.get("type") == "action" and isinstance(data.get("action"), str):
        data = {"type": "action", "action": {k: v for k, v in data.items() if k != "type"}}
    return _client_frames.validate_python(data)


def invalid_field(exc: Exception, data: Any) -> str:
    """The wire name of the first field a `ValidationError` names (`text`, `user_id`, `skus[2]`), or ""."""
    errors = getattr(exc, "errors", None)
    if errors is None:
        return ""
    loc = list(errors(include_url=False)[0].get("loc", ()))
    tags = {"action"}
    if isinstance(data, dict):
        tags |= {v for v in (data.get("type"), data.get("action")) if isinstance(v, str)}
    parts = [p for p in loc if not (isinstance(p, str) and p in tags)] or loc[-1:]
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# --- server → client -------------------------------------------------------------------------

StatusCode = Literal["thinking", "searching", "checking_prices", "updating_cart"]
CartChangeAction = Literal["item_selected", "item_removed", "quantity_updated", "cart_cleared"]


class ServerFrame(BaseModel):
    """Base of every server frame; `dump()` gives the wire form."""

    def dump(self) -> dict[str, Any]:
        """The JSON object sent on the socket, fields in declaration order."""
        return self.model_dump(mode="json", exclude_none=False)


class AuthOk(ServerFrame):
    type: Literal["auth_ok"] = "auth_ok"
    identity: Literal["verified", "anonymous"] | None = None
    """Sent when the `auth` frame carried a signature, or when the server chose the shopper's id."""
    user_id: str | None = None
    """The anonymous id the server gave this shopper instead of the one the client named."""

    def dump(self) -> dict[str, Any]:
        """Absent fields stay absent: a plain handshake still answers `{"type":"auth_ok"}`."""
        return self.model_dump(mode="json", exclude_none=True)


class ConversationStarted(ServerFrame):
    type: Literal["conversation_started"] = "conversation_started"
    conversation_id: str


class SessionRestored(ServerFrame):
    type: Literal["session_restored"] = "session_restored"
    conversation_id: str
    selected_items: list[CartItem]
    pending_tool: PendingTool | None

    def dump(self) -> dict[str, Any]:
        """Pending tool on the wire is `{tool, payload}` only."""
        data = super().dump()
        if data["pending_tool"] is not None:
            data["pending_tool"] = {k: data["pending_tool"][k] for k in ("tool", "payload")}
        return data


class Status(ServerFrame):
    type: Literal["status"] = "status"
    code: StatusCode


class TextDelta(ServerFrame):
    type: Literal["text_delta"] = "text_delta"
    delta: str


class TextEnd(ServerFrame):
    type: Literal["text_end"] = "text_end"


class ProductCards(ServerFrame):
    type: Literal["product_cards"] = "product_cards"
    items: list[ProductCard]


class QuickReplyOption(BaseModel):
    label: str
    value: str


class QuickReplies(ServerFrame):
    type: Literal["quick_replies"] = "quick_replies"
    question: str
    options: list[QuickReplyOption]


class ChecklistItem(BaseModel):
    sku: str
    name: str
    quantity: float
    unit: str
    price: float
    promo_price: float | None
    checked: bool


class IngredientChecklist(ServerFrame):
    type: Literal["ingredient_checklist"] = "ingredient_checklist"
    recipe: str
    servings: int
    items: list[ChecklistItem]


class MealItem(BaseModel):
    sku: str
    name: str
    quantity: float
    unit: str
    price: float | None = None
    """The live price per unit (the promo price when there is one), from this turn's products webhook."""


class Meal(BaseModel):
    name: str
    items: list[MealItem]


class MealDay(BaseModel):
    day: str
    meals: list[Meal]


class MealPlan(ServerFrame):
    type: Literal["meal_plan"] = "meal_plan"
    days: list[MealDay]
    total: float | None = None
    """What approving the plan puts in the cart, at live prices; shown before approval."""


class CartChanged(ServerFrame):
    type: Literal["cart_changed"] = "cart_changed"
    action: CartChangeAction
    sku: str | None = None
    name: str | None = None
    quantity: float | None = None
    price: float | None = None
    items: list[CartItem]
    total: float

    def dump(self) -> dict[str, Any]:
        """`cart_cleared` carries no item fields."""
        data = super().dump()
        if self.action == "cart_cleared":
            for key in ("sku", "name", "quantity", "price"):
                data.pop(key)
        return data


class ResponseComplete(ServerFrame):
    type: Literal["response_complete"] = "response_complete"
    conversation_id: str


class Error(ServerFrame):
    """`error{code, …}`; extra fields (`retry_after`, `limit`, `max_size`) only when they apply."""

    type: Literal["error"] = "error"
    code: str
    extra: dict[str, Any] = Field(default_factory=dict, exclude=True)

    def dump(self) -> dict[str, Any]:
        """Flatten the extra fields beside `code`."""
        return {"type": "error", "code": self.code, **self.extra}


class Ping(ServerFrame):
    type: Literal["ping"] = "ping"


class Pong(ServerFrame):
    type: Literal["pong"] = "pong"


UI_FRAMES = (ProductCards, QuickReplies, IngredientChecklist, MealPlan, CartChanged)
"""Frames that follow `text_end` within a turn."""
