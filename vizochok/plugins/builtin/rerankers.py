"""Registers the built-in rerankers, core features of `vizochok.core.search.rerankers`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.core.search.rerankers import AttributeBoostReranker
from vizochok.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from vizochok.plugins.registry import Register

__all__ = ("AttributeBoostReranker", "register_rerankers")


@hookimpl
def register_rerankers(register: Register) -> None:
    """`attribute-boost`: exact amounts, numbers and brands first."""
    register(AttributeBoostReranker(), name=AttributeBoostReranker.name)
