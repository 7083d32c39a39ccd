"""`/readyz` is honest: it fails, naming the part, when a chat could not be answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import pytest
from dependency_injector import providers

from tests.helpers import ThreadedServer, free_port
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.app import build_container, create_app

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vizochok.bootstrap import Prepared


class DeadEmbedder(HashingEmbedder):
    """An embedding provider that stopped answering."""

    async def embed_query(self, text: str) -> list[float]:
        raise ConnectionError("embedding provider unreachable")

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        raise ConnectionError("embedding provider unreachable")


@pytest.mark.parametrize(("embedder", "status"), [(HashingEmbedder, 200), (DeadEmbedder, 503)])
def test_readiness_includes_the_embedder(prepared: Prepared, embedder: type, status: int) -> None:
    container = build_container(prepared.settings)
    container.embedder.override(providers.Object(embedder()))
    server = ThreadedServer(
        create_app(prepared.settings, container=container), free_port(), prepared.settings
    )
    server.start()
    try:
        answer = httpx.get(f"{server.base_url}/readyz", timeout=30)
    finally:
        server.stop()
    assert answer.status_code == status
    if status == 503:
        assert "embedder" in answer.text
    else:
        assert answer.json() == {"status": "ready"}
