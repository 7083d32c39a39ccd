"""Registers the built-in agent tools."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.core.agent.builtin import BUILTIN_TOOLS
from vizochok.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from vizochok.plugins.registry import Register


@hookimpl
def register_tools(register: Register) -> None:
    """Every tool of `vizochok.core.agent.builtin`."""
    for tool in BUILTIN_TOOLS:
        register(tool)
