"""The `offline` provider: a keyless understanding layer behind the `LLM` port, in uk, en and ru.

`OfflineLLM.understand(request)` returns a `Reading` (confidence, reason, and the `LLMResult` this
round would answer) for a router that serves confident turns without calling a real model.
"""

from vizochok.adapters.llm.offline.planner import OfflineLLM
from vizochok.adapters.llm.offline.reading import LLMResult, Reading

__all__ = ("LLMResult", "OfflineLLM", "Reading")
