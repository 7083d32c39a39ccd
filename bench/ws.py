"""Benchmark of the chat socket: N simulated widgets over real sockets, beside a raw Litestar echo.

    python -m bench.ws [--conversations 200] [--turns 10] [--think 1.0] [--idle 10000] [--write]

Processes: this one (the widgets), the vizochok server, a raw Litestar echo server, and a local
retailer backend; PostgreSQL and Valkey are embedded unless `VIZOCHOK_DATABASE_URL` and
`VIZOCHOK_VALKEY_URL` are set. The model is a zero-latency scripted fake.

Every widget alternates a `message` (the model answers with text; no webhook) and an
`add_to_cart` card action (the cart webhook and the products webhook; no model).

Reported:
- turn overhead: server side, from the frame's arrival in the socket handler to `response_complete`
  leaving it, minus the time spent inside the model and the webhooks (measured by wrappers);
- time to first frame: server side, from the frame's arrival to the turn's first frame sent;
- round trips as the widget sees them (send → `response_complete`, send → first frame), and the
  echo server's round trip under the same schedule;
- messages per second with no think time (closed loop, N widgets);
- memory per idle connection: growth of the server's RSS over M authenticated, idle sockets.

`BENCH_TRACEMALLOC=FILE` writes where the vizochok server's idle-socket memory goes (tracemalloc, by
line); `BENCH_PROFILE=FILE` writes a cProfile of the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import json
import math
import os
import platform
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import websockets

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

ROOT = Path(__file__).resolve().parents[1]
PRODUCTS = 50
SKU = "sku-0"

# --- inside the vizochok server process --------------------------------------------------------

TURN: ContextVar[dict[str, float] | None] = ContextVar("bench_turn", default=None)
SAMPLES: dict[str, list[float]] = {"overhead": [], "first": [], "external": []}
PROFILER: list[Any] = []


def _external(seconds: float) -> None:
    clock = TURN.get()
    if clock is not None:
        clock["external"] += seconds


class TimedLLM:
    """Counts only the time spent inside the wrapped model's stream, not in the consumer between events."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def stream(self, request: Any) -> AsyncIterator[Any]:
        events = self._inner.stream(request).__aiter__()
        while True:
            started = time.perf_counter()
            try:
                event = await events.__anext__()
            except StopAsyncIteration:
                _external(time.perf_counter() - started)
                return
            _external(time.perf_counter() - started)
            yield event


