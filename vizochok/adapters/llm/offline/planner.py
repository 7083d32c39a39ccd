"""The offline provider: reads the conversation, decides the next tool calls, and says how sure it is.

Precision before recall: a cart changes only when product, quantity and unit were all understood
with confidence at least `ACT_THRESHOLD`; otherwise the shopper gets a question with the real
candidates (quick replies) or cards to press Add on. Every decision is logged with its confidence
and reason.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from vizochok.adapters.llm.offline.match import Choice, choose, line_matches, relevant, search_query
from vizochok.adapters.llm.offline.quantities import Amount, Phrase, pack_size, to_product_units
from vizochok.adapters.llm.offline.reading import LLMResult, Reading
from vizochok.adapters.llm.offline.recipes import Recipe, plan_dishes, tenant_recipes
from vizochok.adapters.llm.offline.texts import number, reason, text
from vizochok.adapters.llm.offline.understand import Utterance, understand
from vizochok.adapters.llm.offline.words import product_text, word_in
from vizochok.core.chat.state import ToolCall
from vizochok.core.language import detect_language
from vizochok.core.llm.messages import LLMEvent, LLMRequest, TextChunk, ToolCallChunk, Usage

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from vizochok.core.chat.state import ChatMessage

_log = logging.getLogger(__name__)

MAX_SHOWN = 6
MAX_OPTIONS = 4
ACT_THRESHOLD = 0.7
"""A cart change below this confidence becomes a question."""
_CART_TOOLS = {"add_to_selection", "remove_from_selection", "update_selection_quantity", "clear_selection"}


@dataclass
class Step:
    """One round's decision."""

    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    reply: str = ""
    confidence: float = 0.9
    reason: str = ""


@dataclass
class Context:
    """What this round knows: the message, the results since, the cart and the cards shown before."""

    utterance: Utterance
    results: list[tuple[str, dict[str, Any]]]
    selection: list[dict[str, Any]]
    shown: list[dict[str, Any]]
    """Cards of the last earlier turn that showed cards, with their search data (price, unit)."""
    profile: Any
    lang: str
    recipes: tuple[Recipe, ...] = ()
    """The tenant's own dishes, on top of the deployment's recipe book."""


def _history_cards(messages: list[ChatMessage], before: int) -> list[dict[str, Any]]:
    """The cards the last `show_products` before message `before` drew, in order, with their offers."""
    offers: dict[str, dict[str, Any]] = {}
    shown: list[str] = []
    calls: dict[str, list[str]] = {}
    for message in messages[:before]:
        if message.role == "assistant":
            for call in message.tool_calls:
                if call.name == "show_products":
                    calls[call.id] = list(call.arguments.get("skus", []))
        elif message.role == "tool":
            content = _loads(message.content)
            if message.name == "search_products":
                for item in content.get("items", []):
                    offers[item["sku"]] = item
            elif message.name == "show_products" and content.get("shown"):
                shown = list(content["shown"])
    return [offers.get(sku, {"sku": sku}) for sku in shown]


