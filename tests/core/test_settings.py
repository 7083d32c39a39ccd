"""Settings come from `VIZOCHOK_*` when asked for, never at import time; limits merge per tenant."""

from __future__ import annotations

import importlib

import pytest

import vizochok.app
import vizochok.settings
from vizochok.core.usage.limits import Limits
from vizochok.settings import get_settings


def test_nested_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIZOCHOK_LLM__PROVIDER", "anthropic")
    monkeypatch.setenv("VIZOCHOK_WEBHOOKS__ALLOW_PRIVATE_HOSTS", "true")
    monkeypatch.setenv("VIZOCHOK_LIMITS__SOCKETS_PER_KEY", "50")
    settings = get_settings()
    assert settings.llm.provider == "anthropic"
    assert settings.webhooks.allow_private_hosts is True
    assert settings.limits.sockets_per_key == 50


def test_importing_reads_no_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIZOCHOK_DATABASE_POOL_SIZE", "not a number")
    importlib.reload(vizochok.settings)
    importlib.reload(vizochok.app)  # would raise if settings were read at import time
    with pytest.raises(ValueError, match="database_pool_size"):
        get_settings()


def test_tenant_limits_override_defaults() -> None:
    limits = Limits().for_tenant({"user_messages_per_day": 1000, "unknown": 1})
    assert limits.user_messages_per_day == 1000
    assert limits.session_token_limit == Limits().session_token_limit
