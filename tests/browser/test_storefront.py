"""The demo storefront and the widget in headless Chromium: what a shopper sees and does."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import pytest
from playwright.async_api import expect

from vizochok.core.errors import ErrorCode

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page

pytestmark = pytest.mark.asyncio

OPEN = "Відкрити чат з помічником"
ROOT = "document.querySelector('[data-vizochok-widget]').shadowRoot"
HTTP_ONLY = {
    "unauthorized",
    "forbidden",
    "not_found",
    "validation_error",
    "payload_too_large",
    "webhook_url_rejected",
    "service_unavailable",
    "email_taken",
    "unsupported_media_type",
}


async def open_chat(page: Page) -> Locator:
    """Open the floating widget; returns its message box."""
    await page.get_by_role("button", name=OPEN).click()
    box = page.get_by_role("textbox", name="Повідомлення помічнику")
    await expect(box).to_be_visible()
    return box


async def settled(page: Page) -> None:
    """Wait until no message or action is in flight (the log is `aria-busy` while one is)."""
    # A meal plan searches and prices dozens of products: allow for a busy machine (a turn may take 120 s).
    await page.wait_for_function(
        f"() => {ROOT}.querySelector('.log').getAttribute('aria-busy') === 'false'", timeout=90_000
    )


async def ask(page: Page, text: str) -> None:
    """Type a message, press Enter and wait for the whole answer."""
    box = page.get_by_role("textbox", name="Повідомлення помічнику")
    await box.fill(text)
    await box.press("Enter")
    await settled(page)


async def shopper_id(page: Page, store_id: str) -> str:
    # The demo page signs in a demo customer of its own (docs/identity.md): the widget's `userId`.
    return str(await page.evaluate("() => widget.userId"))


async def test_storefront_shows_the_catalog_with_live_prices(
    page: Page, storefront: str, demo: dict[str, Any], shot: Any
) -> None:
    await page.goto(storefront)
    cards = page.locator("#grid article.product")
    await expect(cards.first).to_be_visible()
    retailer = demo["retailer"].products
    assert await cards.count() == len(retailer)
    assert await page.locator("#cats button").count() > 10
    await expect(page.locator("#cart-count")).to_have_text("0")

    # The first milk on the shelf shows the retailer's promo price and label.
    milk = page.locator("#grid article[data-sku='milk-galychyna-25-900']")
    await expect(milk.locator(".label")).to_have_text(retailer["milk-galychyna-25-900"]["promo_label"])
    await expect(milk.locator(".price")).to_contain_text("44,96")
    await expect(milk.locator(".old")).to_contain_text("52,90")

    # The widget is a real button with an accessible name, inside an open shadow root.
    launcher = page.get_by_role("button", name=OPEN)
    await expect(launcher).to_have_attribute("aria-expanded", "false")
    assert await page.evaluate(f"() => {ROOT}.mode") == "open"
    await shot(page, "01-storefront")

    # Category navigation filters the grid.
    await page.get_by_role("button", name=re.compile("Сири")).click()
    await expect(page.locator("#shelf-title")).to_have_text("Сири")
    assert 0 < await cards.count() < len(retailer)


async def test_asking_in_ukrainian_streams_text_and_shows_cards(
    page: Page, storefront: str, demo: dict[str, Any], shot: Any
) -> None:
    await page.goto(storefront)
    box = await open_chat(page)
    assert (
        await page.evaluate(f"() => {ROOT}.activeElement?.tagName") == "TEXTAREA"
    )  # focus moved into the chat
    await shot(page, "02-chat-open")

    # Count the bubble's updates while the answer streams in.
    await page.evaluate(f"""() => {{
        window.__vzUpdates = 0;
        new MutationObserver(records => {{
            for (const r of records) if (r.target.classList?.contains('bot')) window.__vzUpdates++;
        }}).observe({ROOT}.querySelector('.log'), {{ childList: true, subtree: true, characterData: true }});
    }}""")
    await box.fill("покажи молоко")
    await box.press("Enter")
    card = page.locator("article.card").first
    await expect(card).to_be_visible()
    await settled(page)

    updates = await page.evaluate("() => window.__vzUpdates")
    assert updates > 3, f"the answer arrived in {updates} piece(s), not streamed"
    answer = page.locator(".msg.bot").last
    await expect(answer).to_contain_text("молоко")
    # The screen reader's live region got the whole answer once it ended.
    live = page.locator(".sr[role=status]")
    await expect(live).to_contain_text("молоко")

    cards = page.locator("article.card")
    assert await cards.count() >= 3
    retailer = demo["retailer"].products
    for index in range(await cards.count()):
        item = cards.nth(index)
        sku = await item.get_attribute("data-sku")
        live_price = retailer[sku].get("promo_price") or retailer[sku]["price"]
        assert f"{live_price:.2f}".replace(".", ",") in await item.locator(".price").inner_text()
        name = await item.get_attribute("aria-label")
        await expect(item.get_by_role("button", name=f"Додати до кошика: {name}")).to_be_visible()
    await shot(page, "03-product-cards")


async def test_the_stepper_and_add_change_the_header_badge(
    page: Page, storefront: str, demo: dict[str, Any], shot: Any
) -> None:
    await page.goto(storefront)
    await open_chat(page)
    await ask(page, "покажи молоко")
    card = page.locator("article.card").first
    name = await card.get_attribute("aria-label")
    sku = await card.get_attribute("data-sku")
    quantity = card.locator("output")
    await expect(quantity).to_have_text("1 шт")
    await expect(card.get_by_role("button", name=f"Менше: {name}")).to_be_disabled()  # not below the minimum
    await card.get_by_role("button", name=f"Більше: {name}").click()
    await card.get_by_role("button", name=f"Більше: {name}").click()
    await card.get_by_role("button", name=f"Менше: {name}").click()
    await expect(quantity).to_have_text("2 шт")

    await page.evaluate("""() => { window.__vzCalls = [];
        const page = widget.config.onCartChanged;
        widget.config.onProductClick = (p) => __vzCalls.push(['product', p]);
        widget.config.onCartChanged = (c) => { __vzCalls.push(['cart', c]); page(c); };
        widget.config.onSessionComplete = (s) => __vzCalls.push(['complete', s]); }""")
    await card.get_by_role("button", name=f"Додати до кошика: {name}").click()
    await expect(page.locator("#cart-count")).to_have_text("2")  # the host page, through onCartChanged
    live = demo["retailer"].products[sku]
    total = f"{2 * (live.get('promo_price') or live['price']):.2f}".replace(".", ",")
    await expect(page.locator("#cart-total")).to_contain_text(total)
    await expect(page.locator(".cartbar")).to_contain_text("У кошику 2")  # the widget's own badge
    user = await shopper_id(page, demo["storeId"])
    assert demo["retailer"].carts[(demo["storeId"], user)] == {sku: 2}  # the retailer's cart, via the webhook
    await settled(page)
    calls = dict(await page.evaluate("() => __vzCalls"))
    assert calls["product"]["sku"] == sku
    assert calls["product"]["quantity"] == 2  # what the stepper showed
    assert calls["cart"]["action"] == "item_selected"
    assert (calls["cart"]["sku"], calls["cart"]["quantity"]) == (sku, 2)
    assert calls["cart"]["items"] == [{"sku": sku, "name": name, "price": live["price"],
                                       "promo_price": live.get("promo_price"),
                                       "brand": calls["cart"]["items"][0]["brand"], "quantity": 2}]  # fmt: skip
    assert calls["complete"]["conversation_id"].startswith("conv_")
    assert calls["complete"]["total"] == calls["cart"]["total"]
    await shot(page, "04-added-to-cart")


async def test_the_shop_grid_asks_the_assistant_and_the_header_cart_lists_the_result(
    page: Page, storefront: str, demo: dict[str, Any], shot: Any
) -> None:
    await page.goto(storefront)
    sku = "milk-galychyna-25-900"
    product = page.locator(f"#grid article[data-sku='{sku}']")
    name = await product.locator("h3").inner_text()
    await product.get_by_role("button", name=f"Купити з помічником: {name}").click()
    await expect(page.locator(".msg.user").last).to_have_text(f"покажи {name}")
    card = page.locator(f"article.card[data-sku='{sku}']")
    await card.get_by_role("button", name=f"Додати до кошика: {name}").click()
    await expect(page.locator("#cart-count")).to_have_text("1")
    await expect(page.locator("#cart-total")).to_contain_text("44,96")
    await settled(page)
    user = await shopper_id(page, demo["storeId"])
    assert demo["retailer"].carts[(demo["storeId"], user)] == {sku: 1}
    await page.get_by_role("button", name="Згорнути чат").first.click()
    await page.locator("#cart").click()
    drawer = page.get_by_role("dialog", name="Кошик")
    await expect(drawer).to_contain_text(f"{name} × 1")
    await expect(drawer.locator(".total")).to_contain_text("44,96")
    await shot(page, "05-header-cart")
    await page.keyboard.press("Escape")
    await expect(drawer).to_be_hidden()


async def test_a_reload_restores_the_conversation(
    page: Page, storefront: str, demo: dict[str, Any], shot: Any
) -> None:
    await page.goto(storefront)
    await open_chat(page)
    await ask(page, "покажи молоко")
    card = page.locator("article.card").first
    await card.locator("button.add").click()
    await expect(page.locator("#cart-count")).to_have_text("1")
    await settled(page)
    session_key = f"vz-session-{demo['storeId']}"
    saved = json.loads(await page.evaluate(f"() => sessionStorage.getItem('{session_key}')"))
    user = await shopper_id(page, demo["storeId"])
    cards_before = await page.locator("article.card").count()

    await page.reload()
    await expect(page.locator("#cart-count")).to_have_text("1")  # from the shop's own cart endpoint
    await open_chat(page)
    await expect(page.locator(".msg.user").first).to_have_text("покажи молоко")
    await expect(page.locator(".msg.bot").last).to_contain_text("Додав до кошика")
    assert await page.locator("article.card").count() == cards_before
    # The server restored the same conversation (a new one would have cleared the history).
    await expect(page.get_by_text("онлайн", exact=False)).to_be_visible()
    await expect(page.locator(".cartbar")).to_contain_text("У кошику 1")  # selected_items of session_restored
    restored = json.loads(await page.evaluate(f"() => sessionStorage.getItem('{session_key}')"))
    assert restored["conversation_id"] == saved["conversation_id"]
    assert await shopper_id(page, demo["storeId"]) == user
    await expect(page.locator(".msg.user").first).to_be_visible()
    await shot(page, "06-restored-after-reload")

    # The restored conversation goes on.
    await ask(page, "що в кошику?")
    await expect(page.locator(".msg.bot").last).to_contain_text("У кошику")


async def test_a_dropped_connection_reconnects_and_restores(page: Page, storefront: str) -> None:
    await page.goto(storefront)
    await open_chat(page)
    await page.evaluate("""() => { window.__vzEvents = [];
        widget.config.onDisconnect = () => __vzEvents.push('disconnect');
        widget.config.onConnect = () => __vzEvents.push('connect'); }""")
    await ask(page, "покажи молоко")
    conversation = await page.evaluate("() => widget.conversationId")
    await page.evaluate("() => widget._socket.close(4000, 'network drop')")  # as if the network dropped
    await page.wait_for_function("() => __vzEvents.includes('connect')")
    await expect(page.get_by_text("онлайн", exact=True)).to_be_visible()
    assert await page.evaluate("() => __vzEvents") == ["disconnect", "connect"]
    assert (
        await page.evaluate("() => widget.conversationId") == conversation
    )  # session_restored, same conversation
    await expect(page.locator(".msg.user")).to_have_count(1)  # history kept
    await ask(page, "покажи хліб")
    await expect(page.locator(".msg.bot").last).to_contain_text("хліб")


async def test_too_many_messages_show_the_localised_rate_limit(
    page: Page, storefront: str, shot: Any
) -> None:
    await page.goto(storefront)
    box = await open_chat(page)
    errors: list[dict[str, Any]] = []
    # A lambda, not `errors.append`: Playwright sets an attribute on the handler, which a builtin refuses.
    await page.expose_function("__vzError", lambda e: errors.append(e))  # noqa: PLW0108
    await page.evaluate("() => { widget.config.onError = (e) => window.__vzError(e); }")
    for _ in range(11):  # the socket allows 10 messages a minute
        await box.fill("привіт")
        await box.press("Enter")
    alert = page.locator(".msg.error[data-code=rate_limit_exceeded]")
    await expect(alert).to_contain_text("Забагато повідомлень поспіль")
    await expect(alert).to_contain_text(re.compile(r"Надішлю ще раз за \d+ с"))
    await expect(page.get_by_role("button", name="Надіслати")).to_be_disabled()  # waits for retry_after
    await expect(page.locator(".sr[role=alert]")).to_contain_text("Забагато повідомлень")
    assert errors[-1]["code"] == "rate_limit_exceeded"
    assert errors[-1]["retryable"] is True
    assert errors[-1]["retry_after"] >= 1
    await shot(page, "07-rate-limit")


async def test_oversized_messages_are_stopped_in_the_browser(page: Page, storefront: str) -> None:
    await page.goto(storefront)
    box = await open_chat(page)
    await box.fill("я" * 40_000)  # 80,000 bytes in UTF-8
    await box.press("Enter")
    await expect(page.locator(".msg.error[data-code=message_too_large]")).to_contain_text("не більше 64 КБ")
    assert await page.locator(".msg.user").count() == 0  # nothing was sent or shown as sent
    await expect(box).not_to_have_value("")  # the text stays for the shopper to shorten


async def test_recipe_checklist_and_meal_plan_fill_the_cart(
    page: Page, storefront: str, demo: dict[str, Any], shot: Any
) -> None:
    await page.goto(storefront)
    await open_chat(page)
    await ask(page, "що потрібно для борщу?")
    sheet = page.locator(".sheet").last
    await expect(sheet.locator("h3")).to_have_text(re.compile("борщ", re.IGNORECASE))
    boxes = sheet.get_by_role("checkbox")
    lines = await boxes.count()
    assert lines >= 5
    await boxes.first.uncheck()
    await shot(page, "08-ingredient-checklist")
    await sheet.get_by_role("button", name=f"Додати в кошик ({lines - 1})").click()
    user = await shopper_id(page, demo["storeId"])
    await expect(page.locator("#cart-count")).not_to_have_text("0")
    await settled(page)
    assert len(demo["retailer"].carts[(demo["storeId"], user)]) == lines - 1

    await ask(page, "план харчування на 3 дні")
    plan = page.locator(".sheet").last
    await expect(plan.locator(".day")).to_have_count(3)
    await shot(page, "09-meal-plan")
    before = len(demo["retailer"].carts[(demo["storeId"], user)])
    await plan.get_by_role("button", name="Затвердити й додати в кошик").click()
    await expect(plan.get_by_text("План затверджено")).to_be_visible()
    await settled(page)
    assert len(demo["retailer"].carts[(demo["storeId"], user)]) > before

    # A broad request (cottage cheese or hard cheese?) asks with quick replies; a tap answers and the cart changes.
    await ask(page, "додай сир")
    options = page.locator(".chips[role=group]").last.get_by_role("button")
    assert await options.count() >= 2
    await shot(page, "10-quick-replies")
    before_tap = dict(demo["retailer"].carts[(demo["storeId"], user)])
    chosen = await options.first.inner_text()
    await options.first.click()
    await expect(page.locator(".msg.user").last).to_have_text(chosen)
    await expect(options.first).to_be_disabled()  # answered replies freeze
    await settled(page)
    assert demo["retailer"].carts[(demo["storeId"], user)] != before_tap

    # "Change the plan" sends the shopper's words back to the assistant, which plans again.
    await ask(page, "план харчування на 3 дні")
    plan = page.locator(".sheet").nth(
        await page.locator(".sheet").count() - 1
    )  # this plan, not whatever comes last
    await plan.get_by_role("button", name="Змінити план").click()
    change = plan.get_by_role("textbox", name="Змінити план")
    await expect(change).to_be_focused()
    await change.fill("план харчування на 2 дні")
    await change.press("Enter")
    await settled(page)
    await expect(page.locator(".msg.user").last).to_have_text("план харчування на 2 дні")
    await expect(
        plan.get_by_text("✓ план харчування на 2 дні")
    ).to_be_visible()  # the old plan froze with the answer
    await expect(page.locator(".sheet").last.locator(".day")).to_have_count(2)
    assert await page.locator(".msg.error").count() == 0


async def test_keyboard_only_and_a_phone_screen(page: Page, storefront: str, shot: Any) -> None:
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(storefront)
    await expect(page.locator("#grid article.product").first).to_be_visible()
    await shot(page, "11-phone-storefront")
    launcher = page.get_by_role("button", name=OPEN)
    await launcher.focus()
    await page.keyboard.press("Enter")
    assert await page.evaluate(f"() => {ROOT}.activeElement?.tagName") == "TEXTAREA"
    panel = page.get_by_role("dialog", name="Візочок")
    assert await panel.evaluate("e => [e.offsetWidth, e.offsetHeight]") == [
        390,
        844,
    ]  # full screen on a phone
    await page.keyboard.type("покажи гречку")
    await page.keyboard.press("Enter")
    await expect(page.locator("article.card").first).to_be_visible()
    await settled(page)
    await shot(page, "12-phone-chat")
    await page.keyboard.press("Escape")
    await expect(panel).to_be_hidden()
    assert await page.evaluate(f"() => {ROOT}.activeElement?.getAttribute('aria-label')") == OPEN


async def test_every_error_code_has_a_message_in_every_language(page: Page, storefront: str) -> None:
    await page.goto(storefront)
    messages = await page.evaluate("() => VIZOCHOKWidget.messages")
    socket_codes = {code.value for code in ErrorCode} - HTTP_ONLY
    assert set(messages) == {"uk", "en", "ru"}
    for language, texts in messages.items():
        missing = socket_codes - set(texts["errors"])
        assert not missing, f"{language} lacks messages for {missing}"
        assert set(texts["status"]) == {"thinking", "searching", "checking_prices", "updating_cart"}
    assert messages["uk"]["errors"]["rate_limit_exceeded"] != messages["en"]["errors"]["rate_limit_exceeded"]
    assert messages["ru"]["errors"]["rate_limit_exceeded"] != messages["uk"]["errors"]["rate_limit_exceeded"]


async def test_config_checks_inline_mount_theme_and_destroy(
    page: Page, storefront: str, demo: dict[str, Any], shot: Any
) -> None:
    await page.goto(storefront)
    refused = await page.evaluate("""() => [{storeId: 's'}, {apiKey: 'pk_x'}, {apiKey: 'sk_live_x', storeId: 's'}]
        .map(c => { try { new VIZOCHOKWidget(c); return null; } catch (e) { return e.message; } })""")
    assert all(refused), refused
    assert "secret key" in refused[2]
    # Before mount() nothing is sent and nothing breaks.
    assert (
        await page.evaluate("() => new VIZOCHOKWidget({apiKey: 'pk_x', storeId: 's'}).sendMessage('hi')")
        is False
    )

    connected = await page.evaluate(
        """([key, store]) => new Promise(resolve => {
            const box = document.createElement('div');
            box.id = 'inline-box';
            box.style.cssText = 'width:420px;height:560px';
            document.body.appendChild(box);
            const w = new VIZOCHOKWidget({apiKey: key, storeId: store, apiBase: location.origin, language: 'en',
                theme: {primaryColor: 'rgb(200, 30, 90)'}, onConnect: () => resolve(true)});
            window.inlineWidget = w.mount(box);
            setTimeout(() => resolve(false), 10000);
        })""",
        [demo["apiKey"], demo["storeId"]],
    )
    assert connected
    inline = page.locator("#inline-box")
    await expect(inline.get_by_role("textbox", name="Message to the assistant")).to_be_visible()
    await expect(inline.get_by_role("button", name="Open the shopping assistant")).to_have_count(
        0
    )  # no launcher inline
    colour = await inline.locator(".send").evaluate("e => getComputedStyle(e).backgroundColor")
    assert colour == "rgb(200, 30, 90)"
    await shot(inline, "13-inline-english")
    await page.evaluate("() => window.inlineWidget.destroy()")
    await expect(inline.locator("[data-vizochok-widget]")).to_have_count(0)
