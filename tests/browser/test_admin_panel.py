"""The admin panel in a real browser: sign in, the main pages, a key shown once, the webhooks test button."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

import httpx

from vizochok.adapters.admin.passwords import Argon2Passwords
from vizochok.adapters.db.admin import PostgresAdminStore

if TYPE_CHECKING:
    from playwright.async_api import Page

    from tests.helpers import ThreadedServer
    from vizochok.adapters.db import Database

PASSWORD = "panel password 42"


async def owner_of_demo(database: Database, demo_server: ThreadedServer, prepared: Any) -> str:
    """An owner of the demo tenant (which has conversations and usage)."""
    import json

    tenant = json.loads((prepared.settings.data_dir / "demo-tenant.json").read_text())["tenant_id"]
    email = f"owner-{secrets.token_hex(3)}@demo.ua"
    await PostgresAdminStore(database).create_user(
        tenant, email, await Argon2Passwords().hash(PASSWORD), "owner"
    )
    return email


async def sign_in(page: Page, base: str, email: str) -> None:
    await page.goto(base + "/admin")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Пароль").fill(PASSWORD)
    await page.get_by_role("button", name="Увійти").click()
    await page.get_by_role("heading", name="Огляд за 30 днів").wait_for()


async def test_sign_in_and_the_main_pages(
    page: Page,
    demo_server: ThreadedServer,
    database: Database,
    prepared: Any,
    demo: dict[str, Any],
    shot: Any,
) -> None:
    # Some traffic first, so that the charts and the conversation list have something to show.
    from tests.helpers import ChatClient

    client, _ = await ChatClient.connect(demo_server.ws_url, demo["apiKey"], user_id="panel-shopper")
    await client.say("додай молоко")
    await client.close()

    email = await owner_of_demo(database, demo_server, prepared)
    await page.goto(demo_server.base_url + "/admin")
    await page.get_by_label("Пароль").fill("wrong password")
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("button", name="Увійти").click()
    await page.get_by_text("Невірний email або пароль.").wait_for()
    await shot(page, "admin-login-error")

    await sign_in(page, demo_server.base_url, email)
    assert await page.get_by_text("Додано в кошик").count() == 1
    await shot(page, "admin-overview", full_page=True)

    await page.get_by_role("link", name="Розмови").click()
    await page.get_by_role("heading", name="Розмови").wait_for()
    await page.get_by_role("cell", name="додай молоко").first.wait_for()
    await page.locator("a[href^='#conversations?id=']").first.click()
    await page.get_by_text("search_products").first.wait_for()
    await shot(page, "admin-transcript", full_page=True)

    await page.get_by_role("link", name="Каталог").click()
    await page.get_by_role("heading", name="Завантаження каталогу").wait_for()
    assert await page.get_by_role("cell", name="complete").count() >= 1  # the demo catalog's job

    await page.get_by_role("link", name="Рахунки").click()
    await page.get_by_role("link", name="Завантажити CSV").wait_for()
    await page.get_by_role("link", name="Журнал змін").click()
    await page.get_by_role("cell", name="login").first.wait_for()
    await shot(page, "admin-audit")


async def test_a_new_key_is_shown_once_and_works(
    page: Page, demo_server: ThreadedServer, database: Database, prepared: Any, shot: Any
) -> None:
    await sign_in(page, demo_server.base_url, await owner_of_demo(database, demo_server, prepared))
    await page.get_by_role("link", name="API-ключі").click()
    await page.get_by_label("Тип").select_option("sk")
    await page.get_by_label("Скоупи").fill("catalog")
    await page.get_by_label("Назва").fill("browser test")
    await page.get_by_role("button", name="Створити").click()
    key = await page.locator("#new-key").inner_text()
    assert key.startswith("sk_live_")
    await shot(page, "admin-key-created")
    async with httpx.AsyncClient(base_url=demo_server.base_url) as http:
        assert (
            await http.get("/api/v1/catalog/jobs", headers={"Authorization": f"Bearer {key}"})
        ).status_code == 200
    await page.reload()
    await page.get_by_role("heading", name="API-ключі").wait_for()
    assert key not in await page.content()


async def test_settings_and_the_webhooks_test_button(
    page: Page, demo_server: ThreadedServer, database: Database, prepared: Any, shot: Any
) -> None:
    await sign_in(page, demo_server.base_url, await owner_of_demo(database, demo_server, prepared))
    await page.get_by_role("link", name="Налаштування").click()
    await page.get_by_label("Системний промпт").fill("Ви — помічник Демо-маркету.")
    await page.get_by_role("button", name="Зберегти").click()
    await page.get_by_text("Збережено.").wait_for()

    await page.get_by_role("link", name="Вебхуки").click()
    await page.get_by_role("button", name="Тест").click()
    result = page.locator("#test-result")
    await result.wait_for()
    text = await result.inner_text()
    assert '"ok": true' in text and '"status": 200' in text
    await shot(page, "admin-webhooks-test")
