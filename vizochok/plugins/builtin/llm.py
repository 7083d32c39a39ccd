"""Registers the built-in LLM providers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from vizochok.core.ports import LLM
    from vizochok.plugins.registry import Register
    from vizochok.settings import LLMSettings


def _offline(_config: LLMSettings) -> LLM:
    from vizochok.adapters.llm.offline import OfflineLLM  # noqa: PLC0415

    return OfflineLLM()


@hookimpl
def register_llm_providers(register: Register) -> None:
    """`offline`: the rule-based planner that needs no key."""
    register(_offline, name="offline")
