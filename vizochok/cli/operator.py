"""Operator commands behind the CLI: create tenants, import catalogs, rebuild search indexes."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import json
import secrets
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vizochok.app import build_container
from vizochok.container import get
from vizochok.core.errors import VizochokError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from pathlib import Path

    from vizochok.container import Container
    from vizochok.core.catalog.service import CatalogService
    from vizochok.core.ports import CatalogRepository
    from vizochok.settings import Settings

IMPORT_BATCH = 1000
_NUMERIC = {"quantity_step", "min_quantity", "weight", "volume"}


@contextlib.asynccontextmanager
async def _services(settings: Settings) -> AsyncIterator[Container]:
    """The composition root with its pools open, for one command."""
    container = build_container(settings)
    started = container.init_resources()
    if started is not None:  # async resources: an awaitable
        await started
    try:
        yield container
    finally:
        stopped = container.shutdown_resources()
        if stopped is not None:
            await stopped


async def _tenant_exists(container: Container, tenant_id: str) -> bool:
    """Whether the tenant exists; explains what to do on stderr when not."""
    if await (await get(container.tenants)).get(tenant_id) is not None:
        return True
    print(f"error: no tenant {tenant_id!r}; `vizochok tenant create --json` prints its id", file=sys.stderr)  # noqa: T201
    return False


async def create_tenant(settings: Settings, name: str, store_id: str) -> dict[str, str]:
    """A tenant with a `pk_` chat key, an `sk_` catalog+admin key and a webhook secret (shown only now)."""
    async with _services(settings) as container:
        tenants = await get(container.tenants)
        webhook_secret = secrets.token_urlsafe(32)
        tenant = await tenants.create(name, store_id, webhooks={"secret": webhook_secret})
        _, public_key = await tenants.create_key(tenant.id, "pk", ["chat"], name="widget")
        _, secret_key = await tenants.create_key(tenant.id, "sk", ["catalog", "admin"], name="backend")
    # Shown once, like the keys: the retailer verifies webhook signatures with it (docs/webhooks.md).
    return {"tenant_id": tenant.id, "store_id": store_id, "public_key": public_key, "secret_key": secret_key,
            "webhook_secret": webhook_secret}  # fmt: skip


def _csv_row(row: dict[str, str]) -> dict[str, Any]:
    product: dict[str, Any] = {}
    for key, value in row.items():
        if key is None or value is None or value == "":
            continue
        if key == "attributes":
            product[key] = json.loads(value)
        elif key == "is_active":
            product[key] = value.strip().lower() in ("1", "true", "yes")
        elif key in _NUMERIC:
            product[key] = float(value)
        else:
            product[key] = value
    return product


def read_products(path: Path) -> list[dict[str, Any]]:
    """Products from JSON (`{"products": [...]}` or a list), NDJSON, or CSV with a header row."""
    text = path.read_text("utf-8-sig")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [_csv_row(row) for row in csv.DictReader(text.splitlines())]
    if suffix in (".ndjson", ".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    data = json.loads(text)
    return data["products"] if isinstance(data, dict) else data  # type: ignore[no-any-return]


async def import_catalog(
    settings: Settings,
    path: Path,
    tenant_id: str,
    *,
    wait: bool = True,
    timeout: float = 3600.0,  # noqa: ASYNC109 - bounds the polling and is reported as such, not a cancellation
) -> int:
    """Upload in batches, then follow embedding with a progress bar and a deadline; returns an exit code.

    0: every product landed and every job completed (or, without `wait`, was handed to the server);
    1: a job failed (its error is printed) or every product was rejected; 4: the deadline passed.
    """
    products = read_products(path)
    errors: list[str] = []
    async with _services(settings) as container:
        if not await _tenant_exists(container, tenant_id):
            return 2
        service = await get(container.catalog_service)
        repo = await get(container.catalog_repository)
        if wait:
            print(  # noqa: T201
                "embedding runs in this command: keep it running until it finishes "
                "(--no-wait leaves it to the server instead)",
                file=sys.stderr,
            )
        try:
            jobs = await _upload(service, tenant_id, products, errors, run_here=wait)
            outcome = await _follow(repo, tenant_id, jobs, timeout) if wait else "handed"
        finally:
            await service.close()  # a job still running gives its lease up: a server takes it over
    for error in errors:
        print(f"skipped: {error}", file=sys.stderr)  # noqa: T201
    print(f"imported {len(products) - len(errors)} products into {tenant_id}; {len(errors)} rejected")  # noqa: T201
    if outcome == "handed":
        print(  # noqa: T201
            "embedding continues in the server (`vizochok serve` on this database); "
            "follow it with GET /api/v1/catalog/jobs or the admin panel",
            file=sys.stderr,
        )
    elif outcome == "timeout":
        print(  # noqa: T201
            f"error: embedding did not finish within {timeout:g} s (jobs {', '.join(jobs)}); a running server "
            "takes the rest over; follow it with GET /api/v1/catalog/jobs",
            file=sys.stderr,
        )
        return 4
    elif outcome:
        print(f"error: {outcome}", file=sys.stderr)  # noqa: T201
        return 1
    return 1 if errors and len(errors) == len(products) else 0


async def _upload(
    service: CatalogService,
    tenant_id: str,
    products: list[dict[str, Any]],
    errors: list[str],
    *,
    run_here: bool,
) -> list[str]:
    """Upsert in batches; returns the ids of the jobs that have something to embed."""
    jobs = []
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bar:
        upload = bar.add_task("uploading", total=len(products))
        for start in range(0, len(products), IMPORT_BATCH):
            batch = products[start : start + IMPORT_BATCH]
            job, to_embed = await service.upsert(tenant_id, batch, run_here=run_here)
            if to_embed:
                jobs.append(job.job_id)
            errors.extend(job.errors)
            bar.advance(upload, len(batch))
    return jobs


async def _follow(
    repo: CatalogRepository,
    tenant_id: str,
    jobs: list[str],
    timeout: float,  # noqa: ASYNC109 - a polling deadline that ends in a "timeout" answer, not a cancellation
) -> str:
    """Follow the jobs to the end: "" when all completed, "timeout", or the first failed job's error."""
    if not jobs:
        return ""
    deadline = asyncio.get_running_loop().time() + timeout
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    ) as bar:
        embed = bar.add_task("embedding", total=None)
        while True:
            states = [await repo.get_job(tenant_id, j) for j in jobs]
            bar.update(embed, completed=sum(s.embedded for s in states if s))
            if all(s is None or s.status in ("complete", "failed") for s in states):
                break
            if asyncio.get_running_loop().time() > deadline:
                return "timeout"
            await asyncio.sleep(0.5)
    failed = [s for s in states if s is not None and s.status == "failed"]
    if failed:
        reason = failed[0].errors[-1] if failed[0].errors else "no reason recorded"
        return f"catalog job {failed[0].job_id} failed: {reason}"
    return ""


