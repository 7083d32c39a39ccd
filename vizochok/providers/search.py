"""The built-in search backends: `postgres` and `elasticsearch`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from vizochok.plugins.hookspecs import hookimpl

if TYPE_CHECKING:
    from vizochok.core.ports import ProductSearch
    from vizochok.plugins.hookspecs import SearchDeps
    from vizochok.plugins.registry import Register


def _postgres(deps: SearchDeps) -> ProductSearch:
    from vizochok.adapters.search.postgres import PostgresProductSearch  # noqa: PLC0415

    connections = deps.sql_reads if deps.sql_reads is not None else deps.sql
    if connections is None:
        msg = "search backend 'postgres' needs PostgreSQL (the postgres profile)"
        raise RuntimeError(msg)
    return PostgresProductSearch(connections)  # type: ignore[arg-type]  # the port PostgresProductSearch reads through


def _elasticsearch(deps: SearchDeps) -> ProductSearch:
    from vizochok.adapters.search.elasticsearch import build  # noqa: PLC0415 - optional extra

    if not deps.elasticsearch_url:
        msg = "search backend 'elasticsearch' needs VIZOCHOK_ELASTICSEARCH_URL"
        raise RuntimeError(msg)
    search = deps.settings
    return build(
        deps.elasticsearch_url, new_tenants=search.elasticsearch_new_tenants,
        shared_indexes=search.elasticsearch_shared_indexes, shared_shards=search.elasticsearch_shared_shards,
    )  # fmt: skip


@hookimpl
def register_search_backends(register: Register) -> None:
    """`postgres`: pgvector, full text and trigram in one query; `elasticsearch`: BM25 and kNN per tenant index."""
    register(_postgres, name="postgres")
    register(_elasticsearch, name="elasticsearch")
