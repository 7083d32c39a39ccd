"""Keeping Elasticsearch in step with PostgreSQL: field updates, soft deletes, and alias-swap rebuilds.

No Elasticsearch server runs here, so the engine talks to a recording client that answers like one
for the calls it makes; the request bodies are checked as Elasticsearch 8 reads them.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.db.memory import InMemoryCatalogRepository
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.adapters.search.elasticsearch import ElasticsearchProductSearch, alias, update_operations
from vizochok.core.catalog.service import CatalogService
from vizochok.core.errors import ErrorCode, VizochokError
from vizochok.core.models import ProductInput

TENANT = "tnt_mirror"
ALIAS = alias(TENANT)


class Indices:
    """The `indices` namespace: indexes and aliases kept in dicts."""

    def __init__(self, client: RecordingElasticsearch) -> None:
        self.client = client

    async def exists(self, index: str) -> bool:
        return index in self.client.aliases

    async def exists_alias(self, name: str) -> bool:
        return any(name in aliases for aliases in self.client.aliases.values())

    async def get_alias(self, name: str) -> dict[str, Any]:
        return {
            index: {"aliases": {name: {}}}
            for index, aliases in self.client.aliases.items()
            if name in aliases
        }

    async def create(self, index: str, **body: Any) -> None:
        self.client.calls.append(("create", index, body))
        self.client.aliases[index] = set()
        self.client.docs[index] = {}

    async def put_alias(self, index: str, name: str, **options: Any) -> None:
        self.client.calls.append(("put_alias", index, {"name": name, **options}))
        self.client.aliases[index].add(name)

    async def put_settings(self, index: str, settings: dict[str, Any]) -> None:
        self.client.calls.append(("put_settings", index, settings))

    async def refresh(self, index: str) -> None:
        self.client.calls.append(("refresh", index, {}))

    async def update_aliases(self, actions: list[dict[str, Any]]) -> None:
        self.client.calls.append(("update_aliases", "", {"actions": actions}))
        for action in actions:
            ((kind, target),) = action.items()
            change = set.add if kind == "add" else set.discard
            change(self.client.aliases[target["index"]], target["alias"])

    async def delete(self, index: str) -> None:
        self.client.calls.append(("delete", index, {}))
        del self.client.aliases[index], self.client.docs[index]


class RecordingElasticsearch:
    """Records calls; `bulk` applies index operations and the update script's effect (fields, is_active)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.aliases: dict[str, set[str]] = {}
        self.docs: dict[str, dict[str, dict[str, Any]]] = {}
        self.indices = Indices(self)
        self.refuse: set[str] = set()

    def resolve(self, name: str) -> str:
        (index,) = [i for i, a in self.aliases.items() if name in a or name == i]
        return index

    async def bulk(self, operations: list[dict[str, Any]], refresh: bool = False) -> dict[str, Any]:
        items = []
        for action, body in zip(operations[::2], operations[1::2], strict=True):
            ((kind, meta),) = action.items()
            index, sku = self.resolve(meta["_index"]), meta["_id"].split(":", 1)[1]  # ids are `tenant:sku`
            self.calls.append(("bulk", meta["_index"], {kind: meta["_id"]}))
            if sku in self.refuse:
                items.append(
                    {kind: {"_id": sku, "status": 400, "error": {"type": "mapper_parsing_exception"}}}
                )
                continue
            docs, sku = self.docs[index], meta["_id"]
            if kind == "index":
                docs[sku] = copy.deepcopy(body)
            elif sku not in docs:
                docs[sku] = copy.deepcopy(body["upsert"])
            else:  # what the painless script does
                params = body["script"]["params"]
                docs[sku].update(copy.deepcopy(params["doc"]))
                docs[sku]["is_active"] = params["active"] and "embedding" in docs[sku]
            items.append({kind: {"_id": sku, "status": 200}})
        return {"errors": any("error" in next(iter(i.values())) for i in items), "items": items}

    async def delete_by_query(self, index: str, routing: str, query: dict[str, Any], **options: Any) -> None:
        self.calls.append(("delete_by_query", index, {"routing": routing, "query": query, **options}))
        tenant = query["term"]["tenant_id"]
        self.docs[index] = {i: d for i, d in self.docs[index].items() if d["tenant_id"] != tenant}

    def searchable(self, name: str = ALIAS, tenant: str = TENANT) -> dict[str, dict[str, Any]]:
        """Active documents of the tenant, by SKU, in the index `name` resolves to."""
        docs = self.docs[self.resolve(name)].values()
        return {d["sku"]: d for d in docs if d["is_active"] and d["tenant_id"] == tenant}


def milk(sku: str = "m1", **fields: Any) -> dict[str, Any]:
    return {"sku": sku, "name": f"Молоко {sku}", "category_path": "Молочні > Молоко", **fields}


@pytest.fixture
def es() -> RecordingElasticsearch:
    return RecordingElasticsearch()


@pytest.fixture
def service(es: RecordingElasticsearch) -> CatalogService:
    return CatalogService(
        InMemoryCatalogRepository(),
        HashingEmbedder(),
        mirror=ElasticsearchProductSearch(es, new_tenants="dedicated"),
    )


async def upload(service: CatalogService, products: list[dict[str, Any]]) -> Any:
    job, _ = await service.upsert(TENANT, products)
    await service.wait(job.job_id)
    return job


