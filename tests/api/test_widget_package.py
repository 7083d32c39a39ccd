"""The widget as retailers get it: served at a versioned path, and packaged for npm with types that match."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from vizochok.adapters.http.widget import WIDGET_PATH, widget_script

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "vizochok" / "web" / "static" / "vizochok-widget.js"
PACKAGE = ROOT / "widget"
NPM_TIMEOUT = 60
CALLBACKS = ("onCartChanged", "onProductClick", "onSessionComplete", "onError", "onConnect", "onDisconnect")
CONFIG = (
    "apiKey",
    "storeId",
    "userId",
    "language",
    "apiBase",
    "theme",
    "position",
    "botName",
    "botAvatar",
    "placeholder",
    "welcomeMessage",
)


def declared(interface: str) -> set[str]:
    """Property names of one interface in index.d.ts."""
    text = (PACKAGE / "index.d.ts").read_text()
    body = re.search(rf"interface {interface}(?: extends \w+)? \{{(.*?)\n\}}", text, re.DOTALL)
    assert body, f"no interface {interface}"
    return set(re.findall(r"^\s+(\w+)\??:", body.group(1), re.MULTILINE))


def test_the_server_serves_the_widget_at_a_versioned_path() -> None:
    assert WIDGET_PATH == "/widget/v1/vizochok-widget.js"
    with TestClient(Litestar([widget_script])) as client:
        answer = client.get(WIDGET_PATH)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.text == SOURCE.read_text()


def packed(destination: Path) -> dict[str, bytes]:
    """Every file of the package as `npm pack` builds it (its prepack script copies the served widget in)."""
    if shutil.which("npm") is None:
        pytest.fail("this test needs node 20+ and npm on PATH (it packs the widget's npm package)")
    try:
        subprocess.run(
            ["npm", "pack", "--pack-destination", str(destination), "--no-audit", "--no-fund"],
            cwd=PACKAGE, check=True, timeout=NPM_TIMEOUT, capture_output=True,
        )  # fmt: skip
    finally:
        (PACKAGE / "vizochok-widget.js").unlink(missing_ok=True)  # postpack removes it; a failed pack may not
    (tarball,) = destination.glob("*.tgz")
    with tarfile.open(tarball) as archive:
        return {
            member.name.removeprefix("package/"): archive.extractfile(member).read()  # type: ignore[union-attr]
            for member in archive.getmembers()
            if member.isfile()
        }


def test_the_packed_package_holds_the_served_widget_and_every_file_package_json_names(tmp_path: Path) -> None:
    files = packed(tmp_path)
    # The one copy of the widget in the repository is the served one; the tarball carries it byte for byte.
    assert files["vizochok-widget.js"] == SOURCE.read_bytes()
    assert not (PACKAGE / "vizochok-widget.js").exists(), "postpack leaves no copy behind"
    package = json.loads(files["package.json"])
    assert package["name"] == "@vizochok/widget"
    version = re.search(r'const VERSION = "([^"]+)"', SOURCE.read_text())
    assert version
    assert package["version"] == version.group(1)
    entry = package["exports"]["."]
    for path in (
        package["main"],
        package["module"],
        package["types"],
        entry["import"],
        entry["require"],
        *package["files"],
    ):
        assert path.removeprefix("./") in files, path


def test_types_declare_the_documented_config_callbacks_and_payloads() -> None:
    config = declared("VIZOCHOKWidgetConfig")
    assert set(CONFIG) <= config
    assert set(CALLBACKS) <= config
    assert {"action", "sku", "name", "quantity", "price", "items", "total"} == declared("CartChangedEvent")
    assert {"sku", "name", "price", "promo_price", "brand", "quantity"} == declared("CartItem")
    product_card = declared("ProductCard")
    assert product_card == {"sku", "name", "brand", "price", "promo_price", "promo_label", "image_url", "unit",
                            "quantity_step", "min_quantity", "in_stock"}  # fmt: skip
    assert {"code", "message", "retryable", "retry_after", "limit", "max_size"} <= declared("WidgetError")


def test_every_theme_key_the_widget_reads_is_declared() -> None:
    read = set(re.findall(r"(\w+): \"--vz-[\w-]+\"", SOURCE.read_text()))
    assert read, "no theme mapping found in the widget"
    assert read == declared("ThemeConfig")


def test_the_widget_never_writes_html_strings() -> None:
    # Catalog and model text reaches the page through textContent only.
    source = SOURCE.read_text()
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", source)
