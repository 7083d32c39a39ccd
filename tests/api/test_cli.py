"""The command line, as an operator runs it: a separate process with its own embedded services."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vizochok.cli.main import build_parser


def run(
    *args: str, data_dir: Path, timeout: float = 120, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIZOCHOK_")}
    env["VIZOCHOK_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "vizochok.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
        input=stdin,
    )


@pytest.mark.slow
def test_tenant_create_and_catalog_import(tmp_path: Path) -> None:
    created = run(
        "tenant", "create", "--name", "Сільпо тест", "--store-id", "silpo-1", "--json", data_dir=tmp_path
    )
    assert created.returncode == 0, created.stderr
    tenant = json.loads(created.stdout)
    assert set(tenant) == {"tenant_id", "store_id", "public_key", "secret_key", "webhook_secret"}
    assert len(tenant["webhook_secret"]) >= 32  # shown once, to verify signatures with (docs/webhooks.md)
    assert tenant["public_key"].startswith("pk_") and tenant["secret_key"].startswith("sk_")
    assert tenant["store_id"] == "silpo-1"

    products = tmp_path / "products.csv"
    products.write_text(
        "sku,name,brand,volume,attributes,is_active\n"
        'c1,Молоко Галичина 2.5%,Галичина,900,"{""fat"": ""2.5%""}",true\n'
        "c2,Кефір Ферма,Ферма,,,\n"
        ",no sku,,,,\n",
        encoding="utf-8",
    )
    imported = run("catalog", "import", str(products), "--tenant", tenant["tenant_id"], data_dir=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert f"imported 2 products into {tenant['tenant_id']}; 1 rejected" in imported.stdout
    assert "embedding" in imported.stderr  # the progress bar

    user = run("admin", "create-user", "--email", "Owner@Shop.ua", "--tenant", tenant["tenant_id"], "--password-stdin",
               data_dir=tmp_path, stdin="a long enough password\n")  # fmt: skip
    assert user.returncode == 0, user.stderr
    assert json.loads(user.stdout)["email"] == "owner@shop.ua" and json.loads(user.stdout)["role"] == "owner"
    short = run("admin", "create-user", "--email", "x@shop.ua", "--tenant", tenant["tenant_id"], "--password-stdin",
                data_dir=tmp_path, stdin="short\n")  # fmt: skip
    assert short.returncode == 1 and "at least 10 characters" in short.stderr

    unknown = run("catalog", "import", str(products), "--tenant", "tnt_nope", data_dir=tmp_path)
    assert unknown.returncode == 2
    assert "no tenant 'tnt_nope'" in unknown.stderr


def test_every_documented_command_parses() -> None:
    parser = build_parser()
    assert parser.parse_args(["serve", "--workers", "2"]).workers == 2
    assert parser.parse_args(["demo", "--port", "9000"]).port == 9000
    assert parser.parse_args(["tenant", "create", "--name", "n", "--store-id", "s", "--json"]).json is True
    assert parser.parse_args(["catalog", "import", "f.json", "--tenant", "t"]).tenant == "t"


@pytest.mark.slow
def test_serve_stopped_with_sigterm_stops_its_embedded_services(tmp_path: Path) -> None:
    """Systemd and Docker stop with SIGTERM: the embedded PostgreSQL and Valkey must not outlive the server."""
    import signal
    import time

    import httpx

    from tests.helpers import free_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIZOCHOK_")} | {
        "VIZOCHOK_DATA_DIR": str(tmp_path)
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "vizochok.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        postmaster = int((tmp_path / "pg" / "postmaster.pid").read_text().split()[0])
        valkey = int((tmp_path / "valkey" / "valkey.pid").read_text().strip())
        server.send_signal(signal.SIGTERM)
        assert server.wait(60) == 128 + signal.SIGTERM
    finally:
        server.kill()
    for pid in (postmaster, valkey):
        for _ in range(50):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            pytest.fail(f"embedded service {pid} still runs after the server stopped")
