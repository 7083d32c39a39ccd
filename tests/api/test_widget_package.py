"""The widget as retailers get it: served at a versioned path, and packaged for npm with types that match."""

from __future__ import annotations

import json
import re
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from vizochok.adapters.http.widget import WIDGET_PATH, widget_script

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "vizochok" / "web" / "static" / "vizochok-widget.js"
PACKAGE = ROOT / "widget"
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


def test_the_npm_copy_is_in_sync_with_the_served_file() -> None:
    # After editing the widget: python3 widget/scripts/sync.py
    assert (PACKAGE / "vizochok-widget.js").read_bytes() == SOURCE.read_bytes()


def test_package_json_points_at_files_that_exist() -> None:
    package = json.loads((PACKAGE / "package.json").read_text())
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
        assert (PACKAGE / path).is_file(), path


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