def test_update_keeps_the_vector_and_creates_new_products_unsearchable() -> None:
    product = ProductInput(sku="m1", name="Молоко", is_active=False)
    action, body = update_operations("idx", [product], "tnt_a")
    assert action == {"update": {"_index": "idx", "_id": "tnt_a:m1"}}
    params = body["script"]["params"]
    assert "embedding" not in params["doc"] and "is_active" not in params["doc"]
    assert params["active"] is False
    assert "containsKey('embedding')" in body["script"]["source"]  # active only with a vector
    assert "ctx.op = 'noop'" in body["script"]["source"]  # re-uploading the same catalog rewrites nothing
    assert body["upsert"]["is_active"] is False and "embedding" not in body["upsert"]


async def test_field_changes_and_soft_deletes_reach_elasticsearch(
    service: CatalogService, es: RecordingElasticsearch
) -> None:
    await upload(service, [milk("m1"), milk("m2")])
    assert set(es.searchable()) == {"m1", "m2"}
    vector = es.searchable()["m1"]["embedding"]

    # Only an attribute changes: nothing to embed, yet the engine must see it, vector kept.
    job = await upload(service, [milk("m1", attributes={"fat": "2.5%"}), milk("m2")])
    assert job.status == "complete"
    assert es.searchable()["m1"]["attributes"] == {"fat": "2.5%"}
    assert es.searchable()["m1"]["embedding"] == vector

    await upload(service, [milk("m2", is_active=False)])
    assert set(es.searchable()) == {"m1"}
    await upload(service, [milk("m2", is_active=True)])  # back on sale: its stored vector still serves
    assert set(es.searchable()) == {"m1", "m2"}


async def test_a_refused_mirror_update_is_reported_on_the_job(
    service: CatalogService, es: RecordingElasticsearch
) -> None:
    await upload(service, [milk("m1")])
    es.refuse.add("m1")
    job = await upload(service, [milk("m1", brand="Галичина")])
    assert any("vizochok search rebuild" in e for e in job.errors)
    stored = await service._repo.get_job(TENANT, job.job_id)
    assert stored is not None
    assert stored.errors == job.errors


async def test_rebuild_copies_everything_and_swaps_the_alias_atomically(
    service: CatalogService, es: RecordingElasticsearch
) -> None:
    await upload(service, [milk(f"m{i}") for i in range(7)] + [milk("gone", is_active=False)])
    (old,) = es.aliases
    seen: list[int] = []
    copied = await service.rebuild_mirror(TENANT, page_size=3, progress=seen.append)
    assert copied == 8 and seen == [3, 6, 8]
    (fresh,) = es.aliases
    assert fresh != old and es.aliases[fresh] == {ALIAS}
    assert set(es.searchable()) == {f"m{i}" for i in range(7)}
    swap = next(body["actions"] for name, _, body in es.calls if name == "update_aliases")
    assert {"remove": {"index": old, "alias": ALIAS}} in swap and {
        "add": {"index": fresh, "alias": ALIAS}
    } in swap
    created = next(body for name, index, body in es.calls if name == "create" and index == fresh)
    assert created["settings"]["refresh_interval"] == "-1"  # bulk-load settings, restored before the swap
    assert ("put_settings", fresh, {"refresh_interval": "5s", "number_of_replicas": 1}) in es.calls
    assert ("delete", old, {}) in es.calls


async def test_uploads_during_a_rebuild_reach_both_indexes(
    service: CatalogService, es: RecordingElasticsearch
) -> None:
    await upload(service, [milk("m1")])
    mirror = service._mirror
    assert mirror is not None
    writer = await mirror.rebuild(TENANT)
    await upload(service, [milk("m1", brand="Яготинське"), milk("m3")])
    assert es.docs[writer.index][f"{TENANT}:m1"]["brand"] == "Яготинське"  # type: ignore[attr-defined]
    assert es.searchable()["m3"]["name"] == "Молоко m3"
    await writer.abort()
    assert set(es.aliases) == {es.resolve(ALIAS)}  # the fresh index is gone, the old one serves


async def test_a_failed_copy_leaves_the_old_index_serving(
    service: CatalogService, es: RecordingElasticsearch
) -> None:
    await upload(service, [milk("m1"), milk("m2")])
    (old,) = es.aliases
    es.refuse.add("m2")
    with pytest.raises(RuntimeError, match="refused"):
        await service.rebuild_mirror(TENANT)
    assert set(es.aliases) == {old} and es.aliases[old] == {ALIAS}


async def test_rebuild_needs_a_mirroring_backend() -> None:
    service = CatalogService(InMemoryCatalogRepository(), HashingEmbedder())
    with pytest.raises(VizochokError) as error:
        await service.rebuild_mirror(TENANT)
    assert error.value.code == ErrorCode.VALIDATION_ERROR


async def test_postgres_exports_every_product_with_its_vector_in_pages(
    database: Any, make_tenant: Any
) -> None:
    tenant = (await make_tenant())["tenant_id"]
    repo = PostgresCatalogRepository(database)
    service = CatalogService(repo, HashingEmbedder())
    await upload_to(service, tenant, [milk(f"p{i:02d}") for i in range(5)] + [milk("p99", is_active=False)])
    pages, after = [], ""
    while page := await repo.export_page(tenant, after, 2):
        pages.append(page)
        after = page[-1][0].sku
    assert [len(p) for p in pages] == [2, 2, 2]
    rows = [row for page in pages for row in page]
    assert [p.sku for p, _ in rows] == ["p00", "p01", "p02", "p03", "p04", "p99"]
    assert all(v is not None and len(v) == 384 for p, v in rows if p.is_active)
    assert rows[-1][0].is_active is False and rows[-1][1] is None  # never embedded, still exported
    other = (await make_tenant())["tenant_id"]
    assert await repo.export_page(other, "", 100) == []  # another tenant's rows stay invisible


async def upload_to(service: CatalogService, tenant: str, products: list[dict[str, Any]]) -> None:
    job, _ = await service.upsert(tenant, products)
    await service.wait(job.job_id)
