"""The cluster client: chosen by the URL, one slot per tenant, limits that wait, no cross-slot transactions."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest
from valkey.crc import key_slot

from vizochok.adapters.admin.sessions import ValkeyLoginThrottle
from vizochok.adapters.embedded_cluster import LocalValkeyCluster
from vizochok.adapters.session.valkey import lock_key, session_key
from vizochok.adapters.usage.valkey import tokens_key, user_key, window_key
from vizochok.adapters.valkey_client import (
    WaitingValkeyCluster,
    cluster_client,
    is_cluster_url,
    open_valkey,
    parse_cluster_url,
)
from vizochok.adapters.webhook.valkey_stats import latency_key, stats_key


def test_the_url_chooses_a_cluster_and_names_its_seeds() -> None:
    assert is_cluster_url("valkey+cluster://a:7000,b:7001")
    assert is_cluster_url("valkeys+cluster://a:7000")
    assert not is_cluster_url("redis://a:6379/0") and not is_cluster_url("valkey://a:6379")
    options = parse_cluster_url(
        "valkeys+cluster://app:p%40ss@10.0.0.1:7000,[::1]:7001,cache-3:7002?ssl_ca_certs=/etc/ca.pem"
    )
    assert [(n.host, n.port) for n in options["startup_nodes"]] == [
        ("10.0.0.1", 7000),
        ("::1", 7001),
        ("cache-3", 7002),
    ]
    assert (options["ssl"], options["username"], options["password"], options["ssl_ca_certs"]) == (
        True,
        "app",
        "p@ss",
        "/etc/ca.pem",
    )
    assert parse_cluster_url("valkey+cluster://a:7000")["ssl"] is False
    for bad in ("valkey+cluster://a", "valkey+cluster://a:7000/3", "valkey+cluster://a:x"):
        with pytest.raises(ValueError, match=r"host:port|database 0"):
            parse_cluster_url(bad)


def test_every_key_of_a_tenant_hashes_to_the_tenant_slot() -> None:
    """Scripts name the session, lock, window, counters (and their placeholders) at once: one slot each."""
    tenant = f"tnt_{secrets.token_hex(6)}"
    keys = [
        session_key(tenant, "conv_1"), session_key(tenant, "-"), lock_key(tenant, "conv_1"),
        window_key(tenant, "socket:abc"), window_key(tenant, "-"),
        user_key(tenant, "u1", "2026-03-01", "msgs"), user_key(tenant, "-", "-", "convs"),
        tokens_key(tenant, "2026-03-01"), tokens_key(tenant, "-"),
        stats_key(tenant, "cart"), latency_key(tenant, "cart"),
    ]  # fmt: skip
    assert {key_slot(k.encode()) for k in keys} == {key_slot(tenant.encode())}
    assert all("{" + tenant + "}" in k for k in keys)


async def test_a_connection_limit_waits_instead_of_failing(valkey_cluster: Any) -> None:
    """valkey-py's cluster client raises MaxConnectionsError past its limit; ours queues the burst."""
    client = cluster_client(valkey_cluster.url, pool_size=2)
    await client.initialize()
    try:
        keys = [f"burst:{{t{i % 7}}}:{i}" for i in range(300)]
        await asyncio.gather(*(client.set(k, "1", ex=30) for k in keys))
        async with client.pipeline() as pipe:
            for k in keys[:50]:
                pipe.get(k)
            assert await pipe.execute() == ["1"] * 50
        for node in client.get_nodes():
            assert len(node._connections) <= 2 + 4
    finally:
        await client.aclose()


async def test_the_cluster_client_refuses_a_transaction(valkey_cluster: Any) -> None:
    async for client in open_valkey(valkey_cluster.url, pool_size=4):
        assert isinstance(client, WaitingValkeyCluster)
        with pytest.raises(ValueError, match="cross-slot"):
            client.pipeline(transaction=True)
        assert await client.replicate("{t}x") == 1  # one replica per primary acknowledges


async def test_the_login_throttle_counts_on_one_server_and_on_a_cluster(any_valkey: Any) -> None:
    """Both counters carry one hash tag, so its one script runs on a cluster too (a two-key MULTI was refused)."""
    throttle = ValkeyLoginThrottle(any_valkey, attempts=2, window=60)
    email, address = (
        f"{secrets.token_hex(4)}@shop.example",
        f"10.0.{secrets.randbelow(250)}.{secrets.randbelow(250)}",
    )
    assert await throttle.attempt(email, address) == 0
    assert await throttle.attempt(email, address) == 0
    assert 55 <= await throttle.attempt(email, address) <= 60  # the third within the window waits
    await throttle.succeeded(email, address)
    assert await throttle.attempt(email, address) == 0


async def test_pipelines_and_scripts_ride_out_a_failover(tmp_path: Any) -> None:
    """A killed primary: commands to its slots wait for the replica to take over, then run (nothing lost)."""
    cluster = LocalValkeyCluster(tmp_path).start()
    try:
        client = cluster_client(cluster.url, pool_size=4)
        await client.initialize()
        await client.set("{victim}:a", "1")
        assert await client.replicate("{victim}:a") == 1
        cluster.kill(cluster.primary_of("{victim}:a"))
        async with client.pipeline() as pipe:  # valkey-py drops a pipeline's commands after a failed try
            pipe.get("{victim}:a")
            pipe.incr("{victim}:n")
            pipe.set("{other}:b", "2")
            assert await pipe.execute() == ["1", 1, True]
        # valkey-py types `register_script` for its single-node client only; the cluster inherits it.
        script = client.register_script("return redis.call('INCRBY', KEYS[1], ARGV[1])")  # type: ignore[misc]
        assert await script(keys=["{victim}:n"], args=[5]) == 6
        await client.aclose()
    finally:
        cluster.stop()
