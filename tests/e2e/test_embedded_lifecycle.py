"""Embedded services end with their last user: one data folder, a server and CLI commands beside it.

`serve` starts PostgreSQL and Valkey; `tenant create` and `catalog import` on the same folder join
them (one Valkey, not a second one on the same files). Then the server is stopped with SIGTERM,
or killed with SIGKILL (it cannot clean up: the reaper does). Either way no `postgres` or
`valkey-server` of the folder is left, and nothing written is lost.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import psycopg
import pytest
from valkey import Valkey

from tests.helpers import free_port
from vizochok.adapters.embedded import EmbeddedPostgres, EmbeddedValkey

pytestmark = pytest.mark.slow

PRODUCTS = [{"sku": "m1", "name": "Молоко 2,5%"}, {"sku": "b1", "name": "Хліб житній"}]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIZOCHOK_")}
    env.update(VIZOCHOK_DATA_DIR=str(data_dir), VIZOCHOK_LOG_LEVEL="WARNING")
    return env


def _vizochok(data_dir: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vizochok.cli", *args], env=_env(data_dir), capture_output=True, text=True,
        timeout=timeout, check=False,
    )  # fmt: skip


def _postgres_of(data_dir: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["name", "cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if proc.info["name"] == "postgres" and str(data_dir / "pg") in cmdline:
            found.append(proc)
    return found


def _valkey_pid(data_dir: Path) -> int:
    return int((data_dir / "valkey" / "valkey.pid").read_text().strip())


def _gone(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() == psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return True


def _wait_ready(server: subprocess.Popen[str], port: int) -> None:
    """Until `/readyz` answers 200; fails with the server's output should it exit first."""
    deadline = time.monotonic() + 600
    while True:
        assert server.poll() is None, server.stderr.read() if server.stderr else "serve exited"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "serve did not become ready"
        time.sleep(0.5)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_services_end_with_their_last_user_and_keep_their_data(tmp_path: Path, stop: signal.Signals) -> None:
    data_dir = tmp_path / "data"
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "vizochok.cli", "serve", "--port", str(port)],
        env=_env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_ready(server, port)
        valkey_pid = _valkey_pid(data_dir)
        postmaster = int((data_dir / "pg" / "postmaster.pid").read_text().split()[0])

        created = _vizochok(data_dir, "tenant", "create", "--name", "Лавка", "--store-id", "lavka", "--json")
        assert created.returncode == 0, created.stderr
        tenant = json.loads(created.stdout)["tenant_id"]
        catalog = tmp_path / "catalog.json"
        catalog.write_text(json.dumps(PRODUCTS), "utf-8")
        imported = _vizochok(
            data_dir, "catalog", "import", str(catalog), "--tenant", tenant, "--timeout", "600"
        )
        assert imported.returncode == 0, imported.stderr

        # The commands joined the server's Valkey and left it running for the server.
        assert _valkey_pid(data_dir) == valkey_pid
        assert not _gone(valkey_pid)
        assert not _gone(postmaster)
        valkey_port = int((data_dir / "valkey" / "valkey.port").read_text())
        Valkey(port=valkey_port).set("lifecycle:probe", "kept")

        server.send_signal(stop)
        server.wait(timeout=120)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()

    # SIGTERM: the server stops both as their last user; SIGKILL: the reaper notices within a second.
    deadline = time.monotonic() + 120
    while not (_gone(valkey_pid) and _gone(postmaster) and not _postgres_of(data_dir)):
        assert time.monotonic() < deadline, "an embedded service outlived its last user"
        time.sleep(0.2)

    # Nothing lost: the tenant, its products and the cache's data are there at the next start.
    postgres, valkey = EmbeddedPostgres(data_dir), EmbeddedValkey(data_dir)
    admin, _ = postgres.start()
    url = valkey.start()
    try:
        with psycopg.connect(admin) as conn:
            products = conn.execute(
                "SELECT count(*) FROM products WHERE tenant_id = %s", (tenant,)
            ).fetchone()
        assert products == (2,)
        assert Valkey.from_url(url, decode_responses=True).get("lifecycle:probe") == "kept"
    finally:
        valkey.stop()
        postgres.stop()
    assert not _postgres_of(data_dir)
