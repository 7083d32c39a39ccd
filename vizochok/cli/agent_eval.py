"""`vizochok eval agent DATASET`: play labelled shopper messages over the real socket and judge the carts.

A throw-away tenant gets the dataset's catalog; its webhooks point at a recording retailer (the demo
retailer's code, with made-up prices) served by the same process. Each line is its own shopper and
conversation: the retailer's cart starts as the line's `setup_cart`, the `pre` messages are sent first,
then the judged message. What the shopper saw (frames) and where the retailer's cart ended are judged
by the rules of `shared/eval/README.md` ("Assistant evaluation data"); a cart that changed in a way the
line did not ask for is counted apart as a **wrong cart change**.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
import socket
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import uvicorn
import websockets

from vizochok.adapters.http.server import uvicorn_options
from vizochok.app import build_container, create_app
from vizochok.container import get
from vizochok.demo.retailer import DemoRetailer

if TYPE_CHECKING:
    from pathlib import Path

    from litestar import Litestar

    from vizochok.container import Container
    from vizochok.settings import Settings

_EPS = 1e-6
CART_INTENTS = ("add", "remove", "update", "clear", "add_ref")


# --- the recording retailer's prices ---------------------------------------------------------------


def made_up_prices(products: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A price, stock and sometimes a promo per SKU, derived from the SKU so every run sees the same store."""
    out: dict[str, dict[str, Any]] = {}
    for product in products:
        digest = int(hashlib.sha256(product["sku"].encode()).hexdigest()[:8], 16)
        price = round(15 + digest % 400 + (digest % 100) / 100, 2)
        entry: dict[str, Any] = {"price": price, "stock": 200}
        if digest % 5 == 0:
            entry.update(promo_price=round(price * 0.85, 2), promo_label="-15%")
        out[product["sku"]] = entry
    return out


# --- judging ---------------------------------------------------------------------------------------


@dataclass
class Verdict:
    """One line's outcome."""

    passed: bool
    wrong_change: bool
    why: str = ""


def _same(a: float, b: float) -> bool:
    return abs(a - b) < _EPS


def _cart_diff(start: dict[str, float], end: dict[str, float]) -> dict[str, tuple[float, float]]:
    """SKUs whose quantity changed: (before, after), 0 for absent."""
    return {
        s: (start.get(s, 0.0), end.get(s, 0.0))
        for s in set(start) | set(end)
        if not _same(start.get(s, 0.0), end.get(s, 0.0))
    }


