"""Client frames parse as DECISIONS §1 writes them; server frames keep the documented fields and order."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from vizochok.core.chat.state import PendingTool
from vizochok.core.frames import (
    ActionFrame,
    AddToCartAction,
    AuthFrame,
    CartChanged,
    ChecklistSubmitAction,
    Error,
    MessageFrame,
    SessionRestored,
    parse_client_frame,
)
from vizochok.core.models import CartItem


def test_auth_and_message() -> None:
    auth = parse_client_frame(
        {"type": "auth", "token": "pk_x", "store_id": "s", "user_id": "u", "conversation_id": "conv_1"}
    )
    assert isinstance(auth, AuthFrame) and auth.conversation_id == "conv_1"
    message = parse_client_frame({"type": "message", "text": "молоко"})
    assert isinstance(message, MessageFrame) and message.text == "молоко"


@pytest.mark.parametrize(
    ("frame", "kind"),
    [
        ({"type": "action", "action": "add_to_cart", "sku": "a", "quantity": 2}, AddToCartAction),
        ({"type": "action", "action": "checklist_submit", "skus": ["a", "b"]}, ChecklistSubmitAction),
    ],
)
def test_flat_actions(frame: dict[str, object], kind: type) -> None:
    parsed = parse_client_frame(frame)
    assert isinstance(parsed, ActionFrame)
    assert isinstance(parsed.action, kind)


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "message"},
        {"type": "message", "text": ""},
        {"type": "action", "action": "fly"},
        {"type": "action", "action": "update_quantity", "sku": "a"},
        {"type": "nope"},
    ],
)
def test_invalid_frames_are_refused(frame: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        parse_client_frame(frame)


def test_cart_changed_shape() -> None:
    item = CartItem(sku="a", name="Молоко", price=50.0, promo_price=45.0, brand="Г", quantity=2)
    frame = CartChanged(
        action="item_selected", sku="a", name="Молоко", quantity=2, price=50.0, items=[item], total=90.0
    )
    assert list(frame.dump()) == ["type", "action", "sku", "name", "quantity", "price", "items", "total"]
    cleared = CartChanged(action="cart_cleared", items=[], total=0).dump()
    assert cleared == {"type": "cart_changed", "action": "cart_cleared", "items": [], "total": 0.0}


def test_session_restored_pending_tool_is_tool_and_payload() -> None:
    frame = SessionRestored(
        conversation_id="conv_1",
        selected_items=[],
        pending_tool=PendingTool(tool="ask_user", payload={"q": 1}, tool_call_id="c1"),
    ).dump()
    assert frame["pending_tool"] == {"tool": "ask_user", "payload": {"q": 1}}


def test_error_extra_fields_sit_beside_code() -> None:
    assert Error(code="rate_limit_exceeded", extra={"retry_after": 7}).dump() == {
        "type": "error",
        "code": "rate_limit_exceeded",
        "retry_after": 7,
    }
