"""LLM provider settings: the global default that a tenant's own settings override."""

from __future__ import annotations

from pydantic import BaseModel, Field, SecretStr

from vizochok.core.usage.pricing import ModelPrice


class LLMSettings(BaseModel):
    """Which model answers shoppers when a tenant has not chosen one."""

    provider: str = "offline"
    """`offline` (rule-based, no key), `openai` (any OpenAI-compatible endpoint) or `anthropic`."""
    complex_model: str = "offline"
    """Serves the first LLM call of a conversation."""
    fast_model: str = "offline"
    """Serves every later tool-chain iteration."""
    fallback_model: str | None = None
    """Same provider, another model: used when a call stays rate limited after its retries."""
    base_url: str | None = None
    """Endpoint of an OpenAI-compatible or Anthropic server; the provider's default when unset."""
    api_key: SecretStr | None = None
    """Provider key. Read from the environment only, never stored in the database."""
    request_timeout_seconds: float = 60.0
    """Timeout of one LLM HTTP request: connecting, and each silence between streamed chunks."""
    retry_attempts: int = 3
    """Tries per model when the provider answers 429 (or Anthropic's 529) before streaming anything."""
    max_output_tokens: int = 4096
    """`max_tokens` of every call (`max_completion_tokens` at OpenAI and Azure): a looping model stops."""
    text_tool_calls: bool = False
    """Read tool calls that a (small, local) model writes as JSON text as real tool calls."""
    hybrid: bool = True
    """With a real model: turns the keyless layer understands surely are answered without a model call."""
    hybrid_threshold: float = Field(default=0.85, ge=0.0, le=1.0)
    """The keyless layer's confidence from which it answers a turn itself."""
    prices: dict[str, ModelPrice] = Field(default_factory=dict)
    """Per-model prices per million tokens, e.g. `{"gpt-4o": {"prompt": 2.5, "completion": 10}}`."""
