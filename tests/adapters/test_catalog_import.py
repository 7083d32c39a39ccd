"""`vizochok catalog import`: JSON, NDJSON and CSV files into a tenant, through the real service."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from pydantic import SecretStr

from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.cli.operator import import_catalog, read_products, rebuild_search

if TYPE_CHECKING:
    from pathlib import Path

    from vizochok.adapters.db import Database
    from vizochok.bootstrap import Prepared

PRODUCTS = [
    {"sku": "m1", "name": "Молоко 2,5%", "attributes": {"fat": "2.5%"}, "volume": 900, "is_active": True},
    {"sku": "h1", "name": "Хліб житній", "weight": 500},
]


def test_the_three_formats_read_the_same(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"products": PRODUCTS}), "utf-8")
    (tmp_path / "b.ndjson").write_text("\n".join(json.dumps(p) for p in PRODUCTS) + "\n", "utf-8")
    (tmp_path / "c.csv").write_text(
        "sku,name,attributes,volume,weight,is_active\n"
        'm1,"Молоко 2,5%","{""fat"": ""2.5%""}",900,,true\n'
        "h1,Хліб житній,,,500,\n",
        "utf-8-sig",
    )
    as_json = read_products(tmp_path / "a.json")
    assert read_products(tmp_path / "b.ndjson") == as_json
    csv_rows = read_products(tmp_path / "c.csv")
    assert [r["sku"] for r in csv_rows] == ["m1", "h1"]
    assert csv_rows[0]["attributes"] == {"fat": "2.5%"} and csv_rows[0]["volume"] == 900.0
    assert csv_rows[0]["is_active"] is True and "is_active" not in csv_rows[1]


@pytest.mark.asyncio
async def test_import_lands_products_and_reports_rejects(
    tmp_path: Path,
    prepared: Prepared,
    database: Database,
    make_tenant: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tenant = (await make_tenant())["tenant_id"]
    path = tmp_path / "catalog.ndjson"
    path.write_text("\n".join(json.dumps(p) for p in [*PRODUCTS, {"sku": "bad"}]), "utf-8")
    assert await import_catalog(prepared.settings, path, tenant) == 0
    out = capsys.readouterr()
    assert "imported 2 products" in out.out
    assert "skipped: products[2] (sku 'bad')" in out.err
    repo = PostgresCatalogRepository(database)
    assert await repo.count_active(tenant) == 2  # embedded: searchable
    assert await import_catalog(prepared.settings, path, "tnt_missing") == 2


async def test_search_rebuild_explains_what_it_needs(
    prepared: Prepared, make_tenant: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = (await make_tenant())["tenant_id"]
    # PostgreSQL searches its own tables: there is no second copy to rebuild.
    assert await rebuild_search(prepared.settings, tenant) == 2
    assert "VIZOCHOK_SEARCH__BACKEND=elasticsearch" in capsys.readouterr().err
    assert await rebuild_search(prepared.settings, "tnt_missing") == 2
    assert "no tenant 'tnt_missing'" in capsys.readouterr().err


async def test_import_exits_non_zero_with_the_jobs_error(
    tmp_path: Path, prepared: Prepared, make_tenant: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """The embedder is unreachable: the command does not wait forever, it says why and fails."""
    tenant = (await make_tenant())["tenant_id"]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(PRODUCTS), "utf-8")
    settings = prepared.settings.model_copy(
        update={
            "catalog_retry_seconds": [0.01],
            "embeddings": prepared.settings.embeddings.model_copy(
                update={
                    "provider": "openai",
                    "base_url": "http://127.0.0.1:9/v1",
                    "api_key": SecretStr("x"),
                    "max_retries": 0,
                }
            ),
        }
    )
    assert await import_catalog(settings, path, tenant, timeout=120) == 1
    err = capsys.readouterr().err
    assert "embedding runs in this command" in err
    assert (
        "error: catalog job job_" in err
        and "failed: embedding failed after 2 attempts: embedder failed" in err
    )


async def test_import_without_wait_hands_embedding_to_the_server(
    tmp_path: Path,
    prepared: Prepared,
    database: Database,
    make_tenant: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tenant = (await make_tenant())["tenant_id"]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(PRODUCTS), "utf-8")
    assert await import_catalog(prepared.settings, path, tenant, wait=False) == 0
    assert "embedding continues in the server" in capsys.readouterr().err
    repo = PostgresCatalogRepository(database)
    (job,) = await repo.list_jobs(tenant)
    assert job.status == "pending"  # left for a server's watcher, which takes up pending jobs
    assert (tenant, job.job_id) in await repo.unfinished_jobs(include_failed=False)
    assert await repo.has_catalog(tenant)  # searchable by text already


async def test_import_that_runs_out_of_time_says_so(
    tmp_path: Path, prepared: Prepared, make_tenant: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    tenant = (await make_tenant())["tenant_id"]
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(PRODUCTS), "utf-8")
    assert await import_catalog(prepared.settings, path, tenant, timeout=0) == 4
    assert "did not finish within 0 s" in capsys.readouterr().err