def cards_of(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every product card a turn showed, in order."""
    return [c for f in frames if f["type"] == "product_cards" for c in f["items"]]


def referenced_sku(expect: dict[str, Any], shown: list[dict[str, Any]]) -> str | None:
    """The card an `add_ref` line points at among the cards of the last turn that showed cards."""
    if expect.get("ref") == "cheapest":
        stock = [c for c in shown if c.get("in_stock", True)]
        if not stock:
            return None
        cheapest = min(
            stock, key=lambda c: c["promo_price"] if c.get("promo_price") is not None else c["price"]
        )
        sku: str = cheapest["sku"]
        return sku
    index = int(expect.get("ref_index", 0)) - 1
    return shown[index]["sku"] if 0 <= index < len(shown) else None


def judge(  # noqa: C901, PLR0912 - one branch per intent of the dataset; split, the rules would scatter
    expect: dict[str, Any],
    start: dict[str, float],
    end: dict[str, float],
    frames: list[dict[str, Any]],
    shown: list[dict[str, Any]],
) -> Verdict:
    """Pass or miss, and whether the cart changed in a way the line did not ask for."""
    intent = expect["intent"]
    diff = _cart_diff(start, end)
    kinds = {f["type"] for f in frames}
    if intent in ("search", "recipe", "clarify", "none"):
        wrong = bool(diff)
        if intent == "search":
            wanted = set(expect["any_of_skus"])
            ok = any(c["sku"] in wanted for c in cards_of(frames))
        elif intent == "recipe":
            checklist = next((f for f in frames if f["type"] == "ingredient_checklist"), None)
            skus = {i["sku"] for i in checklist["items"]} if checklist else set()
            ok = checklist is not None and all(set(group) & skus for group in expect["must_include_any"])
        elif intent == "clarify":
            ok = "quick_replies" in kinds
        else:
            ok = not kinds & {"product_cards", "quick_replies", "ingredient_checklist", "meal_plan"} and any(
                f["type"] == "text_delta" for f in frames
            )
        return Verdict(ok and not wrong, wrong, "" if not wrong else f"cart changed: {diff}")
    if intent in ("add", "add_ref"):
        if intent == "add":
            items = [(set(i["any_of_skus"]), float(i["quantity"])) for i in expect["items"]]
        else:
            sku = referenced_sku(expect, shown)
            items = [({sku} if sku else set(), float(expect["quantity"]))]
        wrong, missing = False, 0
        covered: set[str] = set()
        for skus, quantity in items:
            hit = [s for s in skus if s in diff]
            covered.update(hit)
            if not hit:
                missing += 1
            elif not any(_same(diff[s][1] - diff[s][0], quantity) for s in hit):
                wrong = True
        wrong = wrong or bool(set(diff) - covered)
        return Verdict(not wrong and not missing, wrong, f"diff {diff}" if wrong or missing else "")
    if intent == "remove":
        target = {s: q for s, q in start.items() if s not in expect["removed_skus"]}
    elif intent == "update":
        target = {**start, **{s: float(q) for s, q in expect["updated"].items()}}
    else:  # clear
        target = {}
    # A line left untouched is a miss; a change toward anything but the target is wrong.
    wrong = any(not _same(after, target.get(s, 0.0)) for s, (_before, after) in diff.items())
    ok = _cart_diff(target, end) == {}
    return Verdict(ok and not wrong, wrong, f"diff {diff}" if not ok or wrong else "")


# --- playing the lines -----------------------------------------------------------------------------


@dataclass
class LineResult:
    """What one line did."""

    id: str
    lang: str
    intent: str
    text: str
    verdict: Verdict
    reply: str
    frames: list[str] = field(default_factory=list)
    seconds: float = 0.0


class _Client:
    """A raw protocol client, as a mobile app would write it."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws

    @classmethod
    async def connect(cls, url: str, token: str, **auth: Any) -> _Client:
        ws = await websockets.connect(url, max_size=None)
        client = cls(ws)
        await client.ws.send(json.dumps({"type": "auth", "token": token, **auth}))
        for _ in range(2):  # auth_ok, then conversation_started
            frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if frame["type"] == "error":
                msg = f"auth refused: {frame}"
                raise RuntimeError(msg)
        return client

    async def say(self, text: str, timeout: float = 60) -> list[dict[str, Any]]:  # noqa: ASYNC109 - per-frame wait
        await self.ws.send(json.dumps({"type": "message", "text": text}, ensure_ascii=False))
        frames = []
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), timeout))
            frames.append(frame)
            if frame["type"] in ("response_complete", "error"):
                return frames

    async def close(self) -> None:
        await self.ws.close()


def load_lines(path: Path) -> list[dict[str, Any]]:
    """The dataset's lines (`agent-utterances.jsonl`, or a folder holding it)."""
    file = path / "agent-utterances.jsonl" if path.is_dir() else path
    return [json.loads(line) for line in file.read_text("utf-8").splitlines() if line.strip()]


async def play(
    ws_url: str, token: str, store_id: str, retailer: DemoRetailer, line: dict[str, Any]
) -> LineResult:
    """One line as its own shopper: seed the cart, send `pre`, send the message, judge."""
    expect = line["expect"]
    user = f"eval-{line['id']}-{secrets.token_hex(3)}"
    start = {s: float(q) for s, q in (expect.get("setup_cart") or {}).items()}
    retailer.carts[(store_id, user)] = dict(start)
    began = time.perf_counter()
    client = await _Client.connect(ws_url, token, store_id=store_id, user_id=user)
    shown: list[dict[str, Any]] = []
    try:
        for text in expect.get("pre") or []:
            frames = await client.say(text)
            shown = cards_of(frames) or shown
        frames = await client.say(line["text"])
    finally:
        await client.close()
    end = dict(retailer.carts.get((store_id, user), {}))
    verdict = judge(expect, start, end, frames, shown)
    reply = "".join(f.get("delta", "") for f in frames if f["type"] == "text_delta")
    return LineResult(
        id=line["id"],
        lang=line["lang"],
        intent=expect["intent"],
        text=line["text"],
        verdict=verdict,
        reply=reply,
        frames=[f["type"] for f in frames if f["type"] not in ("status", "text_delta")],
        seconds=time.perf_counter() - began,
    )


