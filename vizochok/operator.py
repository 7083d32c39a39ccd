"""Operator commands behind the CLI: create tenants, import catalogs."""

from __future__ import annotations

from vizochok.adapters.container import get

import asyncio
import csv
import json
import secrets
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from vizochok.app import build_container

if TYPE_CHECKING:
    from pathlib import Path

    from vizochok.settings import Settings

IMPORT_BATCH = 1000
_NUMERIC = {"quantity_step", "min_quantity", "weight", "volume"}


async def create_tenant(settings: Settings, name: str, store_id: str) -> dict[str, str]:
    """A tenant with a `pk_` chat key and an `sk_` catalog+admin key (shown only now)."""
    container = build_container(settings)
    await container.init_resources()
    try:
        tenants = await get(container.tenants)
        tenant = await tenants.create(name, store_id, webhooks={"secret": secrets.token_urlsafe(32)})
        _, public_key = await tenants.create_key(tenant.id, "pk", ["chat"], name="widget")
        _, secret_key = await tenants.create_key(tenant.id, "sk", ["catalog", "admin"], name="backend")
    finally:
        await container.shutdown_resources()
    return {"tenant_id": tenant.id, "store_id": store_id, "public_key": public_key, "secret_key": secret_key}


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


async def import_catalog(settings: Settings, path: Path, tenant_id: str) -> int:
    """Upload in batches, then follow embedding with a progress bar; returns an exit code."""
    products = read_products(path)
    container = build_container(settings)
    await container.init_resources()
    try:
        if await (await get(container.tenants)).get(tenant_id) is None:
            print(f"error: no tenant {tenant_id!r}; `vizochok tenant create --json` prints its id", file=sys.stderr)  # noqa: T201
            return 2
        service = await get(container.catalog_service)
        repo = await get(container.catalog_repository)
        jobs = []
        errors: list[str] = []
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(stderr=True),
        ) as bar:
            upload = bar.add_task("uploading", total=len(products))
            total_to_embed = 0
            for start in range(0, len(products), IMPORT_BATCH):
                batch = products[start : start + IMPORT_BATCH]
                job, to_embed = await service.upsert(tenant_id, batch)
                jobs.append(job.job_id)
                errors.extend(job.errors)
                total_to_embed += to_embed
                bar.advance(upload, len(batch))
            embed = bar.add_task("embedding", total=total_to_embed)
            while True:
                states = [await repo.get_job(tenant_id, j) for j in jobs]
                bar.update(embed, completed=sum(s.embedded for s in states if s))
                if all(s is None or s.status in ("complete", "failed") for s in states):
                    break
                await asyncio.sleep(0.5)
    finally:
        await (await get(container.catalog_service)).close()
        await container.shutdown_resources()
    for error in errors:
        print(f"skipped: {error}", file=sys.stderr)  # noqa: T201
    print(f"imported {len(products) - len(errors)} products into {tenant_id}; {len(errors)} rejected")  # noqa: T201
    return 1 if errors and len(errors) == len(products) else 0


async def create_admin_user(settings: Settings, tenant_id: str | None, email: str, password: str, role: str) -> dict[str, Any]:
    """An admin user (an operator when `role` is `operator`)."""
    container = build_container(settings)
    await container.init_resources()
    try:
        admin = await get(container.admin_service)
        user = await admin.create_user(None if role == "operator" else tenant_id, email, password, role)
    finally:
        await container.shutdown_resources()
    return user.model_dump(mode="json")
