"""Ports: what the core needs from the outside world, as `typing.Protocol` classes, one module per concern.

Every method is async and speaks core types. Adapters in `vizochok.adapters` implement them. Every port is
re-exported here, so `from vizochok.core.ports import X` names any of them.
"""

from __future__ import annotations

from vizochok.core.ports.admin import AdminSessions, AdminStore, LoginThrottle, PasswordHasher
from vizochok.core.ports.catalog import CatalogRepository
from vizochok.core.ports.conversation import ConversationLog, ProfileRepository, SessionStore, TurnStore
from vizochok.core.ports.llm import LLM, Embedder
from vizochok.core.ports.observer import Observer
from vizochok.core.ports.retailer import (
    RetailerWebhooks,
    URLGuard,
    WebhookConfigStore,
    WebhookHealth,
    WebhookProbe,
)
from vizochok.core.ports.search import CatalogFacts, MirrorRebuild, ProductSearch, Reranker, SearchMirror
from vizochok.core.ports.tenants import KeyRepository, TenantRepository
from vizochok.core.ports.usage import UsageLimiter, UsageRecorder

__all__ = (
    "LLM",
    "AdminSessions",
    "AdminStore",
    "CatalogFacts",
    "CatalogRepository",
    "ConversationLog",
    "Embedder",
    "KeyRepository",
    "LoginThrottle",
    "MirrorRebuild",
    "Observer",
    "PasswordHasher",
    "ProductSearch",
    "ProfileRepository",
    "Reranker",
    "RetailerWebhooks",
    "SearchMirror",
    "SessionStore",
    "TenantRepository",
    "TurnStore",
    "URLGuard",
    "UsageLimiter",
    "UsageRecorder",
    "WebhookConfigStore",
    "WebhookHealth",
    "WebhookProbe",
)
