"""The Valkey client of a process: one server, or a cluster chosen by the URL.

- `redis://`, `rediss://`, `valkey://`, `valkeys://`, `unix://` — one server (or a primary with
  replicas behind one address), through a blocking pool;
- `valkey+cluster://host:port[,host:port…]` (also `redis+cluster://`), and `valkeys+cluster://`
  (`rediss+cluster://`) with TLS — a Valkey cluster; the hosts are seed nodes, the client learns
  the rest of the cluster from them.

Every key a tenant's chat uses carries the tenant as a hash tag (`session:{tnt_…}:conv_…`), so a
tenant's keys share one slot and each script touches one slot. The price: one tenant's chat lives
on one primary (docs/operations.md, "Valkey cluster").
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from valkey.asyncio import BlockingConnectionPool, Valkey
from valkey.asyncio.cluster import ClusterNode, ClusterPipeline, ValkeyCluster
from valkey.exceptions import ClusterDownError, ClusterError, TryAgainError
from valkey.exceptions import ConnectionError as ValkeyConnectionError
from valkey.exceptions import TimeoutError as ValkeyTimeoutError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

_log = logging.getLogger(__name__)

CLUSTER_SCHEMES = {
    "valkey+cluster": False,
    "redis+cluster": False,
    "valkeys+cluster": True,
    "rediss+cluster": True,
}
"""Cluster URL schemes, and whether each uses TLS."""

_TLS_OPTIONS = ("ssl_ca_certs", "ssl_certfile", "ssl_keyfile", "ssl_cert_reqs", "ssl_check_hostname")

# While a primary fails over, its slots answer nothing (connection refused) or CLUSTERDOWN for
# about `cluster-node-timeout` plus an election. The client's own retries are immediate, so they
# would all fail inside that gap: commands wait and try again until this deadline instead.
_FAILOVER_ERRORS = (ValkeyConnectionError, ValkeyTimeoutError, ClusterDownError, ClusterError, TryAgainError)


def tenant_tag(tenant_id: str) -> str:
    """The hash tag of a tenant's keys: a cluster keeps every key holding it in one slot."""
    return "{" + tenant_id + "}"


def is_cluster_url(url: str) -> bool:
    """Whether the URL names a Valkey cluster."""
    return url.split("://", 1)[0].lower() in CLUSTER_SCHEMES


def parse_cluster_url(url: str) -> dict[str, Any]:
    """Seed nodes, credentials and TLS options of a cluster URL (keyword arguments of `ValkeyCluster`)."""
    scheme, rest = url.split("://", 1)
    tls = CLUSTER_SCHEMES[scheme.lower()]
    # urlsplit keeps several hosts in one netloc; its `hostname` and `port` would read only one.
    parts = urlsplit("x://" + rest)
    userinfo, _, hosts = parts.netloc.rpartition("@")
    username, _, password = userinfo.partition(":")
    nodes = []
    for item in hosts.split(","):
        host, _, port = item.strip().rpartition(":")
        if not host or not port.isdigit():
            msg = f"a cluster URL lists seed nodes as host:port, got {item!r}"
            raise ValueError(msg)
        nodes.append(ClusterNode(host.strip("[]"), int(port)))
    if parts.path not in ("", "/", "/0"):
        msg = "a Valkey cluster has only database 0"
        raise ValueError(msg)
    options: dict[str, Any] = {"startup_nodes": nodes, "ssl": tls}
    if username:
        options["username"] = unquote(username)
    if password:
        options["password"] = unquote(password)
    for name, values in parse_qs(parts.query).items():
        if name in _TLS_OPTIONS:
            options[name] = (
                values[-1] if name != "ssl_check_hostname" else values[-1].lower() in ("1", "true", "yes")
            )
    return options


class _WaitingPipeline(ClusterPipeline):
    """A pipeline that takes one of the client's permits while it runs (at most one connection per node)."""

    async def execute(self, raise_on_error: bool = True, allow_redirections: bool = True) -> list[Any]:
        client: WaitingValkeyCluster = self._client  # type: ignore[assignment]
        # valkey-py empties the command stack after every attempt, failed ones included: keep it.
        commands = list(self._command_stack)

        async def attempt() -> list[Any]:
            self._command_stack = list(commands)
            results: list[Any] = await ClusterPipeline.execute(self, raise_on_error, allow_redirections)
            return results

        async with client.permits:
            done: list[Any] = await client.through_failover(attempt)
            return done


