"""Signed, bounded calls to a retailer's webhooks with one retry, over one pooled httpx client."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from vizochok.adapters.webhook.schemas import CartGetResponse, CartResponse, ProductsResponse
from vizochok.core.models import CartItem, CartOperation, CartResult, LivePrice, Tenant
from vizochok.core.webhooks.signing import IDEMPOTENCY_HEADER, WebhookFailure, WebhookTestReport, sign
from vizochok.core.webhooks.ssrf import UnsafeDestination

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vizochok.settings import WebhookSettings

_log = logging.getLogger(__name__)
_T = TypeVar("_T", bound=BaseModel)


class HttpxRetailerWebhooks:
    """The retailer's products, cart and cart GET endpoints."""

    def __init__(self, client: httpx.AsyncClient, settings: WebhookSettings) -> None:
        self._client = client
        self._settings = settings

    async def fetch_prices(self, tenant: Tenant, store_id: str, skus: Sequence[str]) -> dict[str, LivePrice]:
        """Live prices of the requested SKUs, in one call; SKUs the platform did not ask about are dropped."""
        if not skus:
            return {}
        body = {"skus": list(skus), "store_id": store_id}
        answer = await self._call(tenant, "POST", tenant.webhooks.products_url, body, ProductsResponse)
        wanted = set(skus)
        return {p.sku: p for p in answer.products if p.sku in wanted}

    async def cart_operation(
        self, tenant: Tenant, store_id: str, session_id: str, operation: CartOperation
    ) -> CartResult:
        """The retailer's yes or no; a failed call is a no with `webhook_timeout` or `webhook_error`."""
        body = {"action": operation.action, "store_id": store_id, "session_id": session_id}
        body.update(operation.model_dump(exclude_none=True, exclude={"action"}))
        # One key per operation, sent again on the retry, so the retailer can apply it once.
        key = secrets.token_hex(16)
        try:
            answer = await self._call(
                tenant, "POST", tenant.webhooks.cart_url, body, CartResponse, idempotency_key=key
            )
        except WebhookFailure as failure:
            return CartResult(ok=False, reason=failure.reason)
        return CartResult(ok=answer.ok, reason=None if answer.ok else (answer.reason or "rejected"))

    async def get_cart(self, tenant: Tenant, store_id: str, session_id: str) -> list[CartItem]:
        """The retailer's cart for this shopper."""
        params = {"store_id": store_id, "session_id": session_id}
        answer = await self._call(
            tenant, "GET", tenant.webhooks.cart_get_url, None, CartGetResponse, params=params
        )
        return [
            CartItem(
                sku=i.sku,
                name=i.name,
                price=i.price,
                promo_price=i.promo_price,
                brand=i.brand,
                quantity=i.quantity,
            )
            for i in answer.items
        ]

    async def probe(self, tenant: Tenant, skus: Sequence[str]) -> WebhookTestReport:
        """One signed products request, never retried, reported rather than raised (the admin "Test")."""
        url = tenant.webhooks.products_url
        body = {"skus": list(skus), "store_id": tenant.store_id}
        started = time.perf_counter()
        status: int | None = None
        try:
            content = self._encode(tenant, url, body)
            status, raw = await self._attempt(tenant, "POST", url, content, None, None)
        except (_Retryable, WebhookFailure) as exc:
            failure = exc.failure if isinstance(exc, _Retryable) else exc
            return WebhookTestReport(
                ok=False,
                url=url,
                status=status,
                latency_ms=_ms(started),
                error=failure.reason,
                detail=failure.detail,
            )
        latency = _ms(started)
        if status != 200:  # noqa: PLR2004
            return WebhookTestReport(ok=False, url=url, status=status, latency_ms=latency, error="webhook_error",
                                     detail=f"HTTP {status}; expected 200")  # fmt: skip
        problems = products_problems(raw, skus)
        return WebhookTestReport(
            ok=not problems, url=url, status=status, latency_ms=latency, problems=problems,
            error="webhook_error" if problems else None,
        )  # fmt: skip

    def _encode(self, tenant: Tenant, url: str, body: dict[str, Any] | None) -> bytes:
        if not url:
            raise WebhookFailure("webhook_error", "webhook URL not configured")
        if not tenant.webhooks.secret:
            raise WebhookFailure("webhook_error", "webhook secret not configured")
        return b"" if body is None else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    async def _call(
        self,
        tenant: Tenant,
        method: str,
        url: str,
        body: dict[str, Any] | None,
        schema: type[_T],
        *,
        params: dict[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> _T:
        try:
            return await self._call_once_or_twice(tenant, method, url, body, schema, params, idempotency_key)
        except WebhookFailure as failure:
            # Tenant, URL and reason only: headers (the signature) and bodies are never logged.
            _log.warning("webhook %s %s of tenant %s failed: %s", method, url, tenant.id, failure)
            raise

    async def _call_once_or_twice(
        self,
        tenant: Tenant,
        method: str,
        url: str,
        body: dict[str, Any] | None,
        schema: type[_T],
        params: dict[str, str] | None,
        idempotency_key: str | None,
    ) -> _T:
        content = self._encode(tenant, url, body)
        last: WebhookFailure | None = None
        for attempt in range(2):
            if attempt:
                await asyncio.sleep(self._settings.retry_delay_seconds)
            try:
                status, raw = await self._attempt(tenant, method, url, content, params, idempotency_key)
            except _Retryable as exc:
                last = exc.failure
                continue
            if status >= 500:  # noqa: PLR2004
                last = WebhookFailure("webhook_error", f"HTTP {status}")
                continue
            if status != 200:  # noqa: PLR2004 - redirects and 4xx are final
                raise WebhookFailure("webhook_error", f"HTTP {status}")
            try:
                return schema.model_validate_json(raw)
            except ValidationError as exc:
                problems = "; ".join(schema_problems(exc)[:5])
                raise WebhookFailure(
                    "webhook_error", f"answer does not match the documented schema: {problems}"
                ) from exc
        assert last is not None  # noqa: S101 - the loop ran and every attempt failed
        raise last

    async def _attempt(
        self,
        tenant: Tenant,
        method: str,
        url: str,
        content: bytes,
        params: dict[str, str] | None,
        idempotency_key: str | None,
    ) -> tuple[int, bytes]:
        """One request: its status, and its body when the status is 200."""
        timeout = tenant.webhooks.timeout_seconds or self._settings.default_timeout_seconds
        # Signed per attempt: the retry a second later carries a fresh timestamp.
        headers = {
            "Content-Type": "application/json",
            # Uncompressed answers only, so the size cap below is the size held in memory (no gzip bombs).
            "Accept-Encoding": "identity",
            **sign(tenant.webhooks.secret or "", content),
        }
        if idempotency_key:
            headers[IDEMPOTENCY_HEADER] = idempotency_key
        request = self._client.build_request(
            method, url, content=content or None, headers=headers, params=params, timeout=timeout
        )
        try:
            # One deadline for connect, headers and body: a server that drips bytes cannot hold a shopper.
            async with asyncio.timeout(timeout):
                response = await self._client.send(request, stream=True, follow_redirects=False)
                try:
                    if response.status_code != 200:  # noqa: PLR2004
                        return response.status_code, b""
                    return 200, await self._read_capped(response)
                finally:
                    await response.aclose()
        except UnsafeDestination as exc:
            raise WebhookFailure("webhook_error", f"destination refused: {exc.reason}") from exc
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise _Retryable(WebhookFailure("webhook_timeout", f"no answer within {timeout:g}s")) from exc
        except httpx.ConnectError as exc:
            raise _Retryable(WebhookFailure("webhook_error", f"connection failed: {exc}")) from exc
        except httpx.HTTPError as exc:
            raise WebhookFailure("webhook_error", f"{type(exc).__name__}: {exc}") from exc

    async def _read_capped(self, response: httpx.Response) -> bytes:
        limit = self._settings.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise WebhookFailure("webhook_error", f"answer larger than {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise WebhookFailure("webhook_error", f"answer larger than {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def products_problems(raw: bytes, skus: Sequence[str]) -> list[str]:
    """What is wrong with a products answer, in words a retailer's engineer can act on; empty when valid."""
    try:
        answer = ProductsResponse.model_validate_json(raw)
    except ValidationError as exc:
        return schema_problems(exc)
    wanted = set(skus)
    return [f"products: sku {p.sku!r} was not requested" for p in answer.products if p.sku not in wanted]


def schema_problems(exc: ValidationError) -> list[str]:
    """Where and why, without the offending values: answers can carry shoppers' data, and these get logged."""
    return [f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()]


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


class _Retryable(Exception):  # noqa: N818 - internal control flow
    def __init__(self, failure: WebhookFailure) -> None:
        super().__init__(str(failure))
        self.failure = failure
