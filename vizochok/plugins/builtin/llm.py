"""Registers the built-in LLM providers.

Each factory imports its adapter inside the function, so a deployment that never names a provider
never imports its module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from pydantic import SecretStr

    from vizochok.core.ports import LLM
    from vizochok.plugins.registry import Register
    from vizochok.settings import LLMSettings


def _offline(_config: LLMSettings) -> LLM:
    from vizochok.adapters.llm.offline import OfflineLLM  # noqa: PLC0415

    return OfflineLLM()


def _endpoint(config: LLMSettings, name: str) -> tuple[str | None, SecretStr | None]:
    """The configured URL and key, only for the provider they were configured for.

    A tenant may pick another provider than the deployment's; it then gets that provider's public
    endpoint and no key, so one provider's key is never sent to another provider's server.
    """
    return (config.base_url, config.api_key) if config.provider == name else (None, None)


def _openai(config: LLMSettings) -> LLM:
    from vizochok.adapters.llm.openai import OpenAILLM  # noqa: PLC0415

    url, key = _endpoint(config, "openai")
    return OpenAILLM(url, key, config.request_timeout_seconds, max_tokens=config.max_output_tokens)


def _anthropic(config: LLMSettings) -> LLM:
    from vizochok.adapters.llm.anthropic import AnthropicLLM  # noqa: PLC0415

    url, key = _endpoint(config, "anthropic")
    return AnthropicLLM(url, key, config.request_timeout_seconds, max_tokens=config.max_output_tokens)


@hookimpl
def register_llm_providers(register: Register) -> None:
    """`offline` (rule-based, no key), `openai` (any Chat Completions server) and `anthropic`."""
    register(_offline, name="offline")
    register(_openai, name="openai")
    register(_anthropic, name="anthropic")