def summarize(results: list[LineResult]) -> dict[str, Any]:
    """Pass rate and wrong cart changes, overall, per intent and per language."""

    def block(rows: list[LineResult]) -> dict[str, Any]:
        passed = sum(r.verdict.passed for r in rows)
        return {"lines": len(rows), "passed": passed, "pass_rate": round(passed / len(rows), 3) if rows else 0.0,
                "wrong_changes": sum(r.verdict.wrong_change for r in rows)}  # fmt: skip

    by_intent: dict[str, list[LineResult]] = defaultdict(list)
    by_lang: dict[str, list[LineResult]] = defaultdict(list)
    for r in results:
        by_intent[r.intent].append(r)
        by_lang[r.lang].append(r)
    return {
        "overall": block(results),
        "intent": {k: block(v) for k, v in sorted(by_intent.items())},
        "lang": {k: block(v) for k, v in sorted(by_lang.items())},
        "seconds_per_line": round(sum(r.seconds for r in results) / len(results), 3) if results else 0.0,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def evaluate(
    settings: Settings, dataset: Path, ids: set[str] | None = None, catalog: Path | None = None
) -> dict[str, Any]:
    """Serve the platform and a recording retailer on a loopback port, play every line, and summarise.

    `catalog` defaults to `catalog.json` next to the lines.
    """
    # One-off reads before anything is served: nothing else waits on the loop yet.
    folder = dataset if dataset.is_dir() else dataset.parent  # noqa: ASYNC240
    lines = [line for line in load_lines(dataset) if ids is None or line["id"] in ids]
    products = json.loads((catalog or folder / "catalog.json").read_text("utf-8"))["products"]
    settings = settings.model_copy(
        update={"webhooks": settings.webhooks.model_copy(update={"allow_private_hosts": True})}
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    retailer = DemoRetailer(products=made_up_prices(products), names={p["sku"]: p["name"] for p in products})
    tenant: dict[str, str] = {}

    async def on_ready(_app: Litestar, container: Container) -> None:
        tenants = await get(container.tenants)
        secret = secrets.token_urlsafe(32)
        store = f"eval-{secrets.token_hex(4)}"
        created = await tenants.create("agent evaluation", store, webhooks={"secret": secret},
                                       limits={"sockets_per_key": 50, "socket_messages_per_window": 1000})  # fmt: skip
        _, public_key = await tenants.create_key(created.id, "pk", ["chat"], name="agent evaluation")
        await tenants.update_webhooks(
            created.id,
            products_url=f"{base}/demo-retailer/products",
            cart_url=f"{base}/demo-retailer/cart",
            cart_get_url=f"{base}/demo-retailer/cart/items",
        )
        retailer.secret = secret
        catalog = await get(container.catalog_service)
        job, _ = await catalog.upsert(created.id, products)
        await catalog.wait(job.job_id)
        tenant.update(id=created.id, key=public_key, store=store)

    container = build_container(settings)
    app = create_app(settings, container=container, extra_routes=[retailer.router()], on_ready=[on_ready])
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", **uvicorn_options(settings))
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if serving.done():
                serving.result()
                msg = "the evaluation server did not start"
                raise RuntimeError(msg)
            await asyncio.sleep(0.05)
        ws_url = f"ws://127.0.0.1:{port}/api/v1/ws/chat"
        results = [await play(ws_url, tenant["key"], tenant["store"], retailer, line) for line in lines]
    finally:
        if tenant:
            database = await get(container.database)
            async with database.tenant(tenant["id"]) as conn:
                await conn.execute("DELETE FROM tenants WHERE id = %s", (tenant["id"],))
        server.should_exit = True
        await serving
    return {
        "dataset": str(dataset),
        "summary": summarize(results),
        "lines": [
            {
                "id": r.id,
                "lang": r.lang,
                "intent": r.intent,
                "text": r.text,
                "passed": r.verdict.passed,
                "wrong_change": r.verdict.wrong_change,
                "why": r.verdict.why,
                "frames": r.frames,
                "reply": r.reply,
            }
            for r in results
        ],
    }


def render(report: dict[str, Any], failures: bool = True) -> str:
    """A plain-text table, then the lines that did not pass."""
    summary = report["summary"]
    rows = [("overall", summary["overall"])]
    rows += [(f"intent {k}", v) for k, v in summary["intent"].items()]
    rows += [(f"lang {k}", v) for k, v in summary["lang"].items()]
    out = [f"{'':18}{'lines':>6}{'passed':>8}{'rate':>8}{'wrong':>7}"]
    out += [
        f"{name:18}{b['lines']:6d}{b['passed']:8d}{b['pass_rate']:8.3f}{b['wrong_changes']:7d}"
        for name, b in rows
    ]
    out.append(f"{summary['seconds_per_line']:.2f} s per line")
    if failures:
        for line in report["lines"]:
            if not line["passed"]:
                mark = "WRONG" if line["wrong_change"] else "miss"
                where = f"{line['id']} [{line['intent']}/{line['lang']}] {line['text']!r}"
                out.append(f"{mark:5} {where} -> {line['frames']} {line['why']} | {line['reply'][:120]}")
    return "\n".join(out)
