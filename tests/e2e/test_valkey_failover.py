"""A Valkey cluster loses the primary that holds a conversation, mid-conversation: the chat goes on.

Two app processes on a 3-primary (+3 replicas) cluster, as docs/operations.md's topology, scaled
down. A turn is acknowledged (`response_complete`) only after a replica holds its end (WAIT), so
the replica that takes over has every acknowledged cart change.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pytest
import valkey

from tests.e2e.test_many_processes import ServerProcess, two_processes
from tests.helpers import ChatClient
from vizochok.adapters.embedded_cluster import ClusterNodeProcess, LocalValkeyCluster

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.helpers import ThreadedServer
    from vizochok.bootstrap import Prepared

pytestmark = pytest.mark.asyncio


@pytest.fixture(scope="module")
def own_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalValkeyCluster]:
    """A cluster of this module's own: the test kills one of its primaries."""
    cluster = LocalValkeyCluster(tmp_path_factory.mktemp("failover")).start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def on_cluster(
    prepared: Prepared,
    demo_server: ThreadedServer,
    own_cluster: LocalValkeyCluster,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[list[ServerProcess]]:
    with two_processes(
        prepared, tmp_path_factory.mktemp("failover-workers"), VIZOCHOK_VALKEY_URL=own_cluster.url
    ) as servers:
        yield servers


def holder_of(cluster: LocalValkeyCluster, pattern: str) -> tuple[ClusterNodeProcess, str]:
    """The primary that holds the one key matching `pattern`, and the key."""
    for node in cluster.nodes:
        # Any: valkey's synchronous client types its answers for the async client too, and `close` not at all.
        client: Any = valkey.Valkey(host="127.0.0.1", port=node.port, decode_responses=True)
        try:
            if client.info("replication")["role"] != "master":
                continue
            found = client.keys(pattern)
            if found:
                return node, found[0]
        finally:
            client.close()
    msg = f"no key {pattern}"
    raise LookupError(msg)


async def test_a_primary_killed_mid_conversation_loses_nothing_acknowledged(
    on_cluster: list[ServerProcess], own_cluster: LocalValkeyCluster, demo: dict[str, Any]
) -> None:
    a, b = on_cluster
    auth = {"store_id": demo["storeId"], "user_id": f"failover-{a.port}"}
    client, hello = await ChatClient.connect(a.ws_url, demo["apiKey"], **auth)
    conversation = hello[1]["conversation_id"]
    frames = await client.say("додай два молока Галичина 2,5%")
    sku = next(f for f in frames if f["type"] == "cart_changed")["sku"]
    assert frames[-1]["type"] == "response_complete"

    primary, key = holder_of(own_cluster, f"session:*:{conversation}")
    assert key.startswith("session:{tnt_")  # the tenant's hash tag
    own_cluster.kill(primary)
    killed_at = time.monotonic()

    # At once, on the same socket: the turn waits out the failover and goes on with the session.
    frames = await client.turn({"type": "action", "action": "add_to_cart", "sku": sku, "quantity": 1})
    assert [f["quantity"] for f in frames if f["type"] == "cart_changed"] == [3]
    assert frames[-1] == {"type": "response_complete", "conversation_id": conversation}
    waited = time.monotonic() - killed_at
    assert own_cluster.wait_serving(key).port != primary.port  # a replica took the slot over
    await client.close()

    # The other process restores what both turns acknowledged, from the promoted replica.
    again, hello = await ChatClient.connect(b.ws_url, demo["apiKey"], conversation_id=conversation, **auth)
    assert hello[1]["type"] == "session_restored"
    assert [(i["sku"], i["quantity"]) for i in hello[1]["selected_items"]] == [(sku, 3)]
    frames = await again.say("що в кошику?")
    assert frames[-1] == {"type": "response_complete", "conversation_id": conversation}
    await again.close()
    assert waited < 15, waited
