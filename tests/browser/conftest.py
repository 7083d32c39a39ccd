"""A real browser for the widget: Debian's Chromium, headless, driven by Playwright (never its own downloads)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

HOW_TO_INSTALL = (
    "the browser tests need Debian's Chromium and the `playwright` Python package: run `./dev test`, "
    "which installs both (apt-get install chromium; pip install -e '.[test]'), "
    "or set VIZOCHOK_CHROMIUM to a Chromium binary"
)

try:
    from playwright.async_api import async_playwright, expect
except ImportError as exc:  # fail the run loudly, never skip
    raise ImportError(f"playwright is not installed: {HOW_TO_INSTALL}") from exc

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from playwright.async_api import Browser, Locator, Page

    from tests.helpers import ThreadedServer

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # Without these Chromium reaches out to Google's services, and this network refuses them.
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def chromium_path() -> str:
    """Debian's Chromium; the tests fail (never skip) without it, saying what to install."""
    path = os.environ.get("VIZOCHOK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail(f"Chromium not found: {HOW_TO_INSTALL}", pytrace=False)
    return path


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium for the session."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A fresh shopper: its own context, so its own localStorage, sessionStorage and user id."""
    context = await browser.new_context(viewport={"width": 1280, "height": 860}, locale="uk-UA")
    context.set_default_timeout(30_000)
    expect.set_options(timeout=20_000)  # other test runs may share the machine's two cores
    shopper = await context.new_page()
    errors: list[str] = []
    shopper.on("pageerror", lambda exc: errors.append(str(exc)))
    # Our pages run under a Content-Security-Policy: anything it blocks would show here.
    shopper.on(
        "console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    yield shopper
    await context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def shot() -> Any:
    """Save a screenshot to test-output/screenshots/NAME.png.

    Usage: `await shot(page_or_locator, "name")`.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    async def save(target: Page | Locator, name: str, **options: Any) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        options.setdefault("animations", "disabled")  # finished animations, not a half-faded panel
        await target.screenshot(path=str(path), **options)
        return path

    return save


@pytest.fixture
def storefront(demo_server: ThreadedServer) -> str:
    """The demo shop's URL."""
    return demo_server.base_url + "/"
