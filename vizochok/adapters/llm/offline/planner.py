"""A rule-based planner that speaks the LLM port: it reads the conversation and calls tools like a model would."""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any

from vizochok.adapters.llm.offline.intents import Intent, Item, parse_intent
from vizochok.adapters.llm.offline.recipes import plan_dishes
from vizochok.adapters.llm.offline.texts import reason, text
from vizochok.core.chat import ToolCall
from vizochok.core.language import detect_language
from vizochok.core.llm import LLMEvent, LLMRequest, TextChunk, ToolCallChunk, Usage
from vizochok.core.search import normalize

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

MAX_SHOWN = 6
_CART_TOOLS = {"add_to_selection", "remove_from_selection", "update_selection_quantity", "clear_selection"}


def _qty(value: float) -> str:
    return f"{value:g}"


def _quantity_for(item: Item, offer: dict[str, Any]) -> float:
    """The shopper's quantity in the product's own unit."""
    unit = offer.get("unit") or "pcs"
    quantity = item.quantity or 1.0
    if item.unit == "g" and unit == "kg":
        return round(quantity / 1000, 3)
    if item.unit == "dozen":
        # "десяток яєць" in packs: a pack of 10 or 30 is enough for a dozen; loose eggs are counted one by one.
        pack = re.search(r"(\d+)\s*(?:шт|pcs)", offer.get("name", "").casefold())
        size = int(pack.group(1)) if pack else 1
        return float(max(1, math.ceil(quantity * 10 / size)))
    if unit == "pcs":
        return float(max(1, round(quantity)))
    return quantity


MAX_QUERY = 200
"""Longest query `search_products` takes (its argument schema)."""


def _searchable(call: tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]] | None:
    """A search call the tool accepts: a refused one comes back without a `query`, which the steps
    below look answers up by (issue 13: a message over 200 characters ended in `KeyError: 'query'`)."""
    name, args = call
    if name != "search_products":
        return call
    query = str(args.get("query", "")).strip()[:MAX_QUERY].strip()
    return (name, {**args, "query": query}) if query else None


class _Step:
    def __init__(self, calls: list[tuple[str, dict[str, Any]]] | None = None, reply: str = "") -> None:
        self.calls = [c for c in map(_searchable, calls or []) if c is not None]
        self.reply = reply