class TimedWebhooks:
    """The real httpx webhooks, timed."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def _timed(self, name: str, *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return await getattr(self._inner, name)(*args)
        finally:
            _external(time.perf_counter() - started)

    async def fetch_prices(self, *args: Any) -> Any:
        return await self._timed("fetch_prices", *args)

    async def cart_operation(self, *args: Any) -> Any:
        return await self._timed("cart_operation", *args)

    async def get_cart(self, *args: Any) -> Any:
        return await self._timed("get_cart", *args)


def _vizochok_app() -> Any:  # noqa: C901 - the bench app's handlers, defined where its imports are
    from dependency_injector import providers  # noqa: PLC0415
    from litestar import WebSocket, get, websocket  # noqa: PLC0415
    from litestar.exceptions import WebSocketDisconnect  # noqa: PLC0415

    from vizochok.adapters.http.ws import ChatSocket, SocketSink  # noqa: PLC0415
    from vizochok.adapters.llm.fake import Reply, ScriptedLLM  # noqa: PLC0415
    from vizochok.adapters.webhook.httpx import HttpxRetailerWebhooks  # noqa: PLC0415
    from vizochok.app import build_container, create_app  # noqa: PLC0415
    from vizochok.core.frames import ResponseComplete  # noqa: PLC0415
    from vizochok.settings import get_settings  # noqa: PLC0415

    class BenchSink(SocketSink):
        async def send(self, frame: Any) -> None:
            await super().send(frame)
            clock = TURN.get()
            if clock is None:
                return
            now = time.perf_counter() - clock["start"]
            if "first" not in clock:
                clock["first"] = now
                SAMPLES["first"].append(now)
            if isinstance(frame, ResponseComplete):
                SAMPLES["overhead"].append(now - clock["external"])
                SAMPLES["external"].append(clock["external"])

    class BenchChatSocket(ChatSocket):
        def __init__(self, socket: Any, chat: Any) -> None:
            super().__init__(socket, chat)
            self.sink = BenchSink(socket)

        async def _on_frame(self, conn: Any, message: Mapping[str, Any]) -> None:
            # The turn task created inside inherits this context, and with it the turn's clock.
            token = TURN.set({"start": time.perf_counter(), "external": 0.0})
            try:
                await super()._on_frame(conn, message)
            finally:
                TURN.reset(token)

    @websocket("/bench/chat")
    async def bench_socket(socket: WebSocket[Any, Any, Any], chat: Any) -> None:
        with contextlib.suppress(WebSocketDisconnect):
            await BenchChatSocket(socket, chat).run()

    @get("/bench/stats", sync_to_thread=False)
    def stats() -> dict[str, list[float]]:
        out = {k: list(v) for k, v in SAMPLES.items()}
        if PROFILER:
            # One file per phase (warm-up, paced, saturated): dumping stops a profiler, so a fresh one takes over.
            PROFILER[-1].dump_stats(f"{os.environ['BENCH_PROFILE']}.{len(PROFILER)}")
            PROFILER.append(cProfile.Profile(time.process_time))
            PROFILER[-1].enable()
        for samples in SAMPLES.values():
            samples.clear()
        return out

    settings = get_settings()
    container = build_container(settings)
    words = [
        "Ось",
        "що",
        "я",
        "знайшов",
        "для",
        "вас",
        "сьогодні",
        "у",
        "нашому",
        "магазині",
        "свіже",
        "молоко",
        "і",
        "хліб",
    ]
    llm = TimedLLM(
        ScriptedLLM(lambda _r, _i: Reply(text=" ".join(words), prompt_tokens=100, completion_tokens=20))
    )
    container.llm_for.override(providers.Object(lambda _tenant: llm))
    container.webhooks.override(
        providers.Singleton(
            TimedWebhooks,
            providers.Singleton(HttpxRetailerWebhooks, container.http_client, settings.webhooks),
        )
    )
    return create_app(settings, container=container, extra_routes=[bench_socket, stats])


def _echo_app() -> Any:
    from litestar import Litestar, WebSocket, get, websocket  # noqa: PLC0415
    from litestar.exceptions import WebSocketDisconnect  # noqa: PLC0415

    @websocket("/echo")
    async def echo(socket: WebSocket[Any, Any, Any]) -> None:
        await socket.accept()
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                await socket.send_text(await socket.receive_text())

    @get("/readyz", sync_to_thread=False)
    def ready() -> dict[str, str]:
        return {"status": "ready"}

    return Litestar([echo, ready])


def _retailer_app(secret: str) -> Any:
    from litestar import Litestar, get  # noqa: PLC0415

    from vizochok.demo.retailer import DemoRetailer  # noqa: PLC0415

    class BenchRetailer(DemoRetailer):
        def cart_items(self, store: str, session: str) -> dict[str, Any]:
            # Every shopper's cart starts with one product, so a card action has a SKU it may act on.
            self.carts.setdefault((store, session), {SKU: 1})
            return super().cart_items(store, session)

    products = {f"sku-{i}": {"price": 40.0 + i, "stock": 10**9} for i in range(PRODUCTS)}
    retailer = BenchRetailer(products=products, names={s: f"Товар {s}" for s in products}, secret=secret)

    @get("/readyz", sync_to_thread=False)
    def ready() -> dict[str, str]:
        return {"status": "ready"}

    return Litestar([retailer.router(), ready])


def _trace_allocations(path: str) -> None:
    """Where idle sockets' memory goes: SIGUSR1 before and after the idle phase writes the growth by line."""
    import gc  # noqa: PLC0415
    import signal  # noqa: PLC0415
    import tracemalloc  # noqa: PLC0415

    tracemalloc.start(8)
    snapshots: list[tracemalloc.Snapshot] = []

    def dump(*_: object) -> None:
        gc.collect()
        snapshots.append(tracemalloc.take_snapshot())
        if len(snapshots) == 2:
            stats = snapshots[1].compare_to(snapshots[0], "lineno")
            lines = [f"total {sum(s.size_diff for s in stats)} bytes"]
            lines += [f"{s.size_diff} {s.count_diff} {s.traceback[0]}" for s in stats[:200]]
            Path(path).write_text("\n".join(lines) + "\n")

    signal.signal(signal.SIGUSR1, dump)


