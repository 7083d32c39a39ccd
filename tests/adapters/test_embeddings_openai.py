"""The OpenAI-compatible embeddings adapter against a local server speaking the same protocol."""

from __future__ import annotations

import math
from typing import Any

import pytest
from litestar import Litestar, Request, post
from litestar.response import Response

from tests.helpers import ThreadedServer, free_port
from vizochok.adapters.embeddings.openai import EmbeddingError, OpenAIEmbedder

pytestmark = pytest.mark.asyncio


class Upstream:
    """Answers `/v1/embeddings` like OpenAI; fails the first `failures` calls with 429."""

    def __init__(self) -> None:
        self.failures = 0
        self.calls: list[dict[str, Any]] = []
        self.auth: list[str | None] = []

    def app(self) -> Litestar:
        @post("/v1/embeddings", status_code=200)
        async def embeddings(request: Request[Any, Any, Any], data: dict[str, Any]) -> Response[Any]:
            self.calls.append(data)
            self.auth.append(request.headers.get("authorization"))
            if self.failures > 0:
                self.failures -= 1
                return Response(
                    {"error": {"message": "slow down"}}, status_code=429, headers={"retry-after": "0"}
                )
            vectors = [[float(len(text) + i) for i in range(data["dimensions"])] for text in data["input"]]
            items = [
                {"object": "embedding", "index": i, "embedding": v}
                for i, v in reversed(list(enumerate(vectors)))
            ]
            return Response({"object": "list", "data": items, "model": data["model"]})

        return Litestar([embeddings])


@pytest.fixture(scope="module")
def upstream() -> Any:
    up = Upstream()
    server = ThreadedServer(up.app(), free_port())
    server.start()
    yield up, server.base_url + "/v1"
    server.stop()


async def test_batches_order_prefixes_and_unit_vectors(upstream: Any) -> None:
    up, url = upstream
    up.calls.clear()
    embedder = OpenAIEmbedder(
        url, "e5-small", api_key="sk-test", batch_size=2, passage_prefix="passage: ", query_prefix="query: "
    )
    vectors = await embedder.embed_passages(["a", "bb", "ccc"])
    assert [len(c["input"]) for c in up.calls] == [2, 1]
    assert up.calls[0]["input"] == ["passage: a", "passage: bb"] and up.calls[0]["dimensions"] == 384
    assert up.auth[-1] == "Bearer sk-test"
    assert all(math.isclose(sum(x * x for x in v), 1.0, rel_tol=1e-6) for v in vectors)
    assert vectors[0] != vectors[1]  # answers were sorted back by index
    query = await embedder.embed_query("молоко")
    assert up.calls[-1]["input"] == ["query: молоко"] and len(query) == 384
    await embedder.aclose()


async def test_rate_limits_are_retried_then_give_up(upstream: Any) -> None:
    up, url = upstream
    embedder = OpenAIEmbedder(url, "m", max_retries=3, backoff_seconds=0.01)
    up.failures = 2
    assert len(await embedder.embed_query("x")) == 384
    up.failures = 10
    with pytest.raises(EmbeddingError, match="429"):
        await embedder.embed_query("x")
    up.failures = 0
    await embedder.aclose()
