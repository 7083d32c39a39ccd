"""Plugins: the hook contract, the manager that loads plugins, and the registry they fill."""

from vizochok.plugins.hookspecs import hookimpl
from vizochok.plugins.manager import build_plugin_manager, build_registry
from vizochok.plugins.registry import Registry, UnknownComponentError

__all__ = ("Registry", "UnknownComponentError", "build_plugin_manager", "build_registry", "hookimpl")