def serve(kind: str, port: int, secret: str, ws: str) -> None:
    """Child process entry point."""
    import logging  # noqa: PLC0415

    import uvicorn  # noqa: PLC0415

    # A log line per webhook request would be measured as turn overhead.
    logging.basicConfig(level=logging.WARNING, force=True)
    for name in ("httpx", "httpcore", "vizochok"):
        logging.getLogger(name).setLevel(logging.WARNING)
    app = {"vizochok": _vizochok_app, "echo": _echo_app}.get(kind, lambda: _retailer_app(secret))()
    profile = os.environ.get("BENCH_PROFILE") if kind == "vizochok" else None
    if profile:  # where the server's time goes: BENCH_PROFILE=/tmp/server.prof python -m bench.ws … writes
        # /tmp/server.prof.1 (warm-up), .2 (paced run) and .3 (saturated run). CPU time, not wall time:
        # on a shared machine a wall clock charges the time the process waits for a core to whatever ran.
        PROFILER.append(cProfile.Profile(time.process_time))
        PROFILER[0].enable()
    from vizochok.adapters.http.server import uvicorn_options  # noqa: PLC0415
    from vizochok.settings import get_settings  # noqa: PLC0415

    # Both servers get `vizochok serve`'s socket stack, so the echo is the floor vizochok stands on.
    options = uvicorn_options(get_settings())
    if ws != "serve":
        options["ws"] = ws
    if kind == "vizochok" and os.environ.get("BENCH_TRACEMALLOC"):
        _trace_allocations(os.environ["BENCH_TRACEMALLOC"])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", **options)


# --- the widgets (this process) ----------------------------------------------------------------


class Child:
    """A server in a child process."""

    def __init__(self, kind: str, env: dict[str, str], secret: str = "", ws: str = "serve") -> None:
        from tests.helpers import free_port  # noqa: PLC0415

        self.kind = kind
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "bench.ws", "--serve", kind, "--port", str(self.port), "--secret", secret,
             "--ws", ws],
            env=env, cwd=ROOT,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} server exited")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base}/readyz", timeout=1).status_code == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"{self.kind} server did not start")

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def cpu_split(self) -> tuple[float, float]:
        """User and system CPU time the process used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        tick = os.sysconf("SC_CLK_TCK")
        return int(fields[11]) / tick, int(fields[12]) / tick

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def pct(samples: list[float], p: float) -> float:
    """Percentile in milliseconds (nearest rank)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return 1000 * ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


async def _recv(ws: Any) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.recv(), 60))  # type: ignore[no-any-return]


async def chat_widget(
    url: str, key: str, user: str, turns: int, think: float, out: dict[str, list[float]]
) -> None:
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "auth", "token": key, "user_id": user}))
        hello = [await _recv(ws), await _recv(ws)]
        assert hello[0]["type"] == "auth_ok", hello
        for i in range(turns):
            if think:
                await asyncio.sleep(random.uniform(0.5, 1.5) * think)
            frame = (
                {"type": "message", "text": f"покажи молоко {i}"} if i % 2 == 0
                else {"type": "action", "action": "add_to_cart", "sku": SKU, "quantity": 1}
            )  # fmt: skip
            started = time.perf_counter()
            await ws.send(json.dumps(frame, ensure_ascii=False))
            first = None
            while True:
                current = await _recv(ws)
                if current["type"] == "ping":
                    await ws.send('{"type":"pong"}')
                    continue
                first = first or time.perf_counter() - started
                if current["type"] == "error":
                    out["errors"].append(1)
                if current["type"] == "response_complete":
                    break
            out["rtt"].append(time.perf_counter() - started)
            out["first"].append(first)


