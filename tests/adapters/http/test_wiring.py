"""Providers registered by name and wrapped per tenant by the container's resolver."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pydantic import SecretStr

from tests.adapters.http.test_openai import ask, collect, text_answer
from tests.adapters.http.wire import API_KEY, Answer
from tests.conftest import make_settings
from vizochok.adapters.container import _llm_resolver
from vizochok.adapters.llm.anthropic import AnthropicLLM
from vizochok.adapters.llm.openai import OpenAILLM
from vizochok.core.llm.messages import LLMError, LLMRateLimited, TextChunk
from vizochok.core.models import Tenant, TenantLLMConfig
from vizochok.plugins import build_plugin_manager, build_registry

if TYPE_CHECKING:
    from pathlib import Path

    from tests.adapters.http.wire import Recorded, WireServer


def tenant(**llm: str) -> Tenant:
    # Hybrid routing off: these tests are about the model path, and the keyless layer could answer "Привіт" itself.
    return Tenant(id="t1", name="Shop", store_id="s1", llm=TenantLLMConfig(hybrid=False, **llm))


def test_providers_are_built_from_settings(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, llm={"provider": "openai", "base_url": "http://127.0.0.1:9/v1", "api_key": API_KEY}
    )
    registry = build_registry(build_plugin_manager(load_entrypoints=False))
    assert {"offline", "openai", "anthropic"} <= set(registry.all("llm_provider"))
    openai = registry.resolve("llm_provider", "openai")(settings.llm)
    anthropic = registry.resolve("llm_provider", "anthropic")(settings.llm)
    assert isinstance(openai, OpenAILLM)
    assert isinstance(anthropic, AnthropicLLM)
    assert repr(openai) == "OpenAILLM('http://127.0.0.1:9/v1/chat/completions')"
    assert openai._key == API_KEY
    # A tenant that picks Anthropic in an OpenAI deployment must not carry the OpenAI key to anthropic.com.
    assert repr(anthropic) == "AnthropicLLM('https://api.anthropic.com/v1/messages')"
    assert anthropic._key is None


async def test_a_tenants_fallback_model_is_used_when_its_model_stays_rate_limited(
    tmp_path: Path, wire: WireServer
) -> None:
    def by_model(request: Recorded) -> Answer:
        if request.body["model"] == "big":
            return Answer(status=429, body={"error": {"message": "quota"}}, headers={"Retry-After": "0"})
        return text_answer("small answered")

    wire.rule = by_model
    settings = make_settings(
        tmp_path,
        llm={
            "provider": "openai",
            "base_url": f"{wire.base_url}/v1",
            "api_key": API_KEY,
            "retry_attempts": 2,
        },
    )
    resolve = _llm_resolver(build_registry(build_plugin_manager(load_entrypoints=False)), settings)
    with_fallback, without = resolve(tenant(fallback_model="small")), resolve(tenant())
    assert resolve(tenant(fallback_model="small")) is with_fallback  # built once, shared

    events = await collect(with_fallback.stream(ask(model="big")))
    assert "".join(e.delta for e in events if isinstance(e, TextChunk)) == "small answered"
    assert wire.models() == ["big", "big", "small"]

    wire.requests.clear()
    with pytest.raises(LLMRateLimited):
        await collect(without.stream(ask(model="big")))
    assert wire.models() == ["big", "big"]


def innermost(llm: object) -> object:
    """The provider under the resolver's wrappers."""
    while hasattr(llm, "inner") or hasattr(llm, "primary"):
        llm = getattr(llm, "inner", None) or llm.primary  # type: ignore[attr-defined]
    return llm


async def test_a_tenants_own_key_reaches_the_provider_and_only_that_tenant_uses_it(
    tmp_path: Path, wire: WireServer
) -> None:
    wire.rule = lambda _request: text_answer("own key")
    # The deployment's key is wrong for this server; the tenant brought the right one.
    settings = make_settings(
        tmp_path,
        llm={
            "provider": "openai",
            "base_url": f"{wire.base_url}/v1",
            "api_key": "sk-deployment",
            "retry_attempts": 1,
        },
    )
    resolve = _llm_resolver(build_registry(build_plugin_manager(load_entrypoints=False)), settings)
    own = tenant().model_copy(update={"llm_keys": {"openai": SecretStr(API_KEY)}})
    events = await collect(resolve(own).stream(ask()))
    assert "".join(e.delta for e in events if isinstance(e, TextChunk)) == "own key"
    assert [r.auth_ok for r in wire.requests] == [True]
    with pytest.raises(LLMError, match="HTTP 401"):
        await collect(resolve(tenant()).stream(ask()))  # another tenant: the deployment's key, not this one's
    assert [r.auth_ok for r in wire.requests] == [True, False]
    assert API_KEY not in repr(resolve(own)) and API_KEY not in repr(own)


def test_a_tenant_that_picks_another_provider_sends_its_own_key_to_that_providers_public_endpoint(
    tmp_path: Path,
) -> None:
    settings = make_settings(
        tmp_path, llm={"provider": "openai", "base_url": "http://gpu-box:8000/v1", "api_key": "sk-deployment"}
    )
    resolve = _llm_resolver(build_registry(build_plugin_manager(load_entrypoints=False)), settings)
    with_key = tenant(provider="anthropic").model_copy(
        update={"llm_keys": {"anthropic": SecretStr("sk-ant-own"), "openai": SecretStr("sk-other")}}
    )
    anthropic = innermost(resolve(with_key))
    assert isinstance(anthropic, AnthropicLLM)
    assert (
        repr(anthropic) == "AnthropicLLM('https://api.anthropic.com/v1/messages')"
    )  # never the deployment's URL
    assert anthropic._key == "sk-ant-own"
    without = innermost(resolve(tenant(provider="anthropic")))
    assert without is not anthropic
    assert without._key is None  # type: ignore[attr-defined]
    deployment = innermost(resolve(tenant()))
    assert isinstance(deployment, OpenAILLM)
    assert deployment._key == "sk-deployment"
    assert repr(deployment) == "OpenAILLM('http://gpu-box:8000/v1/chat/completions')"
