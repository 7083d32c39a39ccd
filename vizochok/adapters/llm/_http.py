"""What the HTTP providers share: the test guard, one pooled client, SSE framing and error mapping.

Each provider module only translates its own wire format; everything about talking HTTP to a
model server, and turning its failures into the core's `LLMError` family, lives here once.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import httpx

import vizochok.adapters.llm as llm_package
from vizochok.core.llm.messages import LLMError, LLMRateLimited, LLMTimeout

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from pydantic import SecretStr

_log = logging.getLogger(__name__)

_BODY_IN_ERRORS = 300
"""Characters of an error body kept in the exception: enough to diagnose, never a whole page."""
_ERROR_BODY_BYTES = 16_384
"""Bytes of an error body read at most: a misbehaving proxy must not make us buffer a whole page."""


def ensure_allowed() -> None:
    """Refuse to call a provider while the test suite has real calls switched off.

    The flag is read from the package at call time, so the fixture that re-enables it takes effect
    on adapters that were built before it ran.
    """
    if not llm_package.ALLOW_REAL_CALLS:
        msg = "real LLM calls are disabled (vizochok.adapters.llm.ALLOW_REAL_CALLS is False)"
        raise LLMError(msg)


def secret(value: SecretStr | str | None) -> str | None:
    """The plain key, accepting a `SecretStr` from settings or a string from tests."""
    if value is None:
        return None
    return value if isinstance(value, str) else value.get_secret_value()


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asked us to wait: `retry-after-ms`, else `retry-after` (seconds or a date)."""
    if (millis := headers.get("retry-after-ms")) is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        moment = email.utils.parsedate_to_datetime(value) if email.utils.parsedate_tz(value) else None
        return None if moment is None else max(0.0, moment.timestamp() - time.time())


def _summary(body: bytes) -> str:
    """The provider's own error message when the body is JSON, else the start of the body."""
    text = body.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        return text[:_BODY_IN_ERRORS]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])[:_BODY_IN_ERRORS]
    if isinstance(error, str):
        return error[:_BODY_IN_ERRORS]
    return text[:_BODY_IN_ERRORS]


async def raise_for_status(response: httpx.Response, provider: str, overloaded: tuple[int, ...] = ()) -> None:
    """Map a failed response to the core's errors; 429 (and `overloaded` codes) become `LLMRateLimited`."""
    if response.is_success:
        return
    body = b""
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) >= _ERROR_BODY_BYTES:
            break
    message = f"{provider} answered HTTP {response.status_code}: {_summary(body)}"
    if response.status_code == 429 or response.status_code in overloaded:  # noqa: PLR2004
        raise LLMRateLimited(message, retry_after=retry_after(response.headers))
    raise LLMError(message)


@asynccontextmanager
async def post_stream(  # noqa: PLR0917 - one call site per provider, each spelled out
    client: httpx.AsyncClient,
    provider: str,
    url: str,
    headers: dict[str, str],
    body: dict[str, Any],
    overloaded: tuple[int, ...] = (),
) -> AsyncIterator[httpx.Response]:
    """POST and hold the streaming response open; transport failures become `LLMTimeout`/`LLMError`.

    Exceptions never carry the request headers, so the key cannot leak through an error message.
    """
    ensure_allowed()
    answered = False
    try:
        for attempt in range(2):
            try:
                async with client.stream("POST", url, headers=headers, json=body) as response:
                    answered = True
                    await raise_for_status(response, provider, overloaded)
                    kind = response.headers.get("content-type", "")
                    if not kind.startswith("text/event-stream"):
                        # A proxy that ignored `stream: true`, or an HTML page: say so, not "stream ended early".
                        msg = f"{provider} answered {kind or 'no content type'}, not an event stream"
                        raise LLMError(msg)
                    yield response
                return
            except httpx.RemoteProtocolError:
                # A pooled keep-alive connection the server had already closed (llama.cpp's server
                # does this after a few requests): nothing was answered, so one fresh try is safe.
                if answered or attempt:
                    raise
                _log.info("%s closed a pooled connection before answering; trying once more", provider)
    except httpx.TimeoutException as exc:
        msg = f"{provider} did not answer in time ({type(exc).__name__})"
        raise LLMTimeout(msg) from None
    except httpx.HTTPError as exc:
        msg = f"{provider} request failed: {type(exc).__name__}"
        raise LLMError(msg) from None


async def sse(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    """Server-sent events as `(event, data)`; `event` is "message" when the server names none."""
    event, data = "message", list[str]()
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "message", list[str]()
        elif line.startswith(":"):
            continue  # a comment, used by servers as a keep-alive
        else:
            field, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)
    if data:
        yield event, "\n".join(data)


def decode(data: str, provider: str) -> dict[str, Any]:
    """One event's JSON payload, or `LLMError` when the server sent something else."""
    try:
        payload = json.loads(data)
    except ValueError:
        msg = f"{provider} sent an event that is not JSON: {data[:80]!r}"
        raise LLMError(msg) from None
    if not isinstance(payload, dict):
        msg = f"{provider} sent an event that is not an object"
        raise LLMError(msg)
    return payload


def new_client(timeout: float) -> httpx.AsyncClient:
    """A pooled client per provider; the timeout bounds connecting and each silence between chunks."""
    return httpx.AsyncClient(timeout=httpx.Timeout(timeout), follow_redirects=False)