class OfflineLLM:
    """Deterministic and free: records zero tokens (DECISIONS §1)."""

    async def stream(self, request: LLMRequest) -> AsyncIterator[LLMEvent]:
        """Decide the next step from the last user message and the tool results since."""
        last_user = max(i for i, m in enumerate(request.messages) if m.role == "user")
        user_text = request.messages[last_user].content
        results = [
            (m.name or "", json.loads(m.content or "{}"))
            for m in request.messages[last_user + 1 :]
            if m.role == "tool"
        ]
        # "Change the plan: …" restarts planning from the shopper's new words.
        for index in range(len(results) - 1, -1, -1):
            if "modify" in results[index][1]:
                user_text, results = str(results[index][1]["modify"]), results[index + 1 :]
                break
        lang = request.language or detect_language(user_text)
        step = self._decide(parse_intent(user_text), results, request.context, lang)
        for index, (name, args) in enumerate(step.calls):
            yield ToolCallChunk(call=ToolCall(id=f"offline_{len(request.messages)}_{index}", name=name, arguments=args))
        for word in re.findall(r"\S+\s*", step.reply):
            yield TextChunk(delta=word)
        yield Usage(prompt_tokens=0, completion_tokens=0)

    def _decide(self, intent: Intent, results: list[tuple[str, dict[str, Any]]], context: dict[str, Any], lang: str) -> _Step:
        selection: list[dict[str, Any]] = context.get("selection", [])
        if not results:
            return self._first(intent, selection, context, lang)
        names = {name for name, _ in results}
        searches = [r for name, r in results if name == "search_products"]
        if names & _CART_TOOLS:
            return _Step(reply=self._summary(results, lang))
        if "ask_user" in names:
            return self._after_choice(intent, searches, dict(results)["ask_user"])
        if names == {"search_products"}:
            if intent.kind == "recipe" and intent.recipe is not None:
                return self._checklist(intent, searches, lang)
            if intent.kind == "meal_plan":
                return self._meal_plan(intent, searches, context, lang)
            return self._after_search(intent, searches, lang)
        if names & {"show_recipe_checklist", "show_meal_plan"}:
            return _Step()  # the interactive frame speaks for itself; the turn is paused
        return _Step(reply=self._summary(results, lang))

    def _first(self, intent: Intent, selection: list[dict[str, Any]], context: dict[str, Any], lang: str) -> _Step:
        if intent.kind == "greet":
            return _Step(reply=text("greet", lang))
        if intent.kind == "clear":
            return _Step([("clear_selection", {})])
        if intent.kind == "cart":
            return _Step(reply=self._cart(selection, lang))
        if intent.kind in ("remove", "update"):
            calls, missing = [], []
            for item in intent.items:
                line = _match_line(item.query, selection)
                if line is None:
                    missing.append(text("not_in_cart", lang, query=item.query))
                elif intent.kind == "remove":
                    calls.append(("remove_from_selection", {"sku": line["sku"]}))
                else:
                    calls.append(("update_selection_quantity", {"sku": line["sku"], "quantity": item.quantity or 1}))
            return _Step(calls, " ".join(missing)) if calls else _Step(reply=" ".join(missing) or text("cart_empty", lang))
        if intent.kind == "recipe" and intent.recipe is not None:
            return _Step([("search_products", {"query": q}) for q, _, _ in intent.recipe.ingredients])
        if intent.kind == "meal_plan":
            return _Step([("search_products", {"query": q}) for q in _plan_queries(intent, context)])
        return _Step([("search_products", {"query": item.query}) for item in intent.items])

    def _checklist(self, intent: Intent, searches: list[dict[str, Any]], lang: str) -> _Step:
        recipe = intent.recipe
        assert recipe is not None  # noqa: S101 - checked by the caller
        scale = intent.servings / 4
        items, missing = [], []
        by_query = {s["query"]: s.get("items", []) for s in searches}
        for query, kilograms, packs in recipe.ingredients:
            offers = by_query.get(query) or []
            if not offers:
                missing.append(query)
                continue
            items.append({"sku": offers[0]["sku"], "quantity": _amount(offers[0], kilograms, packs, scale)})
        if not items:
            return _Step(reply=text("no_prices", lang) if any(s.get("error") for s in searches) else text("not_found", lang, query=recipe.names[lang]))
        reply = text("recipe", lang, dish=recipe.names.get(lang, recipe.names["uk"]), servings=intent.servings)
        if missing:
            reply += text("recipe_missing", lang, items=", ".join(missing))
        args = {"recipe": recipe.names.get(lang, recipe.names["uk"]), "servings": intent.servings, "items": items}
        return _Step([("show_recipe_checklist", args)], reply)

    def _meal_plan(self, intent: Intent, searches: list[dict[str, Any]], context: dict[str, Any], lang: str) -> _Step:
        by_query = {s["query"]: (s.get("items") or [None])[0] for s in searches}
        days = []
        for number, meals in enumerate(plan_dishes(intent.days, _vegetarian(context)), start=1):
            day_meals = []
            for meal, recipe in meals:
                lines = []
                for query, kilograms, packs in recipe.ingredients[:4]:
                    offer = by_query.get(query)
                    if offer is not None:
                        lines.append({"sku": offer["sku"], "quantity": _amount(offer, kilograms, packs, 1.0)})
                day_meals.append({"name": text(meal, lang, dish=recipe.names.get(lang, recipe.names["uk"])), "items": lines})
            days.append({"day": text("day", lang, n=number), "meals": day_meals})
        return _Step([("show_meal_plan", {"days": days})], text("meal_plan", lang, days=intent.days))

    def _after_choice(self, intent: Intent, searches: list[dict[str, Any]], choice: dict[str, Any]) -> _Step:
        answer = str(choice.get("answer", ""))
        offers = {o["sku"]: o for s in searches for o in s.get("items", [])}
        if answer in offers and intent.items:
            return _Step([("add_to_selection", {"sku": answer, "quantity": _quantity_for(intent.items[0], offers[answer])})])
        return _Step([("search_products", {"query": answer})]) if answer else _Step()

    def _after_search(self, intent: Intent, searches: list[dict[str, Any]], lang: str) -> _Step:
        if any(s.get("error") == "prices_unavailable" for s in searches):
            return _Step(reply=text("no_prices", lang))
        not_found = [text("not_found", lang, query=s["query"]) for s in searches if not s.get("items")]
        if intent.kind == "add" and len(searches) == 1 and _ambiguous(searches[0].get("items", [])):
            offers = searches[0]["items"][:4]
            options = [{"label": f"{o['name']} — {o.get('promo_price') or o['price']:.2f}", "value": o["sku"]} for o in offers]
            return _Step([("ask_user", {"question": text("which", lang, query=searches[0]["query"]), "options": options})])
        if intent.kind == "add":
            calls = []
            for item, search in zip(intent.items, searches, strict=False):
                if search.get("items"):
                    offer = _pick(item, search["items"])
                    calls.append(("add_to_selection", {"sku": offer["sku"], "quantity": _quantity_for(item, offer)}))
            return _Step(calls, " ".join(not_found)) if calls else _Step(reply=" ".join(not_found))
        offers = [o for s in searches for o in s.get("items", [])][:MAX_SHOWN]
        if not offers:
            return _Step(reply=" ".join(not_found))
        reply = text("found", lang, query=searches[0]["query"])
        promo = next((o for o in offers if o.get("promo_price") is not None), None)
        if promo:
            reply += text("promo", lang, name=promo["name"], promo=f"{promo['promo_price']:.2f}", price=f"{promo['price']:.2f}")
        return _Step([("show_products", {"skus": [o["sku"] for o in offers]})], reply)

    def _summary(self, results: list[tuple[str, dict[str, Any]]], lang: str) -> str:
        parts = []
        for name, result in results:
            if name == "search_products" and not result.get("items"):
                parts.append(text("not_found", lang, query=result.get("query", "")))
            elif name == "add_to_selection":
                if result.get("ok"):
                    parts.append(text("added", lang, name=result["name"], quantity=_qty(result["quantity"])))
                else:
                    parts.append(text("add_failed", lang, name=result.get("name") or result.get("sku", ""), reason=reason(result.get("reason") or result.get("error"), lang)))
            elif name == "remove_from_selection":
                parts.append(text("removed", lang, name=result.get("name", "")) if result.get("ok") else text("change_failed", lang, reason=reason(result.get("reason") or result.get("error"), lang)))
            elif name == "update_selection_quantity":
                parts.append(text("updated", lang, name=result.get("sku", ""), quantity=_qty(result.get("quantity", 0))) if result.get("ok") else text("change_failed", lang, reason=reason(result.get("reason") or result.get("error"), lang)))
            elif name == "clear_selection":
                parts.append(text("cleared", lang) if result.get("ok") else text("change_failed", lang, reason=reason(result.get("reason"), lang)))
        return " ".join(parts)

    @staticmethod
    def _cart(selection: list[dict[str, Any]], lang: str) -> str:
        if not selection:
            return text("cart_empty", lang)
        lines = ", ".join(text("cart_line", lang, name=i["name"], quantity=_qty(i["quantity"])) for i in selection)
        total = sum((i["promo_price"] if i.get("promo_price") is not None else i["price"]) * i["quantity"] for i in selection)
        return text("cart_total", lang, lines=lines, total=f"{total:.2f}")


