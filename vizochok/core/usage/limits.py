"""Usage limits: global defaults from the environment that a tenant's settings override field by field."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from vizochok.core.errors import ErrorCode, VizochokError


class Limits(BaseModel):
    """Defaults of DECISIONS §1; every one is overridable per tenant."""

    max_frame_bytes: int = 65_536
    """Frames larger than this get `message_too_large`."""
    socket_messages_per_window: int = 10
    """Messages and actions allowed per socket within the sliding window."""
    socket_window_seconds: int = 60
    """Length of the per-socket sliding window."""
    sockets_per_key: int = 3
    """Open sockets allowed per API key across all processes (close 4029 beyond)."""
    user_messages_per_day: int = 200
    """Messages per user per UTC day (`user_message_limit`)."""
    user_conversations_per_day: int = 20
    """Conversations per user per UTC day (`user_conversation_limit`)."""
    tenant_tokens_per_day: int = 500_000
    """LLM tokens per tenant per UTC day (`tenant_daily_token_limit`)."""
    tenant_tokens_per_month: int = 10_000_000
    """LLM tokens per tenant per calendar month (`tenant_monthly_token_limit`)."""
    session_token_limit: int = 60_000
    """LLM tokens per conversation (`session_token_limit`)."""
    max_rounds: int = 8
    """Tool rounds per turn (`max_rounds_exceeded`)."""
    turn_timeout_seconds: float = 120.0
    """Wall time of one turn (`internal_error` beyond)."""
    auth_timeout_seconds: float = 10.0
    """Time allowed for the `auth` frame (close 4001 beyond)."""
    session_ttl_seconds: int = 1800
    """Inactivity after which a conversation's session expires."""
    ping_interval_seconds: float = 30.0
    """The server sends `ping` this often; a socket silent for a whole interval after a ping is closed (1001)."""
    socket_stale_seconds: float = 90.0
    """A socket not refreshed this long no longer counts toward `sockets_per_key` (its process died).

    Sockets are refreshed with every server ping: keep this at least twice `ping_interval_seconds`."""

    def for_tenant(self, overrides: dict[str, object]) -> Limits:
        """These defaults with the tenant's overrides applied; unknown or invalid ones are ignored.

        Writes are validated (`check_overrides`); this still never fails on a value stored before
        that check existed (`max_frame_bytes: "abc"` used to close every socket of the tenant 4500).
        """
        good = {}
        for name, value in overrides.items():
            if name in LIMIT_RANGES and _valid(name, value):
                good[name] = value
        return self.model_copy(update=Limits.model_validate({**self.model_dump(), **good}).model_dump())


LIMIT_RANGES: dict[str, tuple[float, float]] = {
    "max_frame_bytes": (1024, 1_048_576),
    "socket_messages_per_window": (1, 10**9),
    "socket_window_seconds": (1, 3600),
    "sockets_per_key": (1, 10**9),
    "user_messages_per_day": (0, 10**9),
    "user_conversations_per_day": (0, 10**9),
    "tenant_tokens_per_day": (0, 10**15),
    "tenant_tokens_per_month": (0, 10**15),
    "session_token_limit": (100, 10**9),
    "max_rounds": (1, 50),
    "turn_timeout_seconds": (1, 600),
    "auth_timeout_seconds": (0.1, 60),
    "session_ttl_seconds": (60, 30 * 24 * 3600),
    "ping_interval_seconds": (0.1, 3600),
    "socket_stale_seconds": (1, 86_400),
}
"""The values any limit may take, whoever sets it (operators included): beyond them nothing works well."""

NOT_ALLOWANCES = frozenset(
    {"socket_window_seconds", "auth_timeout_seconds", "ping_interval_seconds", "socket_stale_seconds"}
)
"""Limits where a larger value is not more service (a longer window is stricter) or is operational:
a tenant may set them anywhere in range. Every other limit is an allowance its plan bounds."""


def _valid(name: str, value: object) -> bool:
    low, high = LIMIT_RANGES[name]
    integral = isinstance(Limits.model_fields[name].default, int)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    if integral and not (isinstance(value, int) or float(value).is_integer()):
        return False
    return low <= value <= high and value == value  # noqa: PLR0124 - NaN is not a limit


def check_overrides(
    overrides: object, ceiling: Limits | None, granted: dict[str, object] | None = None
) -> dict[str, int | float]:
    """A tenant's `limits` as it asks to store them, checked; raises `validation_error` naming the field.

    Each name must be a limit, each value a number of the limit's type within `LIMIT_RANGES`; with a
    `ceiling` (the defaults and the tenant's plan: everyone but operators), no allowance may exceed it,
    unless it is what the tenant already has (`granted`, set by an operator), kept unchanged.
    """
    granted = granted or {}
    if not isinstance(overrides, dict):
        raise VizochokError(ErrorCode.VALIDATION_ERROR, "limits: must be an object of limit names to numbers")
    checked: dict[str, int | float] = {}
    for name, value in overrides.items():
        if name not in LIMIT_RANGES:
            raise VizochokError(
                ErrorCode.VALIDATION_ERROR, f"limits.{name}: no such limit", field=f"limits.{name}"
            )
        if not _valid(name, value):
            low, high = LIMIT_RANGES[name]
            kind = "an integer" if isinstance(Limits.model_fields[name].default, int) else "a number"
            raise VizochokError(
                ErrorCode.VALIDATION_ERROR,
                f"limits.{name}: must be {kind} from {low:g} to {high:g}",
                field=f"limits.{name}",
            )
        kept = name in granted and granted[name] == value
        if ceiling is not None and name not in NOT_ALLOWANCES and value > getattr(ceiling, name) and not kept:
            raise VizochokError(
                ErrorCode.FORBIDDEN,
                f"limits.{name}: your plan allows at most {getattr(ceiling, name):g}; an operator changes plans",
                field=f"limits.{name}",
            )
        checked[name] = int(value) if isinstance(Limits.model_fields[name].default, int) else float(value)  # type: ignore[arg-type]
    return checked


def plan_ceiling(defaults: Limits, plans: dict[str, dict[str, object]], plan: str) -> Limits:
    """The limits a plan grants: the defaults with the plan's values."""
    try:
        return defaults.for_tenant(plans.get(plan, {}))
    except ValidationError:  # a misconfigured plan table grants the defaults
        return defaults
