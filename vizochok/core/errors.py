"""Machine-readable error codes and the one exception type the core raises."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """Every code a client can receive, over the socket or over HTTP."""

    # WebSocket, vizochok-docs §4 and DECISIONS §1
    RATE_LIMIT_EXCEEDED = "rate_limit_exceeded"
    USER_MESSAGE_LIMIT = "user_message_limit"
    USER_CONVERSATION_LIMIT = "user_conversation_limit"
    TENANT_DAILY_TOKEN_LIMIT = "tenant_daily_token_limit"  # noqa: S105 - a code, not a secret
    TENANT_MONTHLY_TOKEN_LIMIT = "tenant_monthly_token_limit"  # noqa: S105
    AGENT_BUSY = "agent_busy"
    SESSION_TOKEN_LIMIT = "session_token_limit"  # noqa: S105
    MAX_ROUNDS_EXCEEDED = "max_rounds_exceeded"
    MESSAGE_TOO_LARGE = "message_too_large"
    INVALID_JSON = "invalid_json"
    INTERNAL_ERROR = "internal_error"
    NO_CATALOG_DATA = "no_catalog_data"
    CATALOG_UNAVAILABLE = "catalog_unavailable"
    INVALID_API_KEY = "invalid_api_key"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    # HTTP API
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    VALIDATION_ERROR = "validation_error"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    WEBHOOK_URL_REJECTED = "webhook_url_rejected"
    SERVICE_UNAVAILABLE = "service_unavailable"
    EMAIL_TAKEN = "email_taken"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"


HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.INVALID_API_KEY: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.ORIGIN_NOT_ALLOWED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.VALIDATION_ERROR: 422,
    ErrorCode.INVALID_JSON: 400,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.MESSAGE_TOO_LARGE: 413,
    ErrorCode.WEBHOOK_URL_REJECTED: 422,
    ErrorCode.EMAIL_TAKEN: 409,
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: 415,
    ErrorCode.RATE_LIMIT_EXCEEDED: 429,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
}


class VizochokError(Exception):
    """A failure with a documented code; adapters translate it to HTTP or a WebSocket frame."""

    def __init__(self, code: ErrorCode, detail: str = "", **extra: Any) -> None:
        super().__init__(f"{code}: {detail}" if detail else str(code))
        self.code = code
        self.detail = detail
        self.extra = extra

    @property
    def http_status(self) -> int:
        """The HTTP status this code maps to (500 when it has none of its own)."""
        return HTTP_STATUS.get(self.code, 500)
