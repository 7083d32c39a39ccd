"""Create the demo tenant, its keys and its catalog once; point its webhooks at the demo retailer."""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from vizochok.container import get

if TYPE_CHECKING:
    from pathlib import Path

    from vizochok.container import Container

_log = logging.getLogger(__name__)

DEMO_STORE = "demo-store"


@dataclass
class DemoTenant:
    """What the demo page and the demo retailer need to know."""

    tenant_id: str
    public_key: str
    secret_key: str
    webhook_secret: str
    identity_secret: str = ""
    """Signs the demo customer's id as a retailer's backend would (docs/identity.md)."""


def load_catalog() -> list[dict[str, Any]]:
    """The demo's Ukrainian grocery catalog."""
    data = json.loads(resources.files("vizochok.demo.data").joinpath("catalog.json").read_text("utf-8"))
    return data["products"]  # type: ignore[no-any-return]


def _read(path: Path) -> DemoTenant | None:
    try:
        return DemoTenant(**json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def _write(path: Path, demo: DemoTenant) -> None:
    # The raw demo keys are kept so the page can use them on the next start; mode 0600.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(asdict(demo), handle)


def demo_tenant_file(data_dir: Path, profile: str) -> Path:
    """Where the demo's keys are kept: one file per profile, so a memory run never orphans the stored tenant."""
    return data_dir / ("demo-tenant.json" if profile == "postgres" else f"demo-tenant.{profile}.json")


async def ensure_demo_tenant(container: Container, base_url: str, path: Path) -> DemoTenant:
    """The demo tenant, created on first run (its keys kept in `path`), with webhooks pointing at `base_url`."""
    tenants = await get(container.tenants)
    demo = _read(path)
    if demo is None or await tenants.get(demo.tenant_id) is None:
        webhook_secret = secrets.token_urlsafe(32)
        tenant = await tenants.create(
            "Демо-маркет", f"{DEMO_STORE}-{secrets.token_hex(3)}", webhooks={"secret": webhook_secret}
        )
        _, public_key = await tenants.create_key(tenant.id, "pk", ["chat"], name="demo widget")
        _, secret_key = await tenants.create_key(tenant.id, "sk", ["catalog", "admin"], name="demo backend")
        demo = DemoTenant(tenant.id, public_key, secret_key, webhook_secret)
        _write(path, demo)
        _log.info("created demo tenant %s", tenant.id)
    if not demo.identity_secret:
        demo.identity_secret = await tenants.rotate_identity_secret(demo.tenant_id, 0)
        _write(path, demo)
    retailer = f"{base_url.rstrip('/')}/demo-retailer"
    await tenants.update_webhooks(
        demo.tenant_id,
        products_url=f"{retailer}/products",
        cart_url=f"{retailer}/cart",
        cart_get_url=f"{retailer}/cart/items",
    )
    return demo


async def ensure_demo_catalog(container: Container, tenant_id: str, *, wait: bool = False) -> None:
    """Upload the demo catalog; unchanged products are skipped, so later starts are quick.

    The products are searchable as soon as they are stored (full text and fuzzy matching), so
    the demo does not wait for their vectors: on a 2-core machine embedding 346 products takes a
    minute or two, and the chat works meanwhile. `wait` is for tests that compare rankings.
    """
    catalog = await get(container.catalog_service)
    job, to_embed = await catalog.upsert(tenant_id, load_catalog())
    if to_embed:
        _log.info(
            "embedding %d demo products in the background (job %s); the chat answers meanwhile",
            to_embed,
            job.job_id,
        )
        if wait:
            await catalog.wait(job.job_id)