async def echo_widget(url: str, turns: int, think: float, out: dict[str, list[float]]) -> None:
    payload = json.dumps({"type": "message", "text": "покажи молоко 0"}, ensure_ascii=False)
    async with websockets.connect(url) as ws:
        for _ in range(turns):
            if think:
                await asyncio.sleep(random.uniform(0.5, 1.5) * think)
            started = time.perf_counter()
            await ws.send(payload)
            await asyncio.wait_for(ws.recv(), 60)
            out["rtt"].append(time.perf_counter() - started)


async def load(kind: str, server: Child, key: str, n: int, turns: int, think: float) -> dict[str, Any]:
    out: dict[str, list[float]] = {"rtt": [], "first": [], "errors": []}
    tag = secrets.token_hex(3)
    started, (user, system) = time.perf_counter(), server.cpu_split()
    if kind == "echo":
        url = f"ws://127.0.0.1:{server.port}/echo"
        await asyncio.gather(*(echo_widget(url, turns, think, out) for _ in range(n)))
    else:
        url = f"ws://127.0.0.1:{server.port}/bench/chat"
        await asyncio.gather(*(chat_widget(url, key, f"w{tag}-{i}", turns, think, out) for i in range(n)))
    elapsed = time.perf_counter() - started
    result: dict[str, Any] = {
        "rtt": out["rtt"],
        "first": out["first"],
        "errors": len(out["errors"]),
        "elapsed": elapsed,
    }
    # CPU per turn includes connecting and the handshake; it is what contention on a shared machine changes least.
    user_after, system_after = server.cpu_split()
    result["cpu_ms"] = 1000 * (user_after + system_after - user - system) / max(1, len(out["rtt"]))
    result["sys_ms"] = 1000 * (system_after - system) / max(1, len(out["rtt"]))
    if kind != "echo":
        # Read once the widgets are done: nothing else waits on the loop.
        result["server"] = httpx.get(f"{server.base}/bench/stats", timeout=30).json()  # noqa: ASYNC210
    return result


async def idle(kind: str, server: Child, key: str, count: int) -> tuple[float, int]:
    """Open `count` idle sockets (authenticated for vizochok); the server's RSS growth per socket in KB."""
    if count <= 0:
        return float("nan"), 0
    sockets: list[Any] = []
    gate = asyncio.Semaphore(100)
    tag = secrets.token_hex(3)
    tracing = kind == "vizochok" and bool(os.environ.get("BENCH_TRACEMALLOC"))
    if tracing:
        os.kill(server.proc.pid, signal.SIGUSR1)
        await asyncio.sleep(2)
    before = server.rss_kb()

    async def one(i: int) -> None:
        async with gate:
            if kind == "echo":
                sockets.append(await websockets.connect(f"ws://127.0.0.1:{server.port}/echo"))
                return
            ws = await websockets.connect(f"ws://127.0.0.1:{server.port}/bench/chat")
            await ws.send(json.dumps({"type": "auth", "token": key, "user_id": f"idle{tag}-{i}"}))
            await _recv(ws)
            await _recv(ws)
            sockets.append(ws)

    await asyncio.gather(*(one(i) for i in range(count)))
    await asyncio.sleep(3)
    after = server.rss_kb()
    if tracing:
        os.kill(server.proc.pid, signal.SIGUSR1)
        await asyncio.sleep(10)
    opened = len(sockets)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return (after - before) / max(1, opened), opened


