"""Cross-cutting behaviour of any `LLM`, added by wrapping: retries and a fallback model.

Both wrappers act only while nothing has been yielded: once the shopper saw text, a second answer
would be stitched onto the first, so a failure after that point goes up unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from vizochok.core.llm.messages import LLMRateLimited

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from vizochok.core.llm.messages import LLMEvent, LLMRequest
    from vizochok.core.ports import LLM

_log = logging.getLogger(__name__)


class RetryingLLM:
    """Retries `LLMRateLimited` with exponential backoff, honouring the server's `retry_after`."""

    def __init__(
        self,
        inner: LLM,
        attempts: int = 3,
        base_delay: float = 0.5,
        max_delay: float = 20.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.inner = inner
        self.attempts = max(1, attempts)
        self.base_delay = base_delay
        self.max_delay = max_delay
        """Cap on any single wait, also on a server's Retry-After: a shopper is waiting."""
        self._sleep = sleep

    def delay(self, attempt: int, error: LLMRateLimited) -> float:
        """Seconds to wait before retry number `attempt + 1`."""
        wanted = error.retry_after if error.retry_after is not None else self.base_delay * 2**attempt
        return min(wanted, self.max_delay)

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """The inner stream, started again after a rate limit that came before any event."""
        for attempt in range(self.attempts):
            yielded = False
            try:
                async for event in self.inner.stream(request):
                    yielded = True
                    yield event
            except LLMRateLimited as error:
                if yielded or attempt == self.attempts - 1:
                    raise
                wait = self.delay(attempt, error)
                _log.info("model %s rate limited; retry %d in %.2fs", request.model, attempt + 1, wait)
                await self._sleep(wait)
            else:
                return


class FallbackLLM:
    """Sends the request again with `fallback_model` when the primary is still rate limited.

    `secondary` defaults to `primary`: the same provider, another model (say a smaller one with
    its own quota). Wrap a `RetryingLLM` so that both models get their retries.
    """

    def __init__(self, primary: LLM, fallback_model: str, secondary: LLM | None = None) -> None:
        self.primary = primary
        self.fallback_model = fallback_model
        self.secondary = secondary or primary

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """The primary's answer, or the fallback model's when the primary gave up before any event."""
        yielded = False
        try:
            async for event in self.primary.stream(request):
                yielded = True
                yield event
        except LLMRateLimited:
            if yielded or request.model == self.fallback_model:
                raise
            _log.warning("model %s still rate limited; trying %s", request.model, self.fallback_model)
        else:
            return
        fallback = request.model_copy(update={"model": self.fallback_model})
        async for event in self.secondary.stream(fallback):
            yield event


def resilient(llm: LLM, fallback_model: str | None, attempts: int = 3) -> LLM:
    """`llm` with retries, and with a fallback model when there is one."""
    retrying = RetryingLLM(llm, attempts=attempts)
    return FallbackLLM(retrying, fallback_model) if fallback_model else retrying
