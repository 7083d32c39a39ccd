"""The `offline` provider: a rule-based planner behind the `LLM` port, in uk, en and ru."""

from vizochok.adapters.llm.offline.planner import OfflineLLM

__all__ = ("OfflineLLM",)