class WaitingValkeyCluster(ValkeyCluster):
    """A cluster client whose connection limit waits instead of failing, and that rides out a failover.

    valkey-py's cluster client has no blocking pool: past `max_connections` on a node it raises
    `MaxConnectionsError`. Here every command and pipeline first takes a permit from a semaphore of
    `pool_size`; a command uses one connection of one node, a pipeline at most one per node, so no
    node ever sees more than `pool_size` connections from this process and a burst waits its turn.
    """

    def __init__(
        self, *, pool_size: int, failover_seconds: float = 15.0, replica_acks: int = 1, **kwargs: Any
    ) -> None:
        # Headroom over the permits for the topology refreshes the client runs on its own.
        super().__init__(max_connections=pool_size + 4, **kwargs)
        self.permits = asyncio.Semaphore(pool_size)
        self.failover_seconds = failover_seconds
        self.replica_acks = replica_acks

    async def execute_command(self, *args: Any, **kwargs: Any) -> Any:
        """Any command, once a permit is free, retried through a failover."""
        async with self.permits:
            return await self.through_failover(super().execute_command, *args, **kwargs)

    async def through_failover(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        """Run `call`; while the cluster fails over, wait (backing off) and run it again, up to a deadline.

        A command whose connection broke after it was sent may have run: a retried `INCRBY` can
        count twice. Keys are overwritten (sessions) or compare-and-deleted (locks), so only
        counters are at risk, and only across a failover.
        """
        deadline = time.monotonic() + self.failover_seconds
        delay = 0.05
        while True:
            try:
                return await call(*args, **kwargs)
            except _FAILOVER_ERRORS as error:
                if time.monotonic() + delay > deadline:
                    raise
                _log.warning(
                    "Valkey cluster unavailable (%s); retrying in %.2f s", type(error).__name__, delay
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    def pipeline(self, transaction: Any | None = None, shard_hint: Any | None = None) -> ClusterPipeline:
        """A non-transactional pipeline (a cluster has no cross-slot MULTI) that waits for a permit."""
        if transaction or shard_hint:
            msg = "a Valkey cluster has no cross-slot transactions; use a script on one slot"
            raise ValueError(msg)
        return _WaitingPipeline(self)  # type: ignore[abstract]  # valkey's stubs call `encoder` abstract; it is set

    async def replicate(self, key: str) -> int:
        """Wait until `replica_acks` replicas of `key`'s primary hold every write made so far (WAIT).

        Replication is asynchronous: without this, a primary that dies right after acknowledging a
        turn could take the turn's session with it. Gives up after 500 ms (a replica that is down
        must not stop the chat) and answers how many replicas acknowledged.
        """
        if self.replica_acks <= 0:
            return 0
        node = self.get_node_from_key(key)
        async with self.permits:
            try:
                return int(await self.execute_command_on(node, "WAIT", self.replica_acks, 500))
            except _FAILOVER_ERRORS:
                return 0

    async def execute_command_on(self, node: ClusterNode | None, *args: Any) -> Any:
        """One command on one node (the caller holds a permit); valkey-py routes it when `node` is None."""
        return await super().execute_command(*args, target_nodes=node)


def cluster_client(url: str, pool_size: int, *, replica_acks: int = 1) -> WaitingValkeyCluster:
    """A cluster client for a `valkey+cluster://` URL."""
    return WaitingValkeyCluster(
        pool_size=pool_size, replica_acks=replica_acks, decode_responses=True,
        # The default 5 s socket timeout holds a turn that long against a primary that vanished
        # without closing its connections; a cluster notices a dead node within its node timeout.
        socket_timeout=5, socket_connect_timeout=2, **parse_cluster_url(url),
    )  # fmt: skip


async def open_valkey(url: str, pool_size: int, *, replica_acks: int = 1) -> AsyncIterator[Any]:
    """The process's client (a resource: closed when the app stops)."""
    if is_cluster_url(url):
        client = cluster_client(url, pool_size, replica_acks=replica_acks)
        await client.initialize()
        yield client
        await client.aclose()
        return
    # A bounded pool: a burst (10,000 sockets closing at once) waits for a connection instead of
    # opening thousands and running into Valkey's `maxclients`.
    pool = BlockingConnectionPool.from_url(url, decode_responses=True, max_connections=pool_size, timeout=30)
    single = Valkey(connection_pool=pool)
    yield single
    await single.aclose()
    await pool.disconnect()


async def replicate(client: Any, key: str) -> None:
    """WAIT for replicas on a cluster; nothing on one server (its replicas, if any, are the operator's)."""
    if isinstance(client, WaitingValkeyCluster):
        await client.replicate(key)