def _loads(content: str | None) -> dict[str, Any]:
    try:
        value = json.loads(content or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class OfflineLLM:
    """Deterministic and free: records zero tokens (DECISIONS §1)."""

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """The next step as a model would stream it."""
        step = self._step(request)
        for index, (name, args) in enumerate(step.calls):
            yield ToolCallChunk(
                call=ToolCall(id=f"offline_{len(request.messages)}_{index}", name=name, arguments=args)
            )
        for word in re.findall(r"\S+\s*", step.reply):
            yield TextChunk(delta=word)
        yield Usage(prompt_tokens=0, completion_tokens=0)

    async def understand(self, request: LLMRequest) -> Reading:
        """This round's answer with its confidence and reason, without streaming it (for a hybrid router)."""
        step = self._step(request)
        calls = tuple(
            ToolCall(id=f"offline_{len(request.messages)}_{i}", name=n, arguments=a)
            for i, (n, a) in enumerate(step.calls)
        )
        return Reading(
            confidence=step.confidence,
            reason=step.reason,
            result=LLMResult(text=step.reply, tool_calls=calls),
        )

    def _step(self, request: LLMRequest) -> Step:
        last_user = max((i for i, m in enumerate(request.messages) if m.role == "user"), default=-1)
        if last_user < 0:
            return Step(
                reply=text("greet", request.language or "uk"), confidence=0.5, reason="no shopper message"
            )
        user_text = request.messages[last_user].content or ""
        results = [
            (m.name or "", _loads(m.content)) for m in request.messages[last_user + 1 :] if m.role == "tool"
        ]
        # "Change the plan: …" restarts planning from the shopper's new words.
        for index in range(len(results) - 1, -1, -1):
            if "modify" in results[index][1]:
                user_text, results = str(results[index][1]["modify"]), results[index + 1 :]
                break
        selection: list[dict[str, Any]] = request.context.get("selection", [])
        shown = _history_cards(request.messages, last_user)
        recipes = tenant_recipes(request.context.get("recipes"))
        utterance = understand(
            user_text, request.language or detect_language(user_text), bool(shown), bool(selection), recipes
        )
        ctx = Context(
            utterance, results, selection, shown, request.context.get("profile"), utterance.lang, recipes
        )
        step = self._decide(ctx)
        _log.info(
            "offline: %s (%s) -> %s confidence=%.2f reason=%s",
            utterance.kind, utterance.reason, [n for n, _ in step.calls] or "text", step.confidence, step.reason,
        )  # fmt: skip
        return step

    # --- deciding -------------------------------------------------------------------------------

    def _decide(self, ctx: Context) -> Step:
        u = ctx.utterance
        names = {name for name, _ in ctx.results}
        if not ctx.results:
            return self._first(ctx)
        last_ask = max((i for i, (n, _) in enumerate(ctx.results) if n == "ask_user"), default=-1)
        after_ask = {n for n, _ in ctx.results[last_ask + 1 :]}
        if after_ask & _CART_TOOLS:
            return Step(reply=self._summary(ctx), confidence=0.95, reason="report the retailer's answers")
        if last_ask >= 0 and not after_ask - {"search_products"}:
            if "search_products" in after_ask:  # the shopper answered in words: the new search decides
                return self._add(ctx) if u.kind == "add" else self._show(ctx)
            return self._after_choice(ctx)
        if names & {"show_recipe_checklist", "show_meal_plan", "show_products"}:
            return Step(confidence=0.95, reason="the frame speaks for itself")
        if "get_product_details" in names and u.kind == "update":
            return self._update_with_details(ctx)
        if names == {"search_products"}:
            planned = {search_query(p) for p in u.phrases} if u.kind in ("add", "search") else set()
            if planned and not planned & set(self._searches(ctx)):
                # Another model searched in its own words: this layer cannot vouch for what follows.
                return Step(
                    reply=self._summary(ctx), confidence=0.2, reason="searches this layer did not plan"
                )
            if any(r.get("error") == "prices_unavailable" for _, r in ctx.results):
                return Step(reply=text("no_prices", ctx.lang), confidence=0.9, reason="no prices")
            if u.kind == "recipe":
                return self._checklist(ctx)
            if u.kind == "meal_plan":
                return self._meal_plan(ctx)
            if u.kind == "add":
                return self._add(ctx)
            return self._show(ctx)
        return Step(reply=self._summary(ctx), confidence=0.6, reason="results this layer did not plan for")

    def _first(self, ctx: Context) -> Step:
        u, lang = ctx.utterance, ctx.lang
        if u.kind == "act":
            key = {
                "greet": "greet",
                "thanks": "thanks",
                "abilities": "abilities",
                "off_topic": "off_topic",
            }.get(u.act or "", "unclear")
            return Step(reply=text(key, lang), confidence=0.9 if key != "unclear" else 0.4, reason=u.reason)
        if u.kind == "cart":
            return Step(reply=self._cart(ctx.selection, lang), confidence=0.95, reason=u.reason)
        if u.kind == "clear":
            if not ctx.selection:
                return Step(reply=text("cart_empty", lang), confidence=0.9, reason="clear an empty cart")
            return Step([("clear_selection", {})], confidence=0.95, reason=u.reason)
        if u.kind == "remove":
            return self._remove(ctx)
        if u.kind == "update":
            return self._update(ctx)
        if u.kind == "add_ref":
            return self._add_ref(ctx)
        if u.kind == "recipe" and u.recipe is not None:
            return Step(
                [("search_products", {"query": q}) for q, _, _ in u.recipe.ingredients],
                confidence=0.85,
                reason=u.reason,
            )
        if u.kind == "meal_plan":
            return Step(
                [("search_products", {"query": q}) for q in _plan_queries(u, ctx.profile, ctx.recipes)],
                confidence=0.8,
                reason=u.reason,
            )
        if not u.phrases:
            return Step(reply=text("unclear", lang), confidence=0.4, reason="nothing to look up")
        queries = list(dict.fromkeys(search_query(p) for p in u.phrases))
        return Step(
            [("search_products", {"query": q}) for q in queries],
            confidence=0.85 if u.kind == "add" else 0.8,
            reason=u.reason,
        )

    # --- cart lines -----------------------------------------------------------------------------

    def _remove(self, ctx: Context) -> Step:
        u, lang = ctx.utterance, ctx.lang
        if u.keep:
            keep = {line["sku"] for p in u.keep for line in line_matches(p.words, ctx.selection)}
            if not keep:
                return Step(
                    reply=text("not_in_cart", lang, query=" ".join(u.keep[0].words)),
                    confidence=0.6,
                    reason="nothing to keep matched",
                )
            calls = [
                ("remove_from_selection", {"sku": line["sku"]})
                for line in ctx.selection
                if line["sku"] not in keep
            ]
            return Step(calls, confidence=0.9, reason="remove every line but those named")
        calls, missing = [], []
        for phrase in u.phrases:
            lines = line_matches(phrase.words, ctx.selection)
            if not lines:
                missing.append(text("not_in_cart", lang, query=" ".join(phrase.words)))
            calls += [("remove_from_selection", {"sku": line["sku"]}) for line in lines]
        if not u.phrases and len(ctx.selection) == 1:
            calls = [("remove_from_selection", {"sku": ctx.selection[0]["sku"]})]
        calls = list({c[1]["sku"]: c for c in calls}.values())
        if not calls:
            return Step(
                reply=" ".join(missing) or text("which_line", lang),
                confidence=0.6,
                reason="no cart line matched",
            )
        return Step(calls, " ".join(missing), confidence=0.9, reason="cart lines named by the shopper")

    def _target_line(self, ctx: Context) -> tuple[dict[str, Any] | None, str]:
        u = ctx.utterance
        lines = [line for p in u.phrases for line in line_matches(p.words, ctx.selection)]
        lines = list({line["sku"]: line for line in lines}.values())
        if len(lines) == 1:
            return lines[0], "one cart line matched"
        if not u.phrases and len(ctx.selection) == 1:
            return ctx.selection[0], "the only cart line"
        return None, f"{len(lines)} cart lines matched"

    def _update(self, ctx: Context) -> Step:
        u, lang = ctx.utterance, ctx.lang
        line, why = self._target_line(ctx)
        if line is None or u.amount is None:
            return Step(
                reply=text("which_line", lang),
                confidence=0.5,
                reason=why if line is None else "no new quantity",
            )
        if u.increment:
            return Step(
                [("add_to_selection", {"sku": line["sku"], "quantity": u.amount.value})],
                confidence=0.85,
                reason="one more of a cart line",
            )
        # The product's unit and pack decide what "700 г" or "3 kg" means: ask the catalog first.
        return Step(
            [("get_product_details", {"sku": line["sku"]})],
            confidence=0.85,
            reason=f"{why}; checking its unit",
        )

    def _update_with_details(self, ctx: Context) -> Step:
        u, lang = ctx.utterance, ctx.lang
        details = next(r for n, r in ctx.results if n == "get_product_details")
        amount = u.amount or Amount(1.0)
        quantity = to_product_units(Phrase(words=[], amount=amount), details)
        if quantity.confidence < ACT_THRESHOLD:
            return Step(
                reply=text("how_much", lang, name=details.get("name", "")),
                confidence=quantity.confidence,
                reason=quantity.reason,
            )
        return Step([("update_selection_quantity", {"sku": details["sku"], "quantity": quantity.value})],
                    confidence=min(0.9, quantity.confidence), reason=quantity.reason)  # fmt: skip

    # --- cards shown before ---------------------------------------------------------------------

    def _add_ref(self, ctx: Context) -> Step:
        u, lang = ctx.utterance, ctx.lang
        cards = ctx.shown
        if u.ref == "cheapest":
            priced = [c for c in cards if "price" in c]
            card = (
                min(
                    priced, key=lambda c: c["promo_price"] if c.get("promo_price") is not None else c["price"]
                )
                if priced
                else None
            )
        elif (
            isinstance(u.ref, int)
            and cards
            and -len(cards) <= (u.ref - 1 if u.ref > 0 else u.ref) < len(cards)
        ):
            card = cards[u.ref - 1 if u.ref > 0 else u.ref]
        else:
            card = None
        if card is None:
            return Step(
                reply=text("which_card", lang), confidence=0.6, reason=f"no card {u.ref} among {len(cards)}"
            )
        quantity = to_product_units(Phrase(words=[], amount=u.amount), card)
        if quantity.confidence < ACT_THRESHOLD:
            return Step(
                reply=text("how_much", lang, name=card.get("name", "")),
                confidence=quantity.confidence,
                reason=quantity.reason,
            )
        return Step([("add_to_selection", {"sku": card["sku"], "quantity": quantity.value})], confidence=0.9,
                    reason=f"card {u.ref} of {len(cards)} shown: {quantity.reason}")  # fmt: skip

    # --- adding from search ---------------------------------------------------------------------

    def _searches(self, ctx: Context) -> dict[str, list[dict[str, Any]]]:
        return {r.get("query", ""): r.get("items", []) for n, r in ctx.results if n == "search_products"}

    def _add(self, ctx: Context) -> Step:
        u, lang = ctx.utterance, ctx.lang
        by_query = self._searches(ctx)
        calls: list[tuple[str, dict[str, Any]]] = []
        notes: list[str] = []
        reasons: list[str] = []
        confidence = 1.0
        question: Step | None = None
        for phrase in u.phrases:
            offers = by_query.get(search_query(phrase), [])
            choice = choose(phrase, offers)
            reasons.append(f"«{phrase.query}»: {choice.reason}")
            if choice.offer is not None:
                quantity = to_product_units(phrase, choice.offer)
                reasons.append(quantity.reason)
                if quantity.confidence >= ACT_THRESHOLD and choice.confidence >= ACT_THRESHOLD:
                    calls.append(
                        ("add_to_selection", {"sku": choice.offer["sku"], "quantity": quantity.value})
                    )
                    confidence = min(confidence, choice.confidence, quantity.confidence)
                    continue
                if question is None:
                    question = self._ask_amount(phrase, choice.offer, lang, quantity.reason)
                continue
            if choice.candidates and question is None:
                question = self._ask_which(phrase, choice, lang)
            elif not choice.candidates:
                notes.append(text("not_found", lang, query=phrase.query))
        reason_text = "; ".join(reasons)
        if question is not None:
            # Confident lines go in now; the question about the rest pauses the turn after them.
            return Step(calls + question.calls, " ".join(notes), confidence=0.8, reason=reason_text)
        if calls:
            return Step(calls, " ".join(notes), confidence=confidence, reason=reason_text)
        return Step(reply=" ".join(notes) or text("unclear", lang), confidence=0.7, reason=reason_text)

    def _ask_which(self, phrase: Phrase, choice: Choice, lang: str) -> Step:
        options = [{"label": _label(o, lang), "value": o["sku"]} for o in choice.candidates[:MAX_OPTIONS]]
        if len(options) == 1:
            options.append({"label": text("something_else", lang), "value": text("something_else", lang)})
        question = text("which", lang, query=" ".join(phrase.words))
        return Step(
            [("ask_user", {"question": question, "options": options})], confidence=0.8, reason=choice.reason
        )

    def _ask_amount(self, phrase: Phrase, offer: dict[str, Any], lang: str, why: str) -> Step:
        if (offer.get("unit") or "pcs") == "kg":
            amounts = (
                [0.5, 1.0, 1.5, 2.0] if not phrase.amount else sorted({0.5, 1.0, float(phrase.amount.value)})
            )
            label = text("kg", lang)
        else:
            amounts = (
                [1.0, 2.0, 3.0]
                if not phrase.amount
                else sorted({1.0, float(max(1, round(phrase.amount.value)))})
            )
            label = text("pcs", lang)
        options = [{"label": f"{number(a, lang)} {label}", "value": f"{offer['sku']}|{a:g}"} for a in amounts]
        if len(options) < 2:
            options.append({"label": f"{number(2.0, lang)} {label}", "value": f"{offer['sku']}|2"})
        question = text("how_much", lang, name=offer.get("name", ""))
        return Step([("ask_user", {"question": question, "options": options})], confidence=0.8, reason=why)

    def _after_choice(self, ctx: Context) -> Step:
        u, lang = ctx.utterance, ctx.lang
        answer = str(next(r for n, r in reversed(ctx.results) if n == "ask_user").get("answer", ""))
        offers = {o["sku"]: (query, o) for query, items in self._searches(ctx).items() for o in items}
        sku, _, amount = answer.partition("|")
        if sku in offers:
            query, offer = offers[sku]
            phrase = next((p for p in u.phrases if search_query(p) == query), Phrase(words=[]))
            if amount:
                return Step(
                    [("add_to_selection", {"sku": sku, "quantity": float(amount)})],
                    confidence=0.95,
                    reason="the shopper chose the amount",
                )
            quantity = to_product_units(phrase, offer)
            if quantity.confidence < ACT_THRESHOLD:
                return self._ask_amount(phrase, offer, lang, quantity.reason)
            return Step(
                [("add_to_selection", {"sku": sku, "quantity": quantity.value})],
                confidence=0.95,
                reason="the shopper chose the product",
            )
        if answer and "status" not in next(r for n, r in reversed(ctx.results) if n == "ask_user"):
            return Step(
                [("search_products", {"query": answer})],
                confidence=0.7,
                reason="the shopper answered in words",
            )
        return Step(confidence=0.9, reason="the question was dismissed")

    # --- showing --------------------------------------------------------------------------------

    def _show(self, ctx: Context) -> Step:
        u, lang = ctx.utterance, ctx.lang
        by_query = self._searches(ctx)
        picked: list[dict[str, Any]] = []
        for phrase in u.phrases:
            offers = by_query.get(search_query(phrase), [])
            per = max(2, MAX_SHOWN // max(1, len(u.phrases)))
            picked += relevant(phrase, offers)[:per]
        picked = list({o["sku"]: o for o in picked}.values())[:MAX_SHOWN]
        query = ", ".join(p.query for p in u.phrases)
        if not picked:
            return Step(
                reply=text("not_found", lang, query=query),
                confidence=0.75,
                reason="no hit shares a word with the request",
            )
        reply = text("found", lang, query=query)
        promo = next((o for o in picked if o.get("promo_price") is not None), None)
        if promo:
            reply += text(
                "promo",
                lang,
                name=promo["name"],
                promo=number(promo["promo_price"], lang, 2),
                price=number(promo["price"], lang, 2),
            )
        return Step(
            [("show_products", {"skus": [o["sku"] for o in picked]})],
            reply,
            confidence=0.85,
            reason=f"{len(picked)} relevant hits",
        )

    # --- recipes and plans ----------------------------------------------------------------------

    def _checklist(self, ctx: Context) -> Step:
        u, lang = ctx.utterance, ctx.lang
        recipe = u.recipe
        assert recipe is not None
        scale = u.servings / 4
        by_query = self._searches(ctx)
        items, missing = [], []
        for query, kilograms, packs in recipe.ingredients:
            offer = _staple(query, by_query.get(query) or [], kilograms * 1000 * scale, packs * scale)
            if offer is None:
                missing.append(query)
                continue
            items.append(
                {"sku": offer["sku"], "quantity": amount_for(offer, kilograms * 1000 * scale, packs * scale)}
            )
        if not items:
            return Step(
                reply=text("not_found", lang, query=recipe.names.get(lang, recipe.names["uk"])),
                confidence=0.7,
                reason="no ingredient found",
            )
        dish = recipe.names.get(lang, recipe.names["uk"])
        reply = text("recipe", lang, dish=dish, servings=u.servings)
        if missing:
            reply += text("recipe_missing", lang, items=", ".join(missing))
        args = {"recipe": dish, "servings": u.servings, "items": items}
        return Step(
            [("show_recipe_checklist", args)],
            reply,
            confidence=0.85,
            reason=f"{len(items)} ingredients, {len(missing)} missing",
        )

    def _meal_plan(self, ctx: Context) -> Step:
        u, lang = ctx.utterance, ctx.lang
        by_query = {q: _staple(q, items, 500.0) for q, items in self._searches(ctx).items()}
        # Amounts are summed per product over the whole plan, then turned into packs once: three dishes
        # with 200 g of flour each need one 1 kg pack, not three.
        need: dict[str, tuple[dict[str, Any], float, float]] = {}
        plan = plan_dishes(u.days, _vegetarian(ctx.profile), ctx.recipes)
        for meals in plan:
            for _, recipe in meals:
                for query, kilograms, packs in recipe.ingredients[:4]:
                    offer = by_query.get(query)
                    if offer is not None:
                        _, grams, count = need.get(offer["sku"], (offer, 0.0, 0.0))
                        need[offer["sku"]] = (
                            offer,
                            grams + kilograms * 1000,
                            count + (packs if kilograms == 0 else 0),
                        )
        # A pack counted per dish (eggs, milk) serves several dishes: one, and one more for every three further.
        remaining = {
            sku: amount_for(offer, grams, 1 + (count - 1) / 3 if count else 0)
            for sku, (offer, grams, count) in need.items()
        }
        days = []
        for day_number, meals in enumerate(plan, start=1):
            day_meals = []
            for meal, recipe in meals:
                lines = []
                for query, _, _ in recipe.ingredients[:4]:
                    offer = by_query.get(query)
                    if offer is not None and remaining.get(offer["sku"]):
                        lines.append({"sku": offer["sku"], "quantity": remaining.pop(offer["sku"])})
                day_meals.append(
                    {
                        "name": text(meal, lang, dish=recipe.names.get(lang, recipe.names["uk"])),
                        "items": lines,
                    }
                )
            days.append({"day": text("day", lang, n=day_number), "meals": day_meals})
        total = sum(
            _price(need[line["sku"]][0]) * line["quantity"]
            for d in days
            for m in d["meals"]
            for line in m["items"]
        )
        reply = text("meal_plan", lang, days=u.days) + text("plan_total", lang, total=number(total, lang, 2))
        return Step(
            [("show_meal_plan", {"days": days})],
            reply,
            confidence=0.8,
            reason=f"{len(need)} products over {u.days} days",
        )

    # --- telling the shopper --------------------------------------------------------------------

    def _summary(self, ctx: Context) -> str:
        lang = ctx.lang
        names = {line["sku"]: line["name"] for line in ctx.selection}
        for _, result in ctx.results:
            for item in result.get("items", []) if isinstance(result.get("items"), list) else []:
                if isinstance(item, dict) and "sku" in item and "name" in item:
                    names.setdefault(item["sku"], item["name"])
        parts = []
        for name, result in ctx.results:
            why = reason(result.get("reason") or result.get("error"), lang)
            product = result.get("name") or names.get(result.get("sku", ""), "")
            if name == "add_to_selection":
                if result.get("ok"):
                    parts.append(text("added", lang, name=product, quantity=number(result["quantity"], lang)))
                else:
                    parts.append(
                        text("add_failed", lang, name=product or text("this_product", lang), reason=why)
                    )
            elif name == "remove_from_selection":
                parts.append(
                    text("removed", lang, name=product)
                    if result.get("ok")
                    else text("change_failed", lang, reason=why)
                )
            elif name == "update_selection_quantity":
                ok = result.get("ok")
                parts.append(
                    text("updated", lang, name=product, quantity=number(result.get("quantity", 0), lang))
                    if ok
                    else text("change_failed", lang, reason=why)
                )
            elif name == "clear_selection":
                parts.append(
                    text("cleared", lang) if result.get("ok") else text("change_failed", lang, reason=why)
                )
        return " ".join(parts)

    @staticmethod
    def _cart(selection: list[dict[str, Any]], lang: str) -> str:
        if not selection:
            return text("cart_empty", lang)
        lines = ", ".join(
            text("cart_line", lang, name=i["name"], quantity=number(i["quantity"], lang)) for i in selection
        )
        total = sum(_price(i) * i["quantity"] for i in selection)
        return text("cart_total", lang, count=len(selection), lines=lines, total=number(total, lang, 2))


def _price(item: dict[str, Any]) -> float:
    promo = item.get("promo_price")
    return float(promo if promo is not None else item.get("price") or 0.0)


def _label(offer: dict[str, Any], lang: str) -> str:
    label = f"{offer['name']} — {number(_price(offer), lang, 2)} {text('currency', lang)}"
    return label if len(label) <= 120 else label[:117] + "…"


def _staple(
    query: str, offers: list[dict[str, Any]], grams: float = 0.0, count: float = 1.0
) -> dict[str, Any] | None:
    """The ingredient a recipe means: a hit of the right type, the plainest name first (fresh cabbage, not pickled)."""
    fitting = relevant(Phrase(words=query.split()), offers, strict=True)
    if not fitting:
        return None
    wanted = query.split()

    def rank(offer: dict[str, Any]) -> tuple[int, bool, bool, int]:
        matched = sum(word_in(w, product_text(offer).stems) for w in wanted)
        # A pack so small that the dish needs many of it is a variant (vanilla sugar), not the staple.
        tiny = amount_for(offer, grams, count) > 4  # noqa: PLR2004
        return (-matched, tiny, fitting.index(offer) > 2, len(offer.get("name", "").split()))  # noqa: PLR2004

    return min(fitting, key=rank)


def amount_for(offer: dict[str, Any], grams: float, count: float) -> float:
    """A recipe amount in the product's own unit: kilograms on its step, or whole packs (at least one)."""
    if (offer.get("unit") or "pcs") == "kg":
        step = offer.get("quantity_step") or 0.1
        kilograms = grams / 1000 if grams > 0 else 0.5
        return round(max(offer.get("min_quantity") or step, math.ceil(kilograms / step - 1e-9) * step), 3)
    size, base, _ = pack_size(offer)
    if grams > 0 and size and base in ("g", "ml"):
        return float(max(1, math.ceil(grams / size - 0.15)))
    return float(max(1, math.ceil(count - 1e-9)))


def _vegetarian(profile: Any) -> bool:
    diet = profile.get("dietary", []) if isinstance(profile, dict) else getattr(profile, "dietary", []) or []
    return bool({"vegetarian", "vegan"} & set(diet))


def _plan_queries(u: Utterance, profile: Any, recipes: tuple[Recipe, ...] = ()) -> list[str]:
    queries = [
        q
        for day in plan_dishes(u.days, _vegetarian(profile), recipes)
        for _, r in day
        for q, _, _ in r.ingredients[:4]
    ]
    return list(dict.fromkeys(queries))