async def rebuild_search(settings: Settings, tenant_id: str) -> int:
    """Copy a tenant's catalog from PostgreSQL into a fresh search index and swap it in; an exit code."""
    async with _services(settings) as container:
        if not await _tenant_exists(container, tenant_id):
            return 2
        service = await get(container.catalog_service)
        try:
            with Progress(
                TextColumn("{task.description}"),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            ) as bar:
                task = bar.add_task("copying products", total=None)
                copied = await service.rebuild_mirror(
                    tenant_id, progress=lambda n: bar.update(task, completed=n)
                )
        except VizochokError as exc:
            print(f"error: {exc.detail}; set VIZOCHOK_SEARCH__BACKEND=elasticsearch first", file=sys.stderr)  # noqa: T201
            return 2
    print(f"rebuilt the search index of {tenant_id}: {copied} products")  # noqa: T201
    return 0


async def create_admin_user(
    settings: Settings, tenant_id: str | None, email: str, password: str, role: str
) -> dict[str, Any]:
    """An admin user (an operator when `role` is `operator`)."""
    async with _services(settings) as container:
        admin = await get(container.admin_service)
        user = await admin.create_user(None if role == "operator" else tenant_id, email, password, role)
    view: dict[str, Any] = user.model_dump(mode="json")
    return view
