"""Signed, bounded calls to a retailer's webhooks with one retry, over one pooled httpx client."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from vizochok.adapters.webhook.schemas import CartGetResponse, CartResponse, ProductsResponse
from vizochok.core.models import CartItem, CartOperation, CartResult, LivePrice, Tenant
from vizochok.core.webhooks import IDEMPOTENCY_HEADER, WebhookFailure, sign

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
        """Live prices of the requested SKUs; SKUs the retailer did not ask about are dropped."""
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
        try:
            answer = await self._call(
                tenant, "POST", tenant.webhooks.cart_url, body, CartResponse, idempotency_key=secrets.token_hex(16)
            )
        except WebhookFailure as failure:
            return CartResult(ok=False, reason=failure.reason)
        return CartResult(ok=answer.ok, reason=None if answer.ok else (answer.reason or "rejected"))

    async def get_cart(self, tenant: Tenant, store_id: str, session_id: str) -> list[CartItem]:
        """The retailer's cart for this shopper."""
        answer = await self._call(
            tenant,
            "GET",
            tenant.webhooks.cart_get_url,
            None,
            CartGetResponse,
            params={"store_id": store_id, "session_id": session_id},
        )
        return [
            CartItem(sku=i.sku, name=i.name, price=i.price, promo_price=i.promo_price, brand=i.brand, quantity=i.quantity)
            for i in answer.items
        ]

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
        if not url:
            raise WebhookFailure("webhook_error", "webhook URL not configured")
        if not tenant.webhooks.secret:
            raise WebhookFailure("webhook_error", "webhook secret not configured")
        content = b"" if body is None else json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        last: WebhookFailure | None = None
        for attempt in range(2):
            if attempt:
                await asyncio.sleep(self._settings.retry_delay_seconds)
            headers = {"Content-Type": "application/json", **sign(tenant.webhooks.secret, content)}
            if idempotency_key:
                headers[IDEMPOTENCY_HEADER] = idempotency_key
            try:
                raw = await self._send(method, url, content, headers, params, tenant.webhooks.timeout_seconds)
            except _Retryable as exc:
                last = exc.failure
                continue
            try:
                return schema.model_validate_json(raw)
            except ValidationError as exc:
                raise WebhookFailure("webhook_error", f"answer does not match the documented schema: {exc}") from exc
        assert last is not None  # noqa: S101 - the loop ran and every attempt failed
        raise last

    async def _send(
        self,
        method: str,
        url: str,
        content: bytes,
        headers: dict[str, str],
        params: dict[str, str] | None,
        timeout: float,
    ) -> bytes:
        request = self._client.build_request(
            method, url, content=content or None, headers=headers, params=params, timeout=timeout
        )
        try:
            async with asyncio.timeout(timeout):
                response = await self._client.send(request, stream=True, follow_redirects=False)
                try:
                    if response.status_code >= 500:  # noqa: PLR2004
                        raise _Retryable(WebhookFailure("webhook_error", f"HTTP {response.status_code}"))
                    if response.status_code != 200:  # noqa: PLR2004 - redirects and 4xx are final
                        raise WebhookFailure("webhook_error", f"HTTP {response.status_code}")
                    return await self._read_capped(response)
                finally:
                    await response.aclose()
        except TimeoutError as exc:
            raise _Retryable(WebhookFailure("webhook_timeout", f"no answer within {timeout}s")) from exc
        except httpx.TimeoutException as exc:
            raise _Retryable(WebhookFailure("webhook_timeout", str(exc))) from exc
        except httpx.ConnectError as exc:
            raise _Retryable(WebhookFailure("webhook_error", f"connection failed: {exc}")) from exc
        except httpx.HTTPError as exc:
            raise WebhookFailure("webhook_error", str(exc)) from exc

    async def _read_capped(self, response: httpx.Response) -> bytes:
        limit = self._settings.max_response_bytes
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise WebhookFailure("webhook_error", f"answer larger than {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


class _Retryable(Exception):  # noqa: N818 - internal control flow
    def __init__(self, failure: WebhookFailure) -> None:
        super().__init__(str(failure))
        self.failure = failure
