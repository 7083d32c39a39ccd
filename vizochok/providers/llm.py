"""The built-in LLM providers: `offline`, `openai` and `anthropic`.

Each factory imports its adapter inside the function, so a deployment that never names a provider
never imports its module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from vizochok.core.ports import LLM
    from vizochok.plugins.hookspecs import ProviderConfig
    from vizochok.plugins.registry import Register


def _offline(_config: ProviderConfig) -> LLM:
    from vizochok.adapters.llm.offline import OfflineLLM  # noqa: PLC0415

    return OfflineLLM()


def _openai(config: ProviderConfig) -> LLM:
    from vizochok.adapters.llm.openai import OpenAILLM  # noqa: PLC0415

    return OpenAILLM(
        config.base_url, config.api_key, config.request_timeout_seconds, max_tokens=config.max_output_tokens
    )


def _anthropic(config: ProviderConfig) -> LLM:
    from vizochok.adapters.llm.anthropic import AnthropicLLM  # noqa: PLC0415

    return AnthropicLLM(
        config.base_url, config.api_key, config.request_timeout_seconds, max_tokens=config.max_output_tokens
    )


@hookimpl
def register_llm_providers(register: Register) -> None:
    """`offline` (rule-based, no key), `openai` (any Chat Completions server) and `anthropic`."""
    register(_offline, name="offline")
    register(_openai, name="openai")
    register(_anthropic, name="anthropic")
