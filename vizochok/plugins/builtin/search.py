"""Registers the built-in search backends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vizochok.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from vizochok.adapters.db import Database
    from vizochok.core.ports import ProductSearch
    from vizochok.plugins.registry import Register


@dataclass(frozen=True)
class SearchDeps:
    """What a search backend factory may use."""

    database: Database
    settings: Any
    """The process `Settings` (`elasticsearch_url`, `search`, …)."""
    reads: Any = None
    """Where searches read: the standbys of `VIZOCHOK_DATABASE_READ_URL` (a `ReadDatabase`), or None for `database`."""


def _postgres(deps: SearchDeps) -> ProductSearch:
    from vizochok.adapters.search.postgres import PostgresProductSearch  # noqa: PLC0415

    return PostgresProductSearch(deps.reads if deps.reads is not None else deps.database)


def _elasticsearch(deps: SearchDeps) -> ProductSearch:
    from vizochok.adapters.search.elasticsearch import build  # noqa: PLC0415 - optional extra

    url = deps.settings.elasticsearch_url
    if not url:
        msg = "search backend 'elasticsearch' needs VIZOCHOK_ELASTICSEARCH_URL"
        raise RuntimeError(msg)
    search = deps.settings.search
    return build(
        url, new_tenants=search.elasticsearch_new_tenants, shared_indexes=search.elasticsearch_shared_indexes,
        shared_shards=search.elasticsearch_shared_shards,
    )  # fmt: skip


@hookimpl
def register_search_backends(register: Register) -> None:
    """`postgres`: pgvector, full text and trigram in one query; `elasticsearch`: BM25 and kNN per tenant index."""
    register(_postgres, name="postgres")
    register(_elasticsearch, name="elasticsearch")