def _pick(item: Item, offers: list[dict[str, Any]]) -> dict[str, Any]:
    """The best offer, preferring one sold by weight when the shopper asked by weight ("2 кг картоплі")."""
    if item.unit in ("kg", "g"):
        by_weight = [o for o in offers[:5] if o.get("unit") == "kg"]
        if by_weight:
            return by_weight[0]
    return offers[0]


def _ambiguous(offers: list[dict[str, Any]]) -> bool:
    """Very different best matches: the two best hits come from different departments."""
    top = [(o.get("category") or "").split(">")[0].strip() for o in offers[:2]]
    return len(top) == 2 and top[0] != top[1]  # noqa: PLR2004


def _vegetarian(context: dict[str, Any]) -> bool:
    profile = context.get("profile") or {}
    diet = profile.get("dietary", []) if isinstance(profile, dict) else getattr(profile, "dietary", [])
    return bool({"vegetarian", "vegan"} & set(diet))


def _plan_queries(intent: Intent, context: dict[str, Any]) -> list[str]:
    queries = [q for day in plan_dishes(intent.days, _vegetarian(context)) for _, r in day for q, _, _ in r.ingredients[:4]]
    return list(dict.fromkeys(queries))


def _amount(offer: dict[str, Any], kilograms: float, packs: int, scale: float) -> float:
    """A recipe amount in the product's own unit."""
    if (offer.get("unit") or "pcs") == "kg" and kilograms > 0:
        return max(0.1, round(kilograms * scale, 1))
    return float(max(1, math.ceil(packs * scale)))


def _match_line(query: str, selection: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The cart line whose name shares the most word stems with the query."""
    stems = {w[:4] for w in re.findall(r"\w+", normalize(query)) if len(w) > 2}  # noqa: PLR2004
    best, best_score = None, 0
    for line in selection:
        words = {w[:4] for w in re.findall(r"\w+", normalize(line["name"]))}
        score = len(stems & words)
        if score > best_score:
            best, best_score = line, score
    return best