async def setup_tenant(settings: Any, retailer: str, secret: str) -> str:
    """A tenant with raised limits, a searchable catalog (placeholder vectors) and the local retailer."""
    from vizochok.adapters.db import Database  # noqa: PLC0415
    from vizochok.adapters.db.catalog import PostgresCatalogRepository  # noqa: PLC0415
    from vizochok.adapters.db.tables import EMBEDDING_DIM  # noqa: PLC0415
    from vizochok.adapters.db.tenants import PostgresTenantRepository  # noqa: PLC0415
    from vizochok.adapters.security.secrets import SecretBox  # noqa: PLC0415
    from vizochok.core.models import ProductInput  # noqa: PLC0415

    db = Database(settings.database_url, pool_size=2)
    await db.open()
    try:
        tenants = PostgresTenantRepository(db, SecretBox(settings.secret_key.get_secret_value()))
        big = 10**9
        tenant = await tenants.create(
            "Bench", f"bench-{secrets.token_hex(3)}",
            webhooks={"secret": secret, "products_url": f"{retailer}/demo-retailer/products",
                      "cart_url": f"{retailer}/demo-retailer/cart",
                      "cart_get_url": f"{retailer}/demo-retailer/cart/items"},
            limits={"sockets_per_key": big, "socket_messages_per_window": big, "user_messages_per_day": big,
                    "user_conversations_per_day": big, "tenant_tokens_per_day": big * 1000,
                    "tenant_tokens_per_month": big * 1000, "session_token_limit": big,
                    # The widgets here do not answer server pings; the idle phase must not be cut short.
                    "ping_interval_seconds": 3600},
        )  # fmt: skip
        _, key = await tenants.create_key(tenant.id, "pk", ["chat"])
        catalog = PostgresCatalogRepository(db)
        products = [ProductInput(sku=f"sku-{i}", name=f"Товар {i}") for i in range(PRODUCTS)]
        job = f"job_bench_{secrets.token_hex(4)}"  # job ids are global: one per tenant set up
        await catalog.upsert(tenant.id, job, products)
        pending = await catalog.pending_embeddings(tenant.id, job, PRODUCTS)
        vector = [1 / math.sqrt(EMBEDDING_DIM)] * EMBEDDING_DIM
        await catalog.store_embeddings(tenant.id, [(p.sku, h, vector) for p, h in pending])
    finally:
        await db.close()
    return key


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return (
        f"{cpu}, {os.cpu_count()} cores, {int(mem) // 1024 // 1024} GiB RAM, Linux {platform.release()},"
        f" Python {platform.python_version()}"
    )


def _socket_stack(ws: str) -> str:
    from vizochok.adapters.http.server import uvicorn_options  # noqa: PLC0415
    from vizochok.settings import get_settings  # noqa: PLC0415

    options = uvicorn_options(get_settings())
    if ws != "serve":
        options["ws"] = ws
    return ", ".join(f"{k}={v}" for k, v in options.items())


def report(args: argparse.Namespace, runs: dict[str, Any], memory: dict[str, tuple[float, int]]) -> str:
    chat, echo = runs["chat"], runs["echo"]
    sat_chat, sat_echo = runs["chat_sat"], runs["echo_sat"]
    server = chat["server"]

    def ms(samples: list[float], p: float) -> str:
        return f"{pct(samples, p):.1f}"

    lines = [
        (
            f"Machine: {machine()}. Server, echo server, retailer, PostgreSQL, Valkey and the {args.conversations} "
            "widgets all share these cores."
        ),
        (
            f"uvicorn WebSocket options: `{_socket_stack(args.ws)}`. Run: {args.conversations} concurrent"
            f" conversations × {args.turns} turns (half messages, half `add_to_cart`), "
            f"think time {args.think} s ±50 %; saturated run with no think time; {args.idle} idle sockets per server."
        ),
        "",
        "| metric | vizochok | raw Litestar echo | target |",
        "|---|---|---|---|",
        (
            "| turn overhead p50 / p99, server side (ms, minus model and webhooks)"
            f" | {ms(server['overhead'], 50)} / {ms(server['overhead'], 99)} | — | ≤ 10 / ≤ 40 |"
        ),
        (
            "| time to first frame p50 / p99, server side (ms)"
            f" | {ms(server['first'], 50)} / {ms(server['first'], 99)} | — | ≤ 5 p50 |"
        ),
        f"| model + webhook time per turn p50 (ms) | {ms(server['external'], 50)} | — | |",
        (
            "| round trip as the widget sees it p50 / p99 (ms; echo: one frame)"
            f" | {ms(chat['rtt'], 50)} / {ms(chat['rtt'], 99)} | {ms(echo['rtt'], 50)} / {ms(echo['rtt'], 99)} | |"
        ),
        f"| first frame as the widget sees it p50 (ms) | {ms(chat['first'], 50)} | — | |",
        (
            "| server CPU per turn, paced / saturated (ms; echo: per message)"
            f" | {chat['cpu_ms']:.2f} / {sat_chat['cpu_ms']:.2f} | {echo['cpu_ms']:.2f} / {sat_echo['cpu_ms']:.2f}"
            " | |"
        ),
        (
            "| of which kernel (system) time, paced / saturated (ms)"
            f" | {chat['sys_ms']:.2f} / {sat_chat['sys_ms']:.2f} | {echo['sys_ms']:.2f} / {sat_echo['sys_ms']:.2f}"
            " | |"
        ),
        (
            f"| messages/s, {args.conversations} widgets, no think time"
            f" | {len(sat_chat['rtt']) / sat_chat['elapsed']:.0f}"
            f" | {len(sat_echo['rtt']) / sat_echo['elapsed']:.0f} | |"
        ),
        (
            f"| round trip p50 / p99 at saturation (ms) | {ms(sat_chat['rtt'], 50)} / {ms(sat_chat['rtt'], 99)}"
            f" | {ms(sat_echo['rtt'], 50)} / {ms(sat_echo['rtt'], 99)} | |"
        ),
        (
            "| turn overhead p50 / p99 at saturation, server side (ms)"
            f" | {ms(sat_chat['server']['overhead'], 50)} / {ms(sat_chat['server']['overhead'], 99)} | — | |"
        ),
        (
            "| memory per idle socket (KB of server RSS; sockets opened)"
            f" | {memory['chat'][0]:.1f} ({memory['chat'][1]}) | {memory['echo'][0]:.1f} ({memory['echo'][1]})"
            " | ≤ 30 at ≥ 10,000 |"
        ),
        f"| error frames | {chat['errors'] + sat_chat['errors']} | — | 0 |",
    ]
    return "\n".join(lines)


