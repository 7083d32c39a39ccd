/*! @vizochok/widget 1.0.0 · Apache-2.0 · https://github.com/vizochok — one file, no build step, no dependencies. */
(function (root, factory) {
  "use strict";
  const api = factory();
  if (typeof module === "object" && module && module.exports) module.exports = api;
  if (root) root.VIZOCHOKWidget = api.VIZOCHOKWidget;
})(typeof globalThis !== "undefined" ? globalThis : null, function () {
  "use strict";

  const VERSION = "1.0.0";
  const MAX_FRAME_BYTES = 65536;
  const PING_EVERY_MS = 30000;
  const PONG_TIMEOUT_MS = 10000;
  const HISTORY_LIMIT = 80;
  const BUSY_RETRY_SECONDS = 2;
  const RETRYABLE = new Set(["rate_limit_exceeded", "agent_busy"]);
  const FATAL_CLOSE = new Set([4001, 4003]);

  // --- texts: every UI string and every error code, in uk, en and ru --------------------------
  const MESSAGES = {
    uk: {
      locale: "uk-UA", botName: "Помічник",
      open: "Відкрити чат з помічником", close: "Згорнути чат", newChat: "Почати нову розмову",
      online: "онлайн", connecting: "підключення…",
      reconnecting: "зв'язок втрачено, підключаюсь знову…",
      placeholder: "Напишіть, що шукаєте…", send: "Надіслати", messageLabel: "Повідомлення помічнику",
      log: "Розмова з помічником",
      welcome: "Вітаю! Я допоможу знайти продукти, підберу інгредієнти до страви й зберу кошик.",
      suggestions: ["Покажи молоко", "Що потрібно для борщу?", "План харчування на 3 дні"],
      typing: "Помічник пише…",
      status: { thinking: "Думаю…", searching: "Шукаю товари…", checking_prices: "Перевіряю ціни…", updating_cart: "Оновлюю кошик…" },
      add: "Додати", addLabel: "Додати до кошика: {name}", added: "Додано ✓",
      decrease: "Менше: {name}", increase: "Більше: {name}", quantity: "Кількість",
      outOfStock: "Немає в наявності", units: { pcs: "шт", kg: "кг" }, perUnit: "/{unit}",
      servings: "{n} порц.", checklistSubmit: "Додати в кошик ({n})", checklistTotal: "Разом: {total}",
      checklistDone: "Додано до кошика", selectAll: "Вибрати все",
      mealApprove: "Затвердити й додати в кошик", mealModify: "Змінити план",
      mealModifyPlaceholder: "Що змінити? Напр.: без риби", mealDone: "План затверджено",
      answered: "Відповідь надіслано",
      cart: "У кошику {n} · {total}", cartEmpty: "Кошик порожній",
      retryIn: "Надішлю ще раз за {s} с.", retrying: "Надсилаю ще раз…",
      you: "Ви", powered: "Працює на vizochok",
      errors: {
        rate_limit_exceeded: "Забагато повідомлень поспіль. Зачекайте трохи.",
        user_message_limit: "Ви вичерпали денний ліміт повідомлень ({limit}). Повертайтеся завтра!",
        user_conversation_limit: "Ви вичерпали денний ліміт розмов ({limit}). Повертайтеся завтра!",
        tenant_daily_token_limit: "Помічник на сьогодні перевантажений. Спробуйте, будь ласка, завтра.",
        tenant_monthly_token_limit: "Помічник тимчасово недоступний. Спробуйте пізніше.",
        agent_busy: "Я ще відповідаю на попереднє повідомлення.",
        session_token_limit: "Розмова стала задовгою. Почніть, будь ласка, нову.",
        max_rounds_exceeded: "Запит виявився заскладним. Спробуйте сформулювати простіше.",
        message_too_large: "Повідомлення задовге: не більше {max_kb} КБ.",
        invalid_json: "Не вдалося надіслати повідомлення. Оновіть сторінку.",
        internal_error: "Щось пішло не так. Спробуйте ще раз.",
        no_catalog_data: "Каталог магазину ще завантажується. Спробуйте трохи пізніше.",
        catalog_unavailable: "Каталог магазину зараз недоступний. Ми вже знаємо про це, спробуйте пізніше.",
        invalid_api_key: "Чат не налаштовано: ключ недійсний.",
        origin_not_allowed: "Чат не дозволено на цьому сайті.",
        connection_failed: "Немає зв'язку з помічником. Пробую знову…",
        unknown: "Щось пішло не так ({code}).",
      },
    },
    en: {
      locale: "en-GB", botName: "Assistant",
      open: "Open the shopping assistant", close: "Minimise chat", newChat: "Start a new conversation",
      online: "online", connecting: "connecting…",
      reconnecting: "connection lost, reconnecting…",
      placeholder: "What are you looking for?", send: "Send", messageLabel: "Message to the assistant",
      log: "Conversation with the assistant",
      welcome: "Hi! I can find groceries, list what a dish needs and fill your cart.",
      suggestions: ["Show me milk", "What do I need for borscht?", "Meal plan for 3 days"],
      typing: "The assistant is typing…",
      status: { thinking: "Thinking…", searching: "Searching products…", checking_prices: "Checking prices…", updating_cart: "Updating the cart…" },
      add: "Add", addLabel: "Add to cart: {name}", added: "Added ✓",
      decrease: "Fewer: {name}", increase: "More: {name}", quantity: "Quantity",
      outOfStock: "Out of stock", units: { pcs: "pcs", kg: "kg" }, perUnit: "/{unit}",
      servings: "{n} servings", checklistSubmit: "Add to cart ({n})", checklistTotal: "Total: {total}",
      checklistDone: "Added to the cart", selectAll: "Select all",
      mealApprove: "Approve and add to cart", mealModify: "Change the plan",
      mealModifyPlaceholder: "What should change? E.g. no fish", mealDone: "Plan approved",
      answered: "Answer sent",
      cart: "{n} in cart · {total}", cartEmpty: "Cart is empty",
      retryIn: "Sending again in {s} s.", retrying: "Sending again…",
      you: "You", powered: "Powered by vizochok",
      errors: {
        rate_limit_exceeded: "Too many messages in a row. Please wait a moment.",
        user_message_limit: "You have reached today's message limit ({limit}). Come back tomorrow!",
        user_conversation_limit: "You have reached today's conversation limit ({limit}). Come back tomorrow!",
        tenant_daily_token_limit: "The assistant is over capacity today. Please try again tomorrow.",
        tenant_monthly_token_limit: "The assistant is temporarily unavailable. Please try later.",
        agent_busy: "I am still answering your previous message.",
        session_token_limit: "This conversation got too long. Please start a new one.",
        max_rounds_exceeded: "That request was too complex. Try asking more simply.",
        message_too_large: "The message is too long: at most {max_kb} KB.",
        invalid_json: "The message could not be sent. Please reload the page.",
        internal_error: "Something went wrong. Please try again.",
        no_catalog_data: "The store's catalog is still loading. Please try a bit later.",
        catalog_unavailable: "The store's catalog is unavailable right now. We know about it; please try later.",
        invalid_api_key: "The chat is not set up: the key is invalid.",
        origin_not_allowed: "The chat is not allowed on this site.",
        connection_failed: "Cannot reach the assistant. Retrying…",
        unknown: "Something went wrong ({code}).",
      },
    },
    ru: {
      locale: "ru-UA", botName: "Помощник",
      open: "Открыть чат с помощником", close: "Свернуть чат", newChat: "Начать новый разговор",
      online: "онлайн", connecting: "подключение…",
      reconnecting: "связь потеряна, подключаюсь снова…",
      placeholder: "Напишите, что ищете…", send: "Отправить", messageLabel: "Сообщение помощнику",
      log: "Разговор с помощником",
      welcome: "Здравствуйте! Помогу найти продукты, подберу ингредиенты к блюду и соберу корзину.",
      suggestions: ["Покажи молоко", "Что нужно для борща?", "План питания на 3 дня"],
      typing: "Помощник печатает…",
      status: { thinking: "Думаю…", searching: "Ищу товары…", checking_prices: "Проверяю цены…", updating_cart: "Обновляю корзину…" },
      add: "В корзину", addLabel: "Добавить в корзину: {name}", added: "Добавлено ✓",
      decrease: "Меньше: {name}", increase: "Больше: {name}", quantity: "Количество",
      outOfStock: "Нет в наличии", units: { pcs: "шт", kg: "кг" }, perUnit: "/{unit}",
      servings: "{n} порц.", checklistSubmit: "Добавить в корзину ({n})", checklistTotal: "Итого: {total}",
      checklistDone: "Добавлено в корзину", selectAll: "Выбрать всё",
      mealApprove: "Утвердить и добавить в корзину", mealModify: "Изменить план",
      mealModifyPlaceholder: "Что изменить? Напр.: без рыбы", mealDone: "План утверждён",
      answered: "Ответ отправлен",
      cart: "В корзине {n} · {total}", cartEmpty: "Корзина пуста",
      retryIn: "Отправлю снова через {s} с.", retrying: "Отправляю снова…",
      you: "Вы", powered: "Работает на vizochok",
      errors: {
        rate_limit_exceeded: "Слишком много сообщений подряд. Подождите немного.",
        user_message_limit: "Вы исчерпали дневной лимит сообщений ({limit}). Возвращайтесь завтра!",
        user_conversation_limit: "Вы исчерпали дневной лимит разговоров ({limit}). Возвращайтесь завтра!",
        tenant_daily_token_limit: "Помощник на сегодня перегружен. Попробуйте, пожалуйста, завтра.",
        tenant_monthly_token_limit: "Помощник временно недоступен. Попробуйте позже.",
        agent_busy: "Я ещё отвечаю на предыдущее сообщение.",
        session_token_limit: "Разговор стал слишком длинным. Начните, пожалуйста, новый.",
        max_rounds_exceeded: "Запрос оказался слишком сложным. Попробуйте сформулировать проще.",
        message_too_large: "Сообщение слишком длинное: не больше {max_kb} КБ.",
        invalid_json: "Не удалось отправить сообщение. Обновите страницу.",
        internal_error: "Что-то пошло не так. Попробуйте ещё раз.",
        no_catalog_data: "Каталог магазина ещё загружается. Попробуйте чуть позже.",
        catalog_unavailable: "Каталог магазина сейчас недоступен. Мы уже знаем об этом, попробуйте позже.",
        invalid_api_key: "Чат не настроен: ключ недействителен.",
        origin_not_allowed: "Чат не разрешён на этом сайте.",
        connection_failed: "Нет связи с помощником. Пробую снова…",
        unknown: "Что-то пошло не так ({code}).",
      },
    },
  };

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, (m, key) => (values && values[key] != null ? String(values[key]) : m));
  }

  // --- small DOM helpers: text always goes in through textContent ------------------------------
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child == null || child === false) continue;
      el.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return el;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  function icon(paths, size) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", String(size || 22));
    svg.setAttribute("height", String(size || 22));
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    for (const d of paths) {
      const path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", d);
      svg.appendChild(path);
    }
    return svg;
  }
  const ICONS = {
    chat: ["M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"],
    close: ["M6 6l12 12M18 6L6 18"],
    send: ["M3 11.5L21 3l-8.5 18-2.2-7.3L3 11.5z"],
    refresh: ["M20 12a8 8 0 1 1-2.34-5.66M20 4v5h-5"],
    cart: ["M3 4h2l2.4 11.2a2 2 0 0 0 2 1.6h7.7a2 2 0 0 0 2-1.5L21 8H6.2", "M10 20.5h.01M17 20.5h.01"],
  };

  // A product without a picture gets a tile: an emoji for common groceries, else its initials.
  const EMOJI = [
    [/молок|молоч|milk|вершк/i, "🥛"], [/кефір|кефир|йогурт|ряжанк|сметан/i, "🥛"], [/сир\b|сир |сыр|cheese|бринз|моцарел/i, "🧀"],
    [/яйц|яєц|egg/i, "🥚"], [/хліб|хлеб|батон|багет|bread|лаваш/i, "🍞"], [/булоч|круасан|випічк/i, "🥐"],
    [/масло вершк|butter/i, "🧈"], [/олія|масло|oil/i, "🫒"], [/курк|курят|індич|chicken|филе|філе/i, "🍗"],
    [/свинин|яловичин|говядин|фарш|м'ясо|мясо|beef|pork/i, "🥩"], [/ковбас|сосиск|сардельк|шинк|бекон/i, "🥓"],
    [/риб|лосос|оселед|скумбр|fish|salmon/i, "🐟"], [/картопл|картоф|potato/i, "🥔"], [/морк|carrot/i, "🥕"],
    [/цибул|лук|onion|часник|чеснок/i, "🧅"], [/помідор|томат|tomato/i, "🍅"], [/огір|огур|cucumber/i, "🥒"],
    [/капуст|cabbage|зелень|кріп|петруш/i, "🥬"], [/буряк|свекл|beet/i, "🫜"], [/перець|перец|pepper/i, "🫑"],
    [/гриб|печериц|mushroom/i, "🍄"], [/яблук|яблок|apple/i, "🍎"], [/банан|banana/i, "🍌"], [/апельсин|мандарин|orange/i, "🍊"],
    [/лимон|lemon/i, "🍋"], [/виноград|grape/i, "🍇"], [/полуниц|ягід|ягод|berry/i, "🍓"], [/рис\b|rice/i, "🍚"],
    [/гречк|крупа|вівсян|пшон|булгур/i, "🌾"], [/макарон|спагет|pasta/i, "🍝"], [/борошн|мука|flour/i, "🌾"],
    [/цукор|сахар|sugar|сіль|соль/i, "🧂"], [/шоколад|chocolate/i, "🍫"], [/цукерк|конфет|candy/i, "🍬"],
    [/печиво|печенье|пряник|вафл|cookie/i, "🍪"], [/торт|cake/i, "🍰"], [/мед\b|мёд|honey|варення|джем/i, "🍯"],
    [/кава|кофе|coffee/i, "☕"], [/чай|tea/i, "🍵"], [/вода|water/i, "💧"], [/сік|сок|juice|нектар/i, "🧃"],
    [/квас|кола|напій|лимонад/i, "🥤"], [/морозив|мороженое|ice cream/i, "🍨"], [/вареник|пельмен|dumpling/i, "🥟"],
    [/кетчуп|соус|майонез|гірчиц/i, "🥫"], [/консерв|горош|кукурудз|квасол|фасол/i, "🥫"], [/корм|cat|dog/i, "🐾"],
  ];
  const TILE_COLOURS = ["#e8f5e9", "#fff3e0", "#e3f2fd", "#fce4ec", "#f3e5f5", "#e0f7fa", "#fffde7", "#efebe9"];

  function placeholder(product) {
    const name = String(product.name || "");
    let hash = 0;
    for (const ch of String(product.sku || name)) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    const tile = h("div", { class: "tile", "aria-hidden": "true" });
    tile.style.background = TILE_COLOURS[hash % TILE_COLOURS.length];
    const match = EMOJI.find(([re]) => re.test(name));
    if (match) tile.appendChild(h("span", { class: "emoji", text: match[1] }));
    else tile.appendChild(h("span", { class: "initials", text: name.split(/\s+/).slice(0, 2).map((w) => w[0] || "").join("").toUpperCase() }));
    return tile;
  }

  function safeImage(url) {
    try {
      const parsed = new URL(String(url), document.baseURI);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (_) {
      return null;
    }
  }

  function byteLength(text) {
    return new TextEncoder().encode(text).length;
  }

  function randomId() {
    if (typeof crypto !== "undefined" && crypto.randomUUID) return "vz_" + crypto.randomUUID().replace(/-/g, "");
    return "vz_" + Math.random().toString(36).slice(2) + Date.now().toString(36);
  }

  function storage(kind) {
    try {
      const store = kind === "local" ? window.localStorage : window.sessionStorage;
      const probe = "__vz_probe__";
      store.setItem(probe, "1");
      store.removeItem(probe);
      return store;
    } catch (_) {
      return null; // private mode or blocked storage: the widget still works, only without memory
    }
  }

  function cartCount(items) {
    // Weighed goods (0.5 kg) count as one line each; pieces count by quantity.
    return (items || []).reduce((n, item) => n + (Number.isInteger(item.quantity) ? item.quantity : 1), 0);
  }

  // --- styles ------------------------------------------------------------------------------------
  const CSS = `
:host { all: initial; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
.root { --p: var(--vz-primary, #2d8a4e); --pt: var(--vz-primary-text, #fff); --accent: var(--vz-accent, #e4572e);
  --bg: var(--vz-background, #fff); --fg: var(--vz-text, #1d2a1f); --muted: var(--vz-muted, #6b7a6e);
  --soft: var(--vz-surface, #f3f6f3); --line: var(--vz-border, #e2e8e3); --r: var(--vz-radius, 16px);
  font-family: var(--vz-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif); font-size: 15px; line-height: 1.4; color: var(--fg); }
button { font: inherit; cursor: pointer; }
button:disabled { cursor: not-allowed; opacity: .55; }
:focus-visible { outline: 3px solid color-mix(in srgb, var(--p) 55%, #fff); outline-offset: 2px; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.launcher { position: fixed; bottom: 24px; right: 24px; z-index: var(--vz-z, 2147483000); width: 62px; height: 62px; border: 0; border-radius: 50%;
  background: var(--p); color: var(--pt); box-shadow: 0 10px 28px rgba(20,40,25,.28), 0 2px 6px rgba(0,0,0,.12); display: grid; place-items: center;
  transition: transform .18s ease, box-shadow .18s ease; }
.launcher:hover { transform: translateY(-2px) scale(1.04); }
.launcher svg { fill: currentColor; }
.launcher .count { position: absolute; top: -3px; right: -3px; min-width: 22px; height: 22px; padding: 0 6px; border-radius: 11px; background: var(--accent);
  color: #fff; font-size: 12px; font-weight: 700; display: grid; place-items: center; border: 2px solid #fff; }
.left .launcher { right: auto; left: 24px; }
.panel { position: fixed; bottom: 100px; right: 24px; z-index: var(--vz-z, 2147483000); width: 392px; height: min(640px, calc(100vh - 124px));
  background: var(--bg); border-radius: var(--r); box-shadow: 0 24px 60px rgba(20,40,25,.25), 0 4px 14px rgba(0,0,0,.08);
  display: flex; flex-direction: column; overflow: hidden; transform-origin: bottom right; animation: pop .2s ease; }
.left .panel { right: auto; left: 24px; transform-origin: bottom left; }
.panel[hidden] { display: none; }
.inline { height: 100%; }
.inline .panel { position: relative; inset: auto; width: 100%; height: 100%; min-height: 460px; box-shadow: 0 1px 4px rgba(0,0,0,.08); border: 1px solid var(--line); animation: none; }
@keyframes pop { from { opacity: 0; transform: translateY(12px) scale(.97); } to { opacity: 1; transform: none; } }
header { display: flex; align-items: center; gap: 12px; padding: 14px 14px 14px 16px; color: var(--pt);
  background: linear-gradient(135deg, var(--p), color-mix(in srgb, var(--p) 72%, #000)); }
.avatar { width: 40px; height: 40px; border-radius: 50%; background: rgba(255,255,255,.22); display: grid; place-items: center; font-weight: 700; font-size: 18px; flex: none; overflow: hidden; }
.avatar img { width: 100%; height: 100%; object-fit: cover; }
.who { flex: 1; min-width: 0; }
.who h2 { margin: 0; font-size: 16px; font-weight: 700; color: inherit; }
.who p { margin: 2px 0 0; font-size: 12.5px; opacity: .88; display: flex; align-items: center; gap: 6px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.dot { width: 8px; height: 8px; border-radius: 50%; background: #8ef0a9; flex: none; box-shadow: 0 0 0 3px rgba(142,240,169,.25); }
.offline .dot { background: #ffcc66; box-shadow: 0 0 0 3px rgba(255,204,102,.25); }
.hbtn { width: 36px; height: 36px; border: 0; border-radius: 10px; background: transparent; color: inherit; display: grid; place-items: center; flex: none; }
.hbtn:hover { background: rgba(255,255,255,.16); }
.hbtn svg { stroke: currentColor; stroke-width: 2.2; fill: none; stroke-linecap: round; stroke-linejoin: round; }
.cartbar { display: flex; align-items: center; gap: 8px; padding: 8px 16px; background: color-mix(in srgb, var(--p) 9%, var(--bg)); color: color-mix(in srgb, var(--p) 80%, #000);
  font-size: 13px; font-weight: 600; border-bottom: 1px solid var(--line); }
.cartbar svg { stroke: currentColor; stroke-width: 2; fill: none; stroke-linecap: round; stroke-linejoin: round; }
.cartbar[hidden] { display: none; }
.log > * { flex-shrink: 0; }
.log { flex: 1; overflow-y: auto; padding: 16px 14px 8px; display: flex; flex-direction: column; gap: 10px; background: var(--soft); }
.msg { max-width: 86%; padding: 10px 14px; border-radius: 18px; white-space: pre-wrap; overflow-wrap: anywhere; animation: in .18s ease; }
@keyframes in { from { opacity: 0; transform: translateY(6px); } to { opacity: 1; transform: none; } }
.bot { align-self: flex-start; background: var(--bg); border-bottom-left-radius: 6px; box-shadow: 0 1px 2px rgba(0,0,0,.06); }
.user { align-self: flex-end; background: var(--p); color: var(--pt); border-bottom-right-radius: 6px; }
.bot[aria-busy="true"]::after { content: "▍"; margin-left: 1px; color: var(--p); animation: blink 1s steps(2) infinite; }
@keyframes blink { 50% { opacity: 0; } }
.error { align-self: stretch; max-width: none; background: #fff1ee; color: #8a1f0b; border: 1px solid #f6c9bd; border-radius: 12px; font-size: 14px; }
.error .retry { display: block; margin-top: 4px; font-size: 12.5px; color: #a34a33; }
.typing { align-self: flex-start; display: flex; align-items: center; gap: 8px; padding: 8px 12px; font-size: 13px; color: var(--muted); }
.typing[hidden] { display: none; }
.dots { display: inline-flex; gap: 3px; }
.dots i { width: 6px; height: 6px; border-radius: 50%; background: var(--p); opacity: .35; animation: bounce 1.2s infinite; }
.dots i:nth-child(2) { animation-delay: .15s; } .dots i:nth-child(3) { animation-delay: .3s; }
@keyframes bounce { 0%, 60%, 100% { opacity: .35; transform: none; } 30% { opacity: 1; transform: translateY(-3px); } }
.chips { display: flex; flex-wrap: wrap; gap: 8px; }
.chip { border: 1.5px solid color-mix(in srgb, var(--p) 45%, transparent); background: var(--bg); color: color-mix(in srgb, var(--p) 85%, #000);
  border-radius: 999px; padding: 7px 14px; font-size: 14px; font-weight: 500; text-align: left; transition: background .15s; }
.chip:hover:not(:disabled) { background: color-mix(in srgb, var(--p) 10%, var(--bg)); }
.chip.chosen { background: var(--p); color: var(--pt); opacity: 1; }
.question { display: inline-block; margin-bottom: 8px; font-weight: 500; }
.block { align-self: stretch; }
.cards { display: flex; gap: 10px; overflow-x: auto; padding: 2px 2px 8px; scroll-snap-type: x mandatory; }
.card { flex: none; width: 172px; background: var(--bg); border-radius: 14px; box-shadow: 0 1px 3px rgba(0,0,0,.08); display: flex; flex-direction: column; overflow: hidden; scroll-snap-align: start; }
.pic { position: relative; height: 104px; }
.pic img, .tile { width: 100%; height: 100%; object-fit: contain; display: grid; place-items: center; background: #fff; }
.emoji { font-size: 46px; line-height: 1; }
.initials { font-size: 28px; font-weight: 700; color: rgba(0,0,0,.45); }
.badge { position: absolute; top: 8px; left: 8px; background: var(--accent); color: #fff; font-size: 12px; font-weight: 700; padding: 2px 7px; border-radius: 7px; }
.body { padding: 8px 10px 10px; display: flex; flex-direction: column; gap: 4px; flex: 1; }
.brand { font-size: 11.5px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; min-height: 14px; }
.name { font-size: 13.5px; font-weight: 500; display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; min-height: 38px; }
.prices { display: flex; align-items: baseline; gap: 6px; flex-wrap: wrap; margin-top: auto; }
.price { font-weight: 800; font-size: 16px; }
.promo .price { color: var(--accent); }
.old { font-size: 12.5px; color: var(--muted); text-decoration: line-through; }
.unit { font-size: 12px; color: var(--muted); font-weight: 500; }
.buy { display: flex; flex-direction: column; gap: 6px; margin-top: 6px; }
.stepper { display: flex; align-items: center; border: 1px solid var(--line); border-radius: 10px; overflow: hidden; }
.stepper button { width: 34px; height: 32px; border: 0; background: var(--soft); color: var(--fg); font-size: 16px; font-weight: 700; }
.stepper output { flex: 1; white-space: nowrap; text-align: center; font-size: 13.5px; font-weight: 600; }
.add { white-space: nowrap; height: 36px; border: 0; border-radius: 10px; background: var(--p); color: var(--pt); font-weight: 700; font-size: 13.5px; padding: 0 6px; }
.add.done { background: color-mix(in srgb, var(--p) 70%, #000); }
.na { font-size: 13px; color: var(--muted); margin-top: 6px; }
.sheet { background: var(--bg); border-radius: 16px; padding: 14px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
.sheet h3 { margin: 0 0 2px; font-size: 16px; }
.sheet .sub { margin: 0 0 10px; font-size: 13px; color: var(--muted); }
.sheet ul { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; }
.sheet li + li { border-top: 1px solid var(--line); }
.check { display: flex; align-items: center; gap: 10px; padding: 8px 2px; cursor: pointer; }
.check input { width: 18px; height: 18px; accent-color: var(--p); flex: none; }
.check .n { flex: 1; font-size: 14px; }
.check .q { font-size: 12.5px; color: var(--muted); white-space: nowrap; }
.check .pr { font-size: 13.5px; font-weight: 700; white-space: nowrap; }
.sheet .total { display: flex; justify-content: space-between; font-weight: 700; padding: 10px 2px 0; border-top: 1px solid var(--line); margin-top: 4px; }
.primary { width: 100%; margin-top: 10px; height: 42px; border: 0; border-radius: 12px; background: var(--p); color: var(--pt); font-weight: 700; font-size: 14.5px; }
.secondary { width: 100%; margin-top: 8px; height: 40px; border: 1.5px solid var(--line); border-radius: 12px; background: var(--bg); color: var(--fg); font-weight: 600; }
.day { padding: 8px 0; }
.day h4 { margin: 0 0 4px; font-size: 14px; color: color-mix(in srgb, var(--p) 80%, #000); }
.meal { font-size: 13.5px; margin: 2px 0; }
.meal b { font-weight: 600; }
.meal span { color: var(--muted); }
.modify { display: flex; gap: 6px; margin-top: 8px; }
.modify input { flex: 1; border: 1px solid var(--line); border-radius: 10px; padding: 8px 10px; font: inherit; font-size: 14px; }
.modify button { border: 0; border-radius: 10px; background: var(--p); color: var(--pt); padding: 0 12px; font-weight: 700; }
.done-note { margin-top: 8px; font-size: 13px; color: color-mix(in srgb, var(--p) 80%, #000); font-weight: 600; }
footer { border-top: 1px solid var(--line); padding: 10px 12px 8px; background: var(--bg); }
form { display: flex; align-items: flex-end; gap: 8px; }
textarea { flex: 1; resize: none; border: 1.5px solid var(--line); border-radius: 14px; padding: 10px 12px; font: inherit; color: var(--fg); background: var(--bg);
  max-height: 120px; min-height: 44px; line-height: 1.35; }
textarea:focus { outline: none; border-color: var(--p); box-shadow: 0 0 0 3px color-mix(in srgb, var(--p) 18%, transparent); }
.send { width: 44px; height: 44px; border: 0; border-radius: 14px; background: var(--p); color: var(--pt); display: grid; place-items: center; flex: none; }
.send svg { fill: currentColor; }
.powered { text-align: center; font-size: 11px; color: var(--muted); margin-top: 6px; }
@media (max-width: 520px) {
  .floating .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }
  .floating.open .launcher { display: none; }
  .card { width: 156px; }
}
@media (prefers-reduced-motion: reduce) { *, *::before, *::after { animation: none !important; transition: none !important; scroll-behavior: auto !important; } }
`;

  // --- the widget -----------------------------------------------------------------------------
  class VIZOCHOKWidget {
    /** @param {import('./index').VIZOCHOKWidgetConfig} config */
    constructor(config) {
      if (!config || typeof config !== "object") throw new Error("VIZOCHOKWidget: config is required");
      if (!config.apiKey) throw new Error("VIZOCHOKWidget: apiKey is required");
      if (!config.storeId) throw new Error("VIZOCHOKWidget: storeId is required");
      if (!String(config.apiKey).startsWith("pk_")) {
        throw new Error("VIZOCHOKWidget: use a public key (pk_…) with the chat scope; never put a secret key in a web page");
      }
      this.config = Object.assign({ language: "uk", apiBase: "https://api.vizochok.com", position: "bottom-right" }, config);
      this.t = MESSAGES[this.config.language] || MESSAGES.uk;
      this.sessionKey = `vz-session-${this.config.storeId}`;
      this.uidKey = `vz-uid-${this.config.storeId}`;
      this.conversationId = null;
      this.cart = { items: [], total: 0 };
      this.userId = null;
      this._history = [];
      this._outbox = [];
      this._inflight = null;
      this._turn = null;
      this._timers = new Set();
      this._attempt = 0;
      this._socket = null;
      this._mounted = false;
      this._destroyed = false;
      this._messages = 0;
    }

    // --- public API ---------------------------------------------------------------------------

    /** Floating (bottom corner) when called with no element; inline inside `container` otherwise. */
    mount(container) {
      if (this._mounted) return this;
      if (this._destroyed) throw new Error("VIZOCHOKWidget: destroyed widgets cannot be mounted again");
      this._mounted = true;
      this.inline = !!container;
      this._loadIdentity();
      this._build(container || document.body);
      this._restoreHistory();
      this._connect();
      return this;
    }

    /** Close the socket, stop every timer and remove the widget from the page. */
    destroy() {
      this._destroyed = true;
      for (const id of this._timers) clearTimeout(id);
      this._timers.clear();
      clearInterval(this._pingTimer);
      if (this._socket) {
        this._socket.onclose = null;
        try { this._socket.close(1000, "destroyed"); } catch (_) { /* already closed */ }
      }
      this._socket = null;
      if (this.host) this.host.remove();
      document.removeEventListener("keydown", this._onDocKey);
      this._mounted = false;
    }

    open() {
      if (!this._mounted || this.inline) return;
      this.els.panel.hidden = false;
      this.els.wrap.classList.add("open");
      this.els.launcher.setAttribute("aria-expanded", "true");
      this.els.launcher.setAttribute("aria-label", this.t.close);
      this._scroll(true);
      this.els.input.focus();
    }

    close() {
      if (!this._mounted || this.inline) return;
      this.els.panel.hidden = true;
      this.els.wrap.classList.remove("open");
      this.els.launcher.setAttribute("aria-expanded", "false");
      this.els.launcher.setAttribute("aria-label", this.t.open);
      this.els.launcher.focus();
    }

    get isOpen() {
      return this._mounted && (this.inline || !this.els.panel.hidden);
    }

    /** Send a message as if the shopper typed it. Returns false when it was refused locally. */
    sendMessage(text) {
      const value = String(text || "").trim();
      if (!value || !this._mounted) return false;
      const frame = { type: "message", text: value };
      if (!this._fits(frame)) return false;
      const chips = this.els.log.querySelector(".welcome .chips");
      if (chips) chips.remove();
      this._addEntry({ t: "user", text: value });
      this._scroll(true);
      this._enqueue(frame);
      return true;
    }

    /** Put a product in the cart through the assistant (the same path as a card's Add button). */
    addToCart(sku, quantity) {
      if (!this._mounted) return;
      this._enqueue({ type: "action", action: "add_to_cart", sku: String(sku), quantity: quantity == null ? 1 : Number(quantity) });
    }

    /** Forget this conversation and start a new one. */
    newConversation() {
      if (!this._mounted) return;
      this._history = [];
      this.conversationId = null;
      this._outbox = [];
      this._save();
      this.els.log.replaceChildren(this.els.typing);
      this._welcome();
      this._reconnectNow();
    }

    // --- identity and storage -----------------------------------------------------------------

    _loadIdentity() {
      const local = storage("local");
      this.identity = null;
      this.userId = this.config.userId || (local && local.getItem(this.uidKey)) || null;
      if (!this.userId) {
        this.userId = randomId();
        if (local) local.setItem(this.uidKey, this.userId);
      }
      const session = storage("session");
      try {
        const saved = session && JSON.parse(session.getItem(this.sessionKey) || "null");
        if (saved && typeof saved === "object") {
          this.conversationId = saved.conversation_id || null;
          this._history = Array.isArray(saved.history) ? saved.history.slice(-HISTORY_LIMIT) : [];
        }
      } catch (_) {
        this._history = [];
      }
    }

    _save() {
      const session = storage("session");
      if (!session) return;
      const data = { conversation_id: this.conversationId, history: this._history.slice(-HISTORY_LIMIT) };
      try {
        // Keys starting with "_" hold DOM nodes and stay out of storage.
        session.setItem(this.sessionKey, JSON.stringify(data, (key, value) => (key.startsWith("_") ? undefined : value)));
      } catch (_) {
        // Quota exceeded: keep only the conversation id, the server still has the session.
        try { session.setItem(this.sessionKey, JSON.stringify({ conversation_id: this.conversationId, history: [] })); } catch (__) { /* give up */ }
      }
    }

    _addEntry(entry, node) {
      this._history.push(entry);
      if (this._history.length > HISTORY_LIMIT) this._history.splice(0, this._history.length - HISTORY_LIMIT);
      this._save();
      return this._render(entry, node, true);
    }

    // --- DOM ----------------------------------------------------------------------------------

    _build(parent) {
      const t = this.t;
      const c = this.config;
      this.host = h("div", { "data-vizochok-widget": VERSION });
      const theme = c.theme || {};
      const vars = {
        primaryColor: "--vz-primary", primaryTextColor: "--vz-primary-text", accentColor: "--vz-accent", backgroundColor: "--vz-background",
        surfaceColor: "--vz-surface", textColor: "--vz-text", mutedColor: "--vz-muted", borderColor: "--vz-border",
        fontFamily: "--vz-font", borderRadius: "--vz-radius", zIndex: "--vz-z",
      };
      for (const [key, name] of Object.entries(vars)) if (theme[key] != null) this.host.style.setProperty(name, String(theme[key]));
      if (this.inline) this.host.style.cssText += ";display:block;height:100%;";
      const shadow = this.host.attachShadow({ mode: "open" });
      this.shadow = shadow;
      const style = h("style");
      style.textContent = CSS;
      shadow.appendChild(style);

      const panelId = "vz-panel";
      const titleId = "vz-title";
      const els = (this.els = {});
      els.wrap = h("div", { class: `root ${this.inline ? "inline" : "floating"} ${c.position === "bottom-left" ? "left" : ""} offline`, lang: c.language });
      els.launcher = h("button", { class: "launcher", type: "button", "aria-label": t.open, "aria-expanded": "false", "aria-controls": panelId, onclick: () => (this.isOpen ? this.close() : this.open()) }, icon(ICONS.chat, 28));
      els.count = h("span", { class: "count", "aria-hidden": "true", hidden: true });
      els.launcher.appendChild(els.count);

      const botName = c.botName || t.botName;
      const avatar = h("div", { class: "avatar", "aria-hidden": "true" });
      const avatarUrl = c.botAvatar && safeImage(c.botAvatar);
      if (avatarUrl) avatar.appendChild(h("img", { src: avatarUrl, alt: "" }));
      else avatar.textContent = botName.trim().charAt(0).toUpperCase() || "V";
      els.state = h("p", {}, h("span", { class: "dot" }), h("span", { text: t.connecting }));
      const header = h("header", {}, avatar, h("div", { class: "who" }, h("h2", { id: titleId, text: botName }), els.state),
        h("button", { class: "hbtn", type: "button", "aria-label": t.newChat, title: t.newChat, onclick: () => this.newConversation() }, icon(ICONS.refresh, 20)),
        this.inline ? null : h("button", { class: "hbtn", type: "button", "aria-label": t.close, title: t.close, onclick: () => this.close() }, icon(ICONS.close, 20)));
      els.cartText = h("span");
      els.cartbar = h("div", { class: "cartbar", hidden: true }, icon(ICONS.cart, 18), els.cartText);
      els.log = h("div", { class: "log", role: "log", "aria-label": t.log, "aria-live": "off", "aria-busy": "false", tabindex: "0" });
      els.typing = h("div", { class: "typing", hidden: true }, h("span", { class: "dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")), h("span", { text: t.typing }));
      els.live = h("div", { class: "sr", role: "status", "aria-live": "polite", "aria-atomic": "true" });
      els.alert = h("div", { class: "sr", role: "alert", "aria-live": "assertive", "aria-atomic": "true" });
      els.input = h("textarea", { rows: "1", placeholder: c.placeholder || t.placeholder, "aria-label": t.messageLabel, maxlength: String(MAX_FRAME_BYTES) });
      els.send = h("button", { class: "send", type: "submit", "aria-label": t.send, title: t.send }, icon(ICONS.send, 20));
      const form = h("form", { onsubmit: (e) => { e.preventDefault(); this._submit(); } }, els.input, els.send);
      els.input.addEventListener("keydown", (e) => {
        if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); this._submit(); }
      });
      els.input.addEventListener("input", () => this._grow());
      els.panel = h("section", { class: "panel", id: panelId, role: this.inline ? "region" : "dialog", "aria-labelledby": titleId, hidden: !this.inline },
        header, els.cartbar, els.log, h("footer", {}, form, h("div", { class: "powered", text: t.powered })));
      els.log.appendChild(els.typing);
      if (!this.inline) els.wrap.appendChild(els.launcher);
      els.wrap.append(els.panel, els.live, els.alert);
      shadow.appendChild(els.wrap);
      parent.appendChild(this.host);

      this._onDocKey = (e) => {
        if (e.key === "Escape" && this.isOpen && !this.inline && e.composedPath().includes(this.host)) this.close();
      };
      document.addEventListener("keydown", this._onDocKey);
    }

    _grow() {
      const el = this.els.input;
      el.style.height = "auto";
      el.style.height = Math.min(el.scrollHeight + 3, 120) + "px";
    }

    _setState(text, online) {
      this.els.state.lastChild.textContent = text;
      this.els.wrap.classList.toggle("offline", !online);
    }

    _append(node) {
      const stick = this._nearBottom(); // measured before the new node grows the log
      this.els.log.insertBefore(node, this.els.typing);
      if (stick) this._scroll(true);
      return node;
    }

    _nearBottom() {
      const log = this.els.log;
      return log.scrollHeight - log.scrollTop - log.clientHeight < 120;
    }

    /** Follow new content only while the shopper is at the bottom; never yank them away from what they scrolled back to. */
    _scroll(force) {
      const log = this.els.log;
      if (force || this._nearBottom()) log.scrollTop = log.scrollHeight;
    }

    _price(value) {
      const number = Number(value);
      const currency = this.config.currency || "UAH";
      try {
        return new Intl.NumberFormat(this.t.locale, { style: "currency", currency, currencyDisplay: this.config.language === "en" ? "code" : "symbol", minimumFractionDigits: 2 }).format(number);
      } catch (_) {
        return number.toFixed(2) + " " + currency;
      }
    }

    _qty(value, unit) {
      const number = Number(value);
      const text = Number.isInteger(number) ? String(number) : number.toLocaleString(this.t.locale, { maximumFractionDigits: 3 });
      return `${text} ${this.t.units[unit] || unit || ""}`.trim();
    }

    _welcome() {
      if (this._history.length) return;
      const node = h("div", { class: "block welcome" });
      node.appendChild(h("div", { class: "msg bot", text: this.config.welcomeMessage || this.t.welcome }));
      const chips = h("div", { class: "chips", style: "margin-top:10px" });
      for (const text of this.config.suggestions || this.t.suggestions) {
        chips.appendChild(h("button", { class: "chip", type: "button", text, onclick: () => { node.remove(); this.sendMessage(text); } }));
      }
      node.appendChild(chips);
      this._append(node);
    }

    _restoreHistory() {
      if (!this._history.length) {
        this._welcome();
        return;
      }
      for (const entry of this._history) this._render(entry, null, false);
      this._scroll(true);
    }

    /** Draw one history entry; `live` entries are interactive, restored ones are frozen until the server says otherwise. */
    _render(entry, node, live) {
      let el;
      switch (entry.t) {
        case "user": el = h("div", { class: "msg user", text: entry.text }); break;
        case "bot": el = h("div", { class: "msg bot", text: entry.text }); break;
        case "cards": el = this._cards(entry.items); break;
        case "quick_replies": el = this._quickReplies(entry, live); break;
        case "ingredient_checklist": el = this._checklist(entry, live); break;
        case "meal_plan": el = this._mealPlan(entry, live); break;
        default: return null;
      }
      entry._el = el;
      if (node) node.replaceWith(el);
      else this._append(el);
      return el;
    }

    // --- product cards --------------------------------------------------------------------------

    _cards(items) {
      const t = this.t;
      const row = h("div", { class: "cards block", role: "list" });
      for (const product of items || []) {
        const step = Number(product.quantity_step) > 0 ? Number(product.quantity_step) : product.unit === "kg" ? 0.5 : 1;
        const min = Number(product.min_quantity) > 0 ? Number(product.min_quantity) : step;
        let quantity = min;
        const promo = product.promo_price != null && product.promo_price < product.price;
        const pic = h("div", { class: "pic" });
        const image = product.image_url && safeImage(product.image_url);
        if (image) pic.appendChild(h("img", { src: image, alt: "", loading: "lazy" }));
        else pic.appendChild(placeholder(product));
        if (promo && product.promo_label) pic.appendChild(h("span", { class: "badge", text: product.promo_label }));
        const unitSuffix = product.unit === "kg" ? fill(t.perUnit, { unit: t.units.kg }) : "";
        const prices = h("div", { class: `prices ${promo ? "promo" : ""}` },
          h("span", { class: "price", text: this._price(promo ? product.promo_price : product.price) }),
          unitSuffix ? h("span", { class: "unit", text: unitSuffix }) : null,
          promo ? h("span", { class: "old", text: this._price(product.price) }) : null);
        const body = h("div", { class: "body" }, h("div", { class: "brand", text: product.brand || "" }), h("div", { class: "name", title: product.name, text: product.name }), prices);
        if (product.in_stock === false) {
          body.appendChild(h("div", { class: "na", text: t.outOfStock }));
        } else {
          const output = h("output", { "aria-label": `${t.quantity}: ${product.name}`, text: this._qty(quantity, product.unit) });
          const round = (v) => Math.round(v * 1000) / 1000;
          const minus = h("button", { type: "button", "aria-label": fill(t.decrease, { name: product.name }), text: "−", disabled: true });
          const plus = h("button", { type: "button", "aria-label": fill(t.increase, { name: product.name }), text: "+" });
          const update = (next) => {
            quantity = Math.max(min, round(next));
            output.textContent = this._qty(quantity, product.unit);
            minus.disabled = quantity <= min;
          };
          minus.addEventListener("click", () => update(quantity - step));
          plus.addEventListener("click", () => update(quantity + step));
          const add = h("button", { class: "add", type: "button", "aria-label": fill(t.addLabel, { name: product.name }), text: t.add });
          add.addEventListener("click", () => {
            this._enqueue({ type: "action", action: "add_to_cart", sku: product.sku, quantity });
            this._call("onProductClick", Object.assign({}, product, { quantity }));
            add.textContent = t.added;
            add.classList.add("done");
            this._later(() => { add.textContent = t.add; add.classList.remove("done"); }, 1600);
          });
          body.appendChild(h("div", { class: "buy" }, h("div", { class: "stepper" }, minus, output, plus), add));
        }
        row.appendChild(h("article", { class: "card", role: "listitem", "aria-label": product.name, "data-sku": product.sku }, pic, body));
      }
      return row;
    }

    // --- interactive frames -------------------------------------------------------------------

    _finish(entry, note) {
      entry.done = true;
      this._save();
      if (entry._el) this._render(entry, entry._el, false);
      if (note) this.els.live.textContent = note;
      this.els.input.focus();
    }

    _quickReplies(entry, live) {
      const active = live && !entry.done;
      const box = h("div", { class: "block" });
      if (entry.question) box.appendChild(h("div", { class: "msg bot question", text: entry.question }));
      const chips = h("div", { class: "chips", role: "group", "aria-label": entry.question || "" });
      for (const option of entry.options || []) {
        const label = typeof option === "string" ? option : option.label;
        const value = typeof option === "string" ? option : option.value;
        const chip = h("button", { class: `chip ${entry.answer === value ? "chosen" : ""}`, type: "button", text: label, disabled: !active });
        chip.addEventListener("click", () => {
          entry.answer = value;
          this._finish(entry);
          this._addEntry({ t: "user", text: label });
          this._enqueue({ type: "action", action: "quick_reply", value });
        });
        chips.appendChild(chip);
      }
      box.appendChild(chips);
      return box;
    }

    _checklist(entry, live) {
      const t = this.t;
      const active = live && !entry.done;
      const sheet = h("div", { class: "sheet block" });
      sheet.appendChild(h("h3", { text: entry.recipe }));
      if (entry.servings) sheet.appendChild(h("p", { class: "sub", text: fill(t.servings, { n: entry.servings }) }));
      const list = h("ul");
      const boxes = [];
      const totalText = h("span");
      const submit = h("button", { class: "primary", type: "button" });
      const refresh = () => {
        let total = 0;
        let count = 0;
        boxes.forEach(([box, item]) => {
          if (box.checked) {
            count += 1;
            total += Number(item.promo_price != null ? item.promo_price : item.price || 0) * Number(item.quantity || 1);
          }
        });
        totalText.textContent = this._price(total);
        submit.textContent = fill(t.checklistSubmit, { n: count });
        submit.disabled = !active || count === 0;
      };
      for (const item of entry.items || []) {
        const box = h("input", { type: "checkbox", disabled: !active });
        box.checked = item.checked !== false;
        box.addEventListener("change", () => { item.checked = box.checked; refresh(); });
        boxes.push([box, item]);
        const price = item.promo_price != null ? item.promo_price : item.price;
        list.appendChild(h("li", {}, h("label", { class: "check" }, box, h("span", { class: "n", text: item.name }),
          h("span", { class: "q", text: this._qty(item.quantity, item.unit) }), price != null ? h("span", { class: "pr", text: this._price(price) }) : null)));
      }
      sheet.appendChild(list);
      sheet.appendChild(h("div", { class: "total" }, h("span", { text: fill(t.checklistTotal, { total: "" }).replace(/[:\s]+$/, "") }), totalText));
      if (entry.done) sheet.appendChild(h("div", { class: "done-note", text: "✓ " + t.checklistDone }));
      else {
        submit.addEventListener("click", () => {
          const skus = boxes.filter(([box]) => box.checked).map(([, item]) => item.sku);
          this._finish(entry, t.checklistDone);
          this._enqueue({ type: "action", action: "checklist_submit", skus });
        });
        sheet.appendChild(submit);
      }
      refresh();
      return sheet;
    }

    _mealPlan(entry, live) {
      const t = this.t;
      const active = live && !entry.done;
      const sheet = h("div", { class: "sheet block" });
      for (const day of entry.days || []) {
        const block = h("div", { class: "day" }, h("h4", { text: day.day }));
        for (const meal of day.meals || []) {
          // Quantities and prices are shown before approval: the shopper approves what the cart will hold.
          const items = (meal.items || []).map((i) => {
            const qty = `${new Intl.NumberFormat(t.locale).format(Number(i.quantity))} ${t.units[i.unit] || i.unit}`;
            return `${i.name} × ${qty}` + (i.price != null ? ` (${this._price(Number(i.price) * Number(i.quantity))})` : "");
          }).join(", ");
          block.appendChild(h("p", { class: "meal" }, h("b", { text: meal.name }), items ? h("span", { text: " — " + items }) : null));
        }
        sheet.appendChild(block);
      }
      if (entry.total != null) {
        sheet.appendChild(h("div", { class: "total" }, h("span", { text: fill(t.checklistTotal, { total: "" }).replace(/[\s:]+$/, "") }),
          h("span", { text: this._price(Number(entry.total)) })));
      }
      if (entry.done) {
        sheet.appendChild(h("div", { class: "done-note", text: "✓ " + (entry.answer || t.mealDone) }));
        return sheet;
      }
      const approve = h("button", { class: "primary", type: "button", text: t.mealApprove, disabled: !active });
      const modify = h("button", { class: "secondary", type: "button", text: t.mealModify, disabled: !active });
      approve.addEventListener("click", () => {
        this._finish(entry, t.mealDone);
        this._enqueue({ type: "action", action: "meal_plan_approve" });
      });
      modify.addEventListener("click", () => {
        const input = h("input", { type: "text", placeholder: t.mealModifyPlaceholder, "aria-label": t.mealModify });
        const go = h("button", { type: "submit", text: t.send });
        const form = h("form", { class: "modify" }, input, go);
        form.addEventListener("submit", (e) => {
          e.preventDefault();
          const text = input.value.trim();
          if (!text) return;
          entry.answer = text;
          this._finish(entry);
          this._addEntry({ t: "user", text });
          this._enqueue({ type: "action", action: "meal_plan_modify", text });
        });
        modify.replaceWith(form);
        input.focus();
      });
      sheet.append(approve, modify);
      return sheet;
    }

    // --- cart -----------------------------------------------------------------------------------

    _showCart(items, total) {
      this.cart = { items: items || [], total: Number(total) || 0 };
      const count = cartCount(this.cart.items);
      const text = count ? fill(this.t.cart, { n: count, total: this._price(this.cart.total) }) : this.t.cartEmpty;
      this.els.cartText.textContent = text;
      this.els.cartbar.hidden = !count;
      this.els.count.hidden = !count;
      this.els.count.textContent = count > 99 ? "99+" : String(count);
    }

    // --- sending ----------------------------------------------------------------------------------

    _submit() {
      const text = this.els.input.value;
      if (this.sendMessage(text)) {
        this.els.input.value = "";
        this._grow();
      }
    }

    _fits(frame) {
      const size = byteLength(JSON.stringify(Object.assign({ conversation_id: this.conversationId }, frame)));
      if (size <= MAX_FRAME_BYTES) return true;
      this._error({ code: "message_too_large", max_size: MAX_FRAME_BYTES }, true);
      return false;
    }

    _enqueue(frame) {
      this._outbox.push(frame);
      this._pump();
    }

    /** One frame in flight at a time: the server runs one turn per conversation, so this avoids `agent_busy`. */
    _pump() {
      if (this._inflight || !this._ready || this._waitUntil > Date.now()) return;
      const frame = this._outbox.shift();
      if (!frame) return;
      if (frame.type === "message" && this.conversationId) frame.conversation_id = this.conversationId;
      this._inflight = frame;
      this._turn = { started: false };
      this.els.log.setAttribute("aria-busy", "true"); // until the turn's response_complete
      this.els.typing.hidden = false;
      this._scroll(true);
      if (frame.type === "message") this._messages += 1;
      this._raw(frame);
    }

    _raw(frame) {
      if (this._socket && this._socket.readyState === 1) this._socket.send(JSON.stringify(frame));
    }

    _turnOver() {
      this._inflight = null;
      this._turn = null;
      this._bubble = null;
      this.els.typing.hidden = true;
      this.els.log.setAttribute("aria-busy", "false");
      this._pump();
    }

    // --- the socket -------------------------------------------------------------------------------

    _url() {
      const base = String(this.config.apiBase).replace(/\/+$/, "").replace(/^http/i, "ws");
      return `${base}/api/v1/ws/chat`;
    }

    _connect() {
      if (this._destroyed) return;
      this._ready = false;
      let socket;
      try {
        socket = new WebSocket(this._url());
      } catch (_) {
        this._scheduleReconnect();
        return;
      }
      this._socket = socket;
      socket.onopen = () => {
        const auth = { type: "auth", token: this.config.apiKey, store_id: this.config.storeId, user_id: this.userId };
        if (this.conversationId) auth.conversation_id = this.conversationId;
        // Identity verification: the signature your backend made for `userId` (docs/identity.md).
        if (this.config.userId && this.config.userToken) auth.user_token = this.config.userToken;
        else if (this.config.userId && this.config.userHash) auth.user_hash = this.config.userHash;
        socket.send(JSON.stringify(auth));
      };
      socket.onmessage = (event) => {
        let frame;
        try { frame = JSON.parse(event.data); } catch (_) { return; }
        if (frame && typeof frame.type === "string") this._onFrame(frame);
      };
      socket.onclose = (event) => this._onClose(event);
      socket.onerror = () => { /* onclose follows */ };
    }

    _onClose(event) {
      const wasReady = this._ready;
      this._ready = false;
      this._socket = null;
      clearInterval(this._pingTimer);
      if (this._inflight) {
        // Whether the server finished it is unknown: never resend, a cart change could apply twice.
        this._turnOver();
      }
      if (wasReady) this._call("onDisconnect");
      if (this._destroyed) return;
      if (FATAL_CLOSE.has(event.code) && this._fatal) {
        this._setState(this.t.errors[this._fatal] || this.t.errors.unknown, false);
        return;
      }
      this._setState(this.t.reconnecting, false);
      this._scheduleReconnect(event.code === 4029 ? 5000 : 0);
    }

    _scheduleReconnect(floor) {
      // Exponential backoff with jitter: 0.5 s, 1 s, 2 s … capped at 30 s.
      const delay = Math.max(floor || 0, Math.min(30000, 500 * 2 ** this._attempt)) * (0.8 + Math.random() * 0.4);
      this._attempt += 1;
      this._later(() => this._connect(), delay);
    }

    _reconnectNow() {
      if (this._socket) {
        this._socket.onclose = null;
        try { this._socket.close(1000, "new conversation"); } catch (_) { /* ignore */ }
        this._socket = null;
      }
      if (this._ready) this._call("onDisconnect");
      this._ready = false;
      this._inflight = null;
      this._turn = null;
      this.els.typing.hidden = true;
      this.els.log.setAttribute("aria-busy", "false");
      this._attempt = 0;
      this._connect();
    }

    _later(fn, ms) {
      const id = setTimeout(() => { this._timers.delete(id); fn(); }, ms);
      this._timers.add(id);
      return id;
    }

    _heartbeat() {
      clearInterval(this._pingTimer);
      this._pingTimer = setInterval(() => {
        if (!this._socket || this._socket.readyState !== 1) return;
        this._raw({ type: "ping" });
        const socket = this._socket;
        this._pongDue = this._later(() => { if (socket === this._socket) socket.close(4000, "no pong"); }, PONG_TIMEOUT_MS);
      }, PING_EVERY_MS);
    }

    _onFrame(frame) {
      switch (frame.type) {
        case "auth_ok":
          // The server acts for a guest id of its own when the signature did not verify.
          if (typeof frame.user_id === "string") this.userId = frame.user_id;
          this.identity = frame.identity || null;
          this._attempt = 0;
          this._fatal = null;
          this._heartbeat();
          this._call("onConnect");
          break;
        case "conversation_started":
          if (this.conversationId && frame.conversation_id !== this.conversationId && this._history.length) {
            // The old conversation expired on the server: start clean rather than show a stale history.
            this._history = [];
            this.els.log.replaceChildren(this.els.typing);
            this._welcome();
          }
          this._session(frame, []);
          break;
        case "session_restored":
          this._session(frame, frame.selected_items || []);
          if (frame.pending_tool && frame.pending_tool.payload) this._pending(frame.pending_tool.payload);
          break;
        case "status":
          this._status(frame.code);
          break;
        case "text_delta":
          this._markTurn();
          if (!this._bubble) {
            this._bubble = h("div", { class: "msg bot", "aria-busy": "true" });
            this._append(this._bubble);
            this.els.typing.hidden = true;
          }
          {
            const stick = this._nearBottom();
            this._bubble.textContent += String(frame.delta || "");
            if (stick) this._scroll(true);
          }
          break;
        case "text_end":
          this._markTurn();
          if (this._bubble) {
            const text = this._bubble.textContent;
            this._bubble.removeAttribute("aria-busy");
            const entry = { t: "bot", text };
            this._history.push(entry);
            entry._el = this._bubble;
            this._save();
            this.els.live.textContent = text; // screen readers hear the whole answer once, not token by token
            this._bubble = null;
          }
          break;
        case "product_cards":
          this._markTurn();
          this._addEntry({ t: "cards", items: frame.items || [] });
          break;
        case "quick_replies":
        case "ingredient_checklist":
        case "meal_plan":
          this._markTurn();
          this._interactive(frame);
          break;
        case "cart_changed": {
          this._markTurn();
          const event = {};
          for (const key of ["action", "sku", "name", "quantity", "price"]) if (key in frame) event[key] = frame[key];
          event.items = frame.items || [];
          event.total = Number(frame.total) || 0;
          this._showCart(event.items, event.total);
          this._call("onCartChanged", event);
          break;
        }
        case "response_complete":
          if (frame.conversation_id) this.conversationId = frame.conversation_id;
          this._save();
          this._call("onSessionComplete", { conversation_id: this.conversationId, messages: this._messages, items: this.cart.items, total: this.cart.total });
          this._turnOver();
          break;
        case "error":
          this._onError(frame);
          break;
        case "ping":
          this._raw({ type: "pong" });
          break;
        case "pong":
          clearTimeout(this._pongDue);
          this._timers.delete(this._pongDue);
          break;
        default:
          break; // frames from a newer server are ignored
      }
    }

    _markTurn() {
      if (this._turn) this._turn.started = true;
    }

    _session(frame, items) {
      this.conversationId = frame.conversation_id;
      this._save();
      const total = items.reduce((sum, i) => sum + Number(i.promo_price != null ? i.promo_price : i.price) * Number(i.quantity), 0);
      this._showCart(items, Math.round(total * 100) / 100);
      this._ready = true;
      this._setState(this.t.online, true);
      this._pump();
    }

    _status(code) {
      this.els.typing.hidden = false;
      this.els.typing.lastChild.textContent = this.t.status[code] || this.t.typing;
      this._scroll();
    }

    _interactive(frame) {
      const entry = Object.assign({ t: frame.type }, frame);
      delete entry.type;
      this._addEntry(entry);
    }

    /** A pending tool after a reconnect: revive the frozen copy from history, or draw it anew. */
    _pending(payload) {
      if (!payload || !["quick_replies", "ingredient_checklist", "meal_plan"].includes(payload.type)) return;
      for (let i = this._history.length - 1; i >= 0; i -= 1) {
        const entry = this._history[i];
        if (entry.t === payload.type && !entry.done) {
          this._render(entry, entry._el, true);
          return;
        }
        if (entry.t === "user") break;
      }
      this._interactive(payload);
    }

    // --- errors ---------------------------------------------------------------------------------

    _message(error) {
      const errors = this.t.errors;
      const template = errors[error.code] || errors.unknown;
      return fill(template, {
        code: error.code, limit: error.limit, retry_after: error.retry_after,
        max_kb: error.max_size ? Math.round(error.max_size / 1024) : 64,
      });
    }

    _onError(frame) {
      if (frame.code === "invalid_api_key" || frame.code === "origin_not_allowed") this._fatal = frame.code;
      const inTurn = this._turn && this._turn.started;
      const refused = this._inflight && !inTurn ? this._inflight : null;
      const retryable = RETRYABLE.has(frame.code) && refused;
      this._error(frame, false, retryable ? refused : null);
      // A refused frame ends its "turn" at once; an error inside a turn is followed by response_complete.
      if (refused) this._turnOver();
    }

    _error(frame, local, retry) {
      const payload = { code: frame.code, message: this._message(frame), retryable: RETRYABLE.has(frame.code) };
      for (const key of ["retry_after", "limit", "max_size"]) if (frame[key] != null) payload[key] = frame[key];
      const box = h("div", { class: "msg error", role: "alert", "data-code": frame.code }, h("span", { text: payload.message }));
      this._append(box);
      this._scroll(true);
      this.els.alert.textContent = payload.message;
      if (retry) {
        const seconds = Math.max(1, Math.ceil(Number(frame.retry_after) || BUSY_RETRY_SECONDS));
        const note = h("span", { class: "retry" });
        box.appendChild(note);
        this._outbox.unshift(retry);
        this._waitUntil = Date.now() + seconds * 1000;
        this.els.send.disabled = true;
        const tick = () => {
          const left = Math.ceil((this._waitUntil - Date.now()) / 1000);
          if (left > 0) {
            note.textContent = fill(this.t.retryIn, { s: left });
            this._later(tick, 1000);
          } else {
            note.textContent = this.t.retrying;
            this.els.send.disabled = false;
            this._waitUntil = 0;
            this._pump();
          }
        };
        tick();
      }
      if (frame.code === "session_token_limit") {
        box.appendChild(h("button", { class: "chip", type: "button", style: "margin-top:8px", text: this.t.newChat, onclick: () => this.newConversation() }));
      }
      if (local) payload.local = true;
      this._call("onError", payload);
    }

    _call(name, payload) {
      const fn = this.config[name];
      if (typeof fn !== "function") return;
      try {
        if (payload === undefined) fn();
        else fn(payload);
      } catch (err) {
        console.error(`VIZOCHOKWidget: ${name} threw`, err); // a host page bug must not break the chat
      }
    }
  }

  VIZOCHOKWidget.version = VERSION;
  VIZOCHOKWidget.messages = MESSAGES;
  VIZOCHOKWidget.maxFrameBytes = MAX_FRAME_BYTES;

  return { VIZOCHOKWidget, default: VIZOCHOKWidget };
});
