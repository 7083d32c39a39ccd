"""Embeddings from any OpenAI-compatible `/embeddings` endpoint (OpenAI, vLLM, TEI, Ollama, LiteLLM).

Texts go out in batches; rate limits (429) and server errors are retried with exponential
backoff that honours `Retry-After`. The catalog's vector column is 384-d, so the request asks
for `dimensions` (models that cannot shorten must be 384-d natively). Network I/O is async, so
nothing here blocks the event loop.
"""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from collections.abc import Sequence

_RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})


class EmbeddingError(RuntimeError):
    """The endpoint refused or kept failing."""


class OpenAIEmbedder:
    """The `Embedder` port over HTTP."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        dim: int = 384,
        batch_size: int = 64,
        max_retries: int = 5,
        backoff_seconds: float = 0.5,
        query_prefix: str = "",
        passage_prefix: str = "",
        timeout: float = 30.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.dim = dim
        self._url = base_url.rstrip("/") + "/embeddings"
        self._model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._batch_size = batch_size
        self._max_retries = max_retries
        self._backoff = backoff_seconds
        self._query_prefix = query_prefix
        self._passage_prefix = passage_prefix
        self._client = client or httpx.AsyncClient(timeout=timeout)

    async def _post(self, texts: list[str]) -> list[list[float]]:
        payload: dict[str, Any] = {
            "model": self._model,
            "input": texts,
            "dimensions": self.dim,
            "encoding_format": "float",
        }
        for attempt in range(self._max_retries + 1):
            try:
                response = await self._client.post(self._url, json=payload, headers=self._headers)
            except httpx.TransportError as exc:
                if attempt == self._max_retries:
                    raise EmbeddingError(f"embeddings endpoint unreachable: {exc}") from exc
                await asyncio.sleep(self._backoff * 2**attempt)
                continue
            if response.status_code in _RETRY_STATUS and attempt < self._max_retries:
                retry_after = response.headers.get("retry-after", "")
                delay = (
                    float(retry_after)
                    if retry_after.replace(".", "", 1).isdigit()
                    else self._backoff * 2**attempt
                )
                await asyncio.sleep(min(delay, 60.0))
                continue
            if response.status_code != 200:  # noqa: PLR2004
                raise EmbeddingError(
                    f"embeddings endpoint answered {response.status_code}: {response.text[:200]}"
                )
            data = sorted(response.json()["data"], key=lambda item: item["index"])
            vectors = [_unit(item["embedding"]) for item in data]
            if len(vectors) != len(texts) or any(len(v) != self.dim for v in vectors):
                raise EmbeddingError(f"expected {len(texts)} vectors of {self.dim} dimensions")
            return vectors
        raise EmbeddingError("unreachable")  # pragma: no cover

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of catalog texts, `batch_size` per request."""
        out: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            out += await self._post(
                [self._passage_prefix + t for t in texts[start : start + self._batch_size]]
            )
        return out

    async def embed_query(self, text: str) -> list[float]:
        """Vector of a query."""
        return (await self._post([self._query_prefix + text]))[0]

    async def aclose(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()


def _unit(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]
