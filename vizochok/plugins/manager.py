"""Build the plugin manager and the registry: built-ins first, then allowed entry points."""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING

import pluggy

from vizochok.plugins import hookspecs
from vizochok.plugins.registry import Registry

if TYPE_CHECKING:
    from collections.abc import Iterable

_log = logging.getLogger(__name__)

DEFAULT_PLUGINS = (
    "vizochok.plugins.builtin.tools",
    "vizochok.providers.llm",
    "vizochok.providers.search",
    "vizochok.plugins.builtin.rerankers",
)
"""Our own features, registered through the same hooks as a third party's."""

ENTRY_POINT_GROUP = "vizochok"


def build_plugin_manager(
    *, load_entrypoints: bool = True, allow: Iterable[str] | None = None, trace: bool = False
) -> pluggy.PluginManager:
    """A fresh manager (never a module global) with built-ins and, optionally, installed plugins.

    `allow` limits which entry points load (`VIZOCHOK_PLUGINS__LOAD`); a misspelt hook
    implementation fails here, at start-up, through `check_pending()`.
    """
    pm = pluggy.PluginManager("vizochok")
    pm.add_hookspecs(hookspecs)
    for module in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module), name=module)
    if load_entrypoints:
        if allow is None:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        else:
            for name in allow:
                pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=name)
    pm.check_pending()
    if trace:
        pm.add_hookcall_monitoring(
            lambda name, _impls, kwargs: _log.info("hook %s(%s)", name, ", ".join(kwargs)),
            lambda _outcome, name, _impls, _kwargs: _log.info("hook %s done", name),
        )
    return pm


def build_registry(pm: pluggy.PluginManager) -> Registry:
    """Collect every registered component once."""
    registry = Registry()
    pm.hook.register_tools(register=registry.register_for("tool"))
    pm.hook.register_rerankers(register=registry.register_for("reranker"))
    pm.hook.register_llm_providers(register=registry.register_for("llm_provider"))
    pm.hook.register_search_backends(register=registry.register_for("search_backend"))
    return registry
