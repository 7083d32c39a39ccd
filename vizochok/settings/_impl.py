"""The root settings object, read from the environment when asked for, never at import time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from vizochok.settings.limits import LimitSettings
from vizochok.settings.llm import LLMSettings
from vizochok.settings.search import EmbeddingSettings, SearchSettings
from vizochok.settings.webhook_client import WebhookSettings

DEFAULT_PLANS: dict[str, dict[str, Any]] = {
    "free": {
        "user_messages_per_day": 50,
        "tenant_tokens_per_day": 100_000,
        "tenant_tokens_per_month": 1_000_000,
    },
    "standard": {},
    "enterprise": {
        "user_messages_per_day": 1000,
        "tenant_tokens_per_day": 5_000_000,
        "tenant_tokens_per_month": 100_000_000,
    },
}


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("vizochok"))


class PluginSettings(BaseModel):
    """Which third-party plugins may load."""

    load: list[str] | None = None
    """Allowlist of entry-point names; `None` loads every installed `vizochok` entry point."""
    trace: bool = False
    """Log every hook call (pluggy monitoring)."""


class Settings(BaseSettings):
    """Everything the process needs, from `VIZOCHOK_*` variables (nested with `__`)."""

    model_config = SettingsConfigDict(
        env_prefix="VIZOCHOK_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    database_url: str | None = None
    """Application connection, bound by row-level security. Unset: embedded PostgreSQL."""
    database_admin_url: str | None = None
    """Owner connection for migrations and operator commands; defaults to `database_url`."""
    database_app_role: str = "vizochok_app"
    """Role the application connects as in embedded mode (no superuser, no BYPASSRLS)."""
    database_pool_size: int = 10
    """Connections per process."""
    database_read_url: str | None = None
    """PostgreSQL streaming standbys for search and catalog reads, comma-separated; unset: the primary serves all."""
    valkey_url: str | None = None
    """Valkey (or Redis) URL. Unset: embedded Valkey."""
    valkey_pool_size: int = 64
    """Valkey connections per process; commands beyond wait for a free one."""
    valkey_replica_acks: int = 1
    """On a Valkey cluster: replicas that must hold a turn's end before it is acknowledged (WAIT, 500 ms at most); 0 skips."""
    elasticsearch_url: str | None = None
    """Elasticsearch URL; enables the `elasticsearch` search backend."""
    data_dir: Path = Field(default_factory=_default_data_dir)
    """Where embedded services keep their data."""
    secret_key: SecretStr | None = None
    """Encrypts webhook secrets at rest. Unset: a key is generated once under `data_dir`."""
    public_url: str | None = None
    """Base URL shoppers reach the server at (used by the demo page); derived from host and port when unset."""
    tenant_cache_seconds: float = 5.0
    """How long a process reuses a tenant's settings on the chat path; changes show up within this time."""
    catalog_retry_seconds: list[float] = Field(default_factory=lambda: [1.0, 2.0, 5.0, 10.0, 30.0, 60.0])
    """Pauses before each retry of a catalog job whose embedder or database failed; then it is `failed`."""
    ws_compression: bool = False
    """permessage-deflate on WebSockets: ~40 KB more memory per open socket for smaller frames on the wire."""
    log_level: str = "INFO"
    """Python logging level."""

    llm: LLMSettings = Field(default_factory=LLMSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    plugins: PluginSettings = Field(default_factory=PluginSettings)
    plans: dict[str, dict[str, Any]] = Field(default_factory=lambda: dict(DEFAULT_PLANS))
    """Plan name → limit overrides; a tenant's `plan` picks one, its own `limits` override that."""


def get_settings(**overrides: object) -> Settings:
    """Read the settings from the environment now; keyword arguments win over it."""
    return Settings(**overrides)  # type: ignore[arg-type]
