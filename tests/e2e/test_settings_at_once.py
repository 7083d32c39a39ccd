"""A change made through the admin API applies to the very next request, whatever the tenant cache says.

The server here caches tenants for a minute on the chat path (the test suite's other servers do
not cache at all). A settings version in Valkey, bumped by every write, makes the cache reread.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.adapters.http.retailer_server import ScriptedRetailer, Server, reply
from tests.helpers import ChatClient, ThreadedServer, free_port
from vizochok.adapters.db.catalog import PostgresCatalogRepository
from vizochok.adapters.embeddings.memory import HashingEmbedder
from vizochok.app import build_container, create_app
from vizochok.container import get
from vizochok.core.catalog.service import CatalogService

if TYPE_CHECKING:
    from collections.abc import Awaitable, Iterator

    from vizochok.adapters.db import Database
    from vizochok.bootstrap import Prepared

pytestmark = pytest.mark.asyncio


async def _awaited(result: Awaitable[None] | None) -> None:
    """What dependency-injector returns: a coroutine when the container has async resources (it has)."""
    if result is not None:
        await result


SLEEPS = 6.0  # the retailer answers after this long: longer than the new timeout, shorter than the old one


@pytest.fixture(scope="module")
def caching_server(prepared: Prepared) -> Iterator[ThreadedServer]:
    settings = prepared.settings.model_copy(update={"tenant_cache_seconds": 60.0})
    port = free_port()
    server = ThreadedServer(create_app(settings, container=build_container(settings)), port, settings)
    server.start()
    yield server
    server.stop()


async def test_a_webhook_timeout_changed_by_patch_is_used_by_the_next_chat(
    caching_server: ThreadedServer, make_tenant: Any, database: Database
) -> None:
    app = ScriptedRetailer(default=reply(200, {"products": []}, delay=SLEEPS))
    with Server(app) as retailer:
        keys = await make_tenant(webhooks={"secret": secrets.token_urlsafe(16), "timeout_seconds": 10.0})
        catalog = CatalogService(PostgresCatalogRepository(database), HashingEmbedder())
        job, _ = await catalog.upsert(keys["tenant_id"], [{"sku": "m1", "name": "Молоко 2,5%"}])
        await catalog.wait(job.job_id)
        headers = {"Authorization": f"Bearer {keys['sk']}"}
        async with httpx.AsyncClient(base_url=caching_server.base_url, headers=headers, timeout=60) as api:
            patched = await api.patch(
                "/api/v1/admin/webhooks", json={"products_url": f"{retailer.base_url}/products"}
            )
            assert patched.status_code == 200, patched.text
            # The chat path reads (and caches) the tenant: timeout 10 s.
            client, _ = await ChatClient.connect(
                caching_server.ws_url, keys["pk"], store_id=keys["store_id"], user_id="u"
            )
            await client.close()
            patched = await api.patch("/api/v1/admin/webhooks", json={"timeout_seconds": 1})
            assert patched.status_code == 200, patched.text

        client, _ = await ChatClient.connect(
            caching_server.ws_url, keys["pk"], store_id=keys["store_id"], user_id="u"
        )
        started = time.monotonic()
        frames = await client.say("покажи молоко")
        took = time.monotonic() - started
        await client.close()
    assert frames[-1]["type"] == "response_complete"
    assert [r.path for r in app.received if r.path == "/products"], "the products webhook was not called"
    # 1 s, a retry 1 s later, 1 s again: about 3 s. The cached 10 s timeout would have waited 6 s twice.
    assert took < SLEEPS, f"the turn took {took:.1f} s: the old timeout was used"


async def test_a_write_in_one_process_is_seen_by_the_cache_of_another(
    prepared: Prepared, make_tenant: Any
) -> None:
    """Two containers stand for two worker processes sharing PostgreSQL and Valkey."""
    settings = prepared.settings.model_copy(update={"tenant_cache_seconds": 60.0})
    reader, writer = build_container(settings), build_container(settings)
    await _awaited(reader.init_resources())
    await _awaited(writer.init_resources())
    try:
        tenant_id = (await make_tenant())["tenant_id"]
        cached = await get(reader.chat_tenants)
        before = await cached.get(tenant_id)
        assert before is not None and before.webhooks.timeout_seconds == 5.0
        await (await get(writer.tenants)).update_webhooks(tenant_id, timeout_seconds=2.0)
        after = await cached.get(tenant_id)
        assert after is not None and after.webhooks.timeout_seconds == 2.0
        # Settings through the admin store too (disabled tools, limits, LLM, …).
        from vizochok.core.admin.model import SettingsPatch

        await (await get(writer.admin_store)).update_settings(
            tenant_id, SettingsPatch(disabled_tools=["plan_meals"])
        )
        again = await cached.get(tenant_id)
        assert again is not None and again.disabled_tools == ["plan_meals"]
    finally:
        await _awaited(reader.shutdown_resources())
        await _awaited(writer.shutdown_resources())
