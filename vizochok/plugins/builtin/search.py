"""Registers the built-in search backends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from vizochok.adapters.db import Database
    from vizochok.core.ports import ProductSearch
    from vizochok.plugins.registry import Register


def _postgres(db: Database) -> ProductSearch:
    from vizochok.adapters.search.postgres import PostgresProductSearch  # noqa: PLC0415

    return PostgresProductSearch(db)


@hookimpl
def register_search_backends(register: Register) -> None:
    """`postgres`: pgvector, full text and trigram in one query."""
    register(_postgres, name="postgres")