async def run(args: argparse.Namespace, settings: Any, env: dict[str, str]) -> str:
    secret = secrets.token_urlsafe(16)
    retailer = Child("retailer", env, secret)
    retailer.wait_ready()
    key = await setup_tenant(settings, retailer.base, secret)
    servers = {"chat": Child("vizochok", env, ws=args.ws), "echo": Child("echo", env, ws=args.ws)}
    try:
        for server in servers.values():
            server.wait_ready()
        # Warm up: connections, pools, code paths.
        await load("vizochok", servers["chat"], key, 20, 4, 0)
        await load("echo", servers["echo"], key, 20, 4, 0)
        runs = {
            "chat": await load("vizochok", servers["chat"], key, args.conversations, args.turns, args.think),
            "echo": await load("echo", servers["echo"], key, args.conversations, args.turns, args.think),
            "chat_sat": await load("vizochok", servers["chat"], key, args.conversations, args.turns, 0),
            "echo_sat": await load("echo", servers["echo"], key, args.conversations, args.turns, 0),
        }
        memory = {
            "chat": await idle("vizochok", servers["chat"], key, args.idle),
            "echo": await idle("echo", servers["echo"], key, args.idle),
        }
    finally:
        for server in (*servers.values(), retailer):
            server.stop()
    return report(args, runs, memory)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between a widget's turns")
    parser.add_argument("--idle", type=int, default=10_000)
    parser.add_argument(
        "--ws",
        default="serve",
        help="uvicorn's WebSocket implementation (default: what `vizochok serve` uses)",
    )
    parser.add_argument("--write", action="store_true", help="append the results to bench/RESULTS.md")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--secret", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.secret, args.ws)
        return 0

    from vizochok.bootstrap import environment, prepare  # noqa: PLC0415
    from vizochok.settings import get_settings  # noqa: PLC0415

    data_dir = tempfile.mkdtemp(prefix="vizochok-bench-")
    prepared = prepare(get_settings(data_dir=data_dir, webhooks={"allow_private_hosts": True}))
    env = {
        **os.environ,
        **environment(prepared.settings),
        "VIZOCHOK_DATA_DIR": data_dir,
        "VIZOCHOK_WEBHOOKS__ALLOW_PRIVATE_HOSTS": "true",
        "PYTHONPATH": str(ROOT),
        "VIZOCHOK_LOG_LEVEL": "WARNING",
    }
    try:
        text = asyncio.run(run(args, prepared.settings, env))
    finally:
        prepared.stop()
    print(text)
    if args.write:
        path = ROOT / "bench" / "RESULTS.md"
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        with path.open("a", encoding="utf-8") as out:
            out.write(f"\n### Run of {stamp}\n\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
