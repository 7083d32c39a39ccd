"""Usage limits: global defaults from the environment that a tenant's settings override field by field."""

from __future__ import annotations

from pydantic import BaseModel


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
        """These defaults with the tenant's overrides applied; unknown names are ignored."""
        known = {k: v for k, v in overrides.items() if k in type(self).model_fields}
        return self.model_copy(update=Limits.model_validate({**self.model_dump(), **known}).model_dump())
