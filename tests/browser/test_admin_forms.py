"""The admin panel's settings form is built from `/schema`, and a transcript reads as the conversation it was."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tests.browser.test_admin_panel import owner_of_demo, sign_in
from tests.helpers import ChatClient

if TYPE_CHECKING:
    from playwright.async_api import Page

    from tests.helpers import ThreadedServer
    from vizochok.adapters.db import Database
    from vizochok.adapters.db.tenants import PostgresTenantRepository


async def test_settings_are_edited_in_fields_from_the_schema(
    page: Page,
    demo_server: ThreadedServer,
    database: Database,
    prepared: Any,
    tenant_repo: PostgresTenantRepository,
    shot: Any,
) -> None:
    await sign_in(page, demo_server.base_url, await owner_of_demo(database, demo_server, prepared))
    await page.get_by_role("link", name="Налаштування").click()
    await page.locator("#settings-form").wait_for()
    # Every limit of `Limits` is a number field; no JSON text box is left (the prompt is the one text area).
    rounds = page.locator("#f-limits-max_rounds")
    assert await rounds.get_attribute("type") == "number"
    assert await page.locator("#settings-form textarea").count() == 1
    assert await page.get_by_label("Системний промпт").count() == 1

    await rounds.fill("7")
    dictionary = page.locator("#f-search-dictionary")
    await dictionary.get_by_role("button", name="+ рядок").click()
    await dictionary.locator("input").nth(0).fill("бульба")
    await dictionary.locator("input").nth(1).fill("картопля, картоплю")
    await page.get_by_role("button", name="Зберегти").click()
    await page.get_by_text("Збережено.").wait_for()
    await shot(page, "admin-settings-form")
    tenant = await _demo_tenant(tenant_repo, prepared)
    assert tenant.limits.get("max_rounds") == 7
    assert tenant.search.get("dictionary", {}).get("бульба") == ["картопля", "картоплю"]

    # Emptying a field goes back to the plan's value: the limit is removed, not set to null.
    await page.reload()
    await page.locator("#f-limits-max_rounds").fill("")
    await page.get_by_role("button", name="Зберегти").click()
    await page.get_by_text("Збережено.").wait_for()
    tenant = await _demo_tenant(tenant_repo, prepared)
    assert "max_rounds" not in tenant.limits
    assert tenant.search.get("dictionary", {}).get("бульба") == ["картопля", "картоплю"]  # untouched


async def test_a_transcript_reads_as_a_conversation_with_raw_entries_one_click_away(
    page: Page,
    demo_server: ThreadedServer,
    database: Database,
    prepared: Any,
    demo: dict[str, Any],
    shot: Any,
) -> None:
    client, handshake = await ChatClient.connect(demo_server.ws_url, demo["apiKey"], user_id="forms-shopper")
    await client.say("покажи молоко")
    await client.close()
    conversation = next(f["conversation_id"] for f in handshake if "conversation_id" in f)

    await sign_in(page, demo_server.base_url, await owner_of_demo(database, demo_server, prepared))
    await page.goto(f"{demo_server.base_url}/admin#conversations?id={conversation}")
    transcript = page.locator("#transcript")
    await transcript.locator(".bubble.user", has_text="покажи молоко").wait_for()
    assert await transcript.locator(".bubble.bot").count() >= 1
    assert await transcript.locator(".mini-card").count() >= 1  # the product cards the shopper saw
    assert await transcript.get_by_text("search_products").count() >= 1  # the tool call
    raw = page.locator("#raw-entries .entry").first
    assert not await raw.is_visible()
    await page.locator("#raw-entries summary").click()
    await raw.wait_for()
    await shot(page, "admin-transcript")


async def _demo_tenant(tenant_repo: PostgresTenantRepository, prepared: Any) -> Any:
    import json

    tenant_id = json.loads((prepared.settings.data_dir / "demo-tenant.json").read_text())["tenant_id"]
    tenant = await tenant_repo.get(tenant_id)
    assert tenant is not None
    return tenant
