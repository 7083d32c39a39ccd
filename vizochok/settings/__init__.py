"""Settings per concern, read by `get_settings()` when the app is built."""

from vizochok.settings._impl import PluginSettings, Settings, get_settings
from vizochok.settings.limits import LimitSettings
from vizochok.settings.llm import LLMSettings
from vizochok.settings.search import EmbeddingSettings, SearchSettings
from vizochok.settings.webhook_client import WebhookSettings

__all__ = (
    "EmbeddingSettings",
    "LLMSettings",
    "LimitSettings",
    "PluginSettings",
    "SearchSettings",
    "Settings",
    "WebhookSettings",
    "get_settings",
)
