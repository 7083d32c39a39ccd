"""A deterministic, dependency-free embedder for tests and dev: hashed character trigrams."""

from __future__ import annotations

import hashlib
import math
from typing import TYPE_CHECKING

from vizochok.core.search.request import normalize

if TYPE_CHECKING:
    from collections.abc import Sequence


class HashingEmbedder:
    """Bag of character trigrams hashed into `dim` buckets, L2-normalized."""

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim

    def vector(self, text: str) -> list[float]:
        """The vector of one text (synchronous: it is cheap)."""
        vec = [0.0] * self.dim
        padded = f"  {normalize(text)}  "
        for i in range(len(padded) - 2):
            bucket = int.from_bytes(
                hashlib.blake2b(padded[i : i + 3].encode(), digest_size=4).digest(), "big"
            )
            vec[bucket % self.dim] += 1.0
        norm = math.sqrt(sum(v * v for v in vec)) or 1.0
        return [v / norm for v in vec]

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of catalog texts."""
        return [self.vector(t) for t in texts]

    async def embed_query(self, text: str) -> list[float]:
        """Vector of a query."""
        return self.vector(text)
