"""Offline enrichment: a short "used for / goes with" text per product, written by an LLM after import.

Like Instacart's discovery content, the text says what a product is for and what it goes with
(«до чаю, на сніданок; смакує з медом»), so intent queries find it through the full-text and
vector legs. It is generated in batches inside the catalog job, before the batch is embedded,
and cached per tenant by the product's content hash: a re-import of unchanged content, or
content seen before, calls no model. Nothing here runs on the query path. Off unless the
operator configures it (`VIZOCHOK_CATALOG_ENRICHMENT=true` with a real LLM provider; the keyless
`offline` provider has no model to write the texts).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from vizochok.core.chat.state import ChatMessage
from vizochok.core.llm.messages import LLMRequest, TextChunk

if TYPE_CHECKING:
    from collections.abc import Sequence

    from vizochok.core.models import ProductInput
    from vizochok.core.ports import LLM

_log = logging.getLogger(__name__)

MAX_CHARS = 300
"""An enrichment text longer than this is cut: it joins the product's description weight."""

SYSTEM = (
    "You write discovery notes for a grocery catalog. For each numbered product answer one line "
    "`N: note`, where the note (at most 25 words, in the language of the product's name) says what "
    "the product is used for, for which occasions and meals, and what it goes with. No prices, no "
    "health claims, no brand praise."
)
_LINE = re.compile(r"^\s*(\d+)\s*[:.)]\s*(.+?)\s*$")


@runtime_checkable
class Enricher(Protocol):
    """Writes one enrichment text per product ("" when it has none)."""

    async def enrich(self, products: Sequence[ProductInput]) -> list[str]:
        """Texts in the order of `products`."""
        ...


@runtime_checkable
class EnrichmentStore(Protocol):
    """The per-tenant cache of enrichment texts by content hash (the catalog repository)."""

    async def enrichments(self, tenant_id: str, hashes: Sequence[str]) -> dict[str, str]:
        """Cached texts of these contents."""
        ...

    async def store_enrichments(self, tenant_id: str, items: Sequence[tuple[ProductInput, str, str]]) -> None:
        """Cache `(product, content_hash, text)` and index the texts with their products."""
        ...


def product_line(index: int, product: ProductInput) -> str:
    """One product as the model sees it."""
    parts = [product.name, product.category_path, product.description, product.ingredients]
    return f"{index}: " + " | ".join(p.strip() for p in parts if p and p.strip())


class LlmEnricher:
    """One LLM call per batch of products, answered as numbered lines."""

    def __init__(self, llm: LLM, model: str) -> None:
        self._llm = llm
        self._model = model

    async def enrich(self, products: Sequence[ProductInput]) -> list[str]:
        """Texts in product order; a product the model skipped gets ""."""
        prompt = "\n".join(product_line(i + 1, p) for i, p in enumerate(products))
        request = LLMRequest(
            model=self._model, system=SYSTEM, messages=[ChatMessage(role="user", content=prompt)]
        )
        answer = "".join([e.delta async for e in self._llm.stream(request) if isinstance(e, TextChunk)])
        texts = [""] * len(products)
        for line in answer.splitlines():
            match = _LINE.match(line)
            if match and 1 <= int(match[1]) <= len(products):
                texts[int(match[1]) - 1] = match[2][:MAX_CHARS]
        if not any(texts):
            _log.warning("enrichment: the model answered no usable line for %d products", len(products))
        return texts


async def enrich_batch(
    store: EnrichmentStore,
    enricher: Enricher | None,
    tenant_id: str,
    batch: Sequence[tuple[ProductInput, str]],
) -> dict[str, str]:
    """Enrichment texts of a batch of `(product, content_hash)` by hash: cached ones, then new ones."""
    texts = await store.enrichments(tenant_id, [h for _, h in batch])
    missing = [(p, h) for p, h in batch if h not in texts]
    if missing and enricher is not None:
        written = await enricher.enrich([p for p, _ in missing])
        items = [(p, h, t) for (p, h), t in zip(missing, written, strict=True) if t.strip()]
        if items:
            await store.store_enrichments(tenant_id, items)
            texts.update({h: t for _, h, t in items})
    return texts
