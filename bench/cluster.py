"""Benchmark of scale-out: conversations through two app processes on a 3-primary Valkey cluster.

    python -m bench.cluster [--conversations 100] [--turns 6] [--think 0.5] [--tenants 6] [--rounds 2] [--write]

Three topologies, measured in one run so that they share the machine's load:
- `1 app, 1 valkey` — the anchor: one app process on the embedded single Valkey;
- `2 apps, 1 valkey` — two app processes sharing that Valkey;
- `2 apps, cluster` — two app processes on a local Valkey cluster of 3 primaries and 3 replicas
  (`valkey+cluster://`), every turn's end acknowledged by a replica (WAIT) before `response_complete`.

PostgreSQL is the embedded one for all three. The widgets are bench/ws.py's: each alternates a
`message` (scripted zero-latency model) and an `add_to_cart` action (cart and products webhooks on a
local retailer); widget i talks to app process i mod N and to tenant i mod `--tenants` (a tenant's
keys live on one cluster primary, so several tenants are what spreads the cluster's load).

Reported per topology: turns/s with no think time (closed loop), and paced round-trip p50/p99 and the
server-side turn overhead p99 (bench/ws.py's wrappers), each also as a ratio to the anchor.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.ws import ROOT, Child, chat_widget, machine, pct, setup_tenant


async def drive(apps: list[Child], keys: list[str], n: int, turns: int, think: float) -> dict[str, Any]:
    """`n` widgets spread over the app processes and tenants; round trips, errors, server samples."""
    out: dict[str, list[float]] = {"rtt": [], "first": [], "errors": []}
    tag = secrets.token_hex(3)
    started = time.perf_counter()
    await asyncio.gather(
        *(
            chat_widget(
                f"ws://127.0.0.1:{apps[i % len(apps)].port}/bench/chat",
                keys[i % len(keys)],
                f"c{tag}-{i}",
                turns,
                think,
                out,
            )
            for i in range(n)
        )
    )
    elapsed = time.perf_counter() - started
    overhead: list[float] = []
    for app in apps:
        # Read once the widgets are done: nothing else waits on the loop.
        overhead += httpx.get(f"{app.base}/bench/stats", timeout=30).json()["overhead"]  # noqa: ASYNC210
    return {"rtt": out["rtt"], "errors": len(out["errors"]), "elapsed": elapsed, "overhead": overhead}


async def measure(apps: list[Child], keys: list[str], args: argparse.Namespace) -> dict[str, Any]:
    for app in apps:
        app.wait_ready()
    await drive(apps, keys, 20, 4, 0)  # warm-up: pools, scripts, code paths
    paced = await drive(apps, keys, args.conversations, args.turns, args.think)
    saturated = await drive(apps, keys, args.conversations, args.turns, 0)
    return {
        "turns_s": len(saturated["rtt"]) / saturated["elapsed"],
        "p50": pct(paced["rtt"], 50), "p99": pct(paced["rtt"], 99),
        "overhead_p99": pct(paced["overhead"], 99), "sat_p99": pct(saturated["rtt"], 99),
        "errors": paced["errors"] + saturated["errors"], "turns": len(paced["rtt"]) + len(saturated["rtt"]),
    }  # fmt: skip


def report(args: argparse.Namespace, results: dict[str, dict[str, Any]], load: tuple[float, float]) -> str:
    anchor = results["1 app, 1 valkey"]
    lines = [
        (
            f"Machine: {machine()}; load average {load[0]:.1f} before, {load[1]:.1f} after"
            " (other engineers' work shares the 2 cores)."
        ),
        (
            f"Run: `python -m bench.cluster --conversations {args.conversations} --turns {args.turns}"
            f" --think {args.think} --tenants {args.tenants} --rounds {args.rounds}`"
            " (means over the rounds, run in alternating order)."
        ),
        "",
        (
            "| topology | turns/s, no think time | × anchor | paced RTT p50 ms | paced RTT p99 ms | × anchor"
            " | server overhead p99 ms | saturated RTT p99 ms | errors |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['turns_s']:.0f} | {r['turns_s'] / anchor['turns_s']:.2f} | {r['p50']:.1f}"
            f" | {r['p99']:.1f} | {r['p99'] / anchor['p99']:.2f} | {r['overhead_p99']:.1f} | {r['sat_p99']:.0f}"
            f" | {r['errors']}/{r['turns']} |"
        )
    return "\n".join(lines)


async def run(args: argparse.Namespace, settings: Any, env: dict[str, str], cluster_url: str) -> str:
    secret = secrets.token_urlsafe(16)
    retailer = Child("retailer", env, secret)
    retailer.wait_ready()
    on_cluster = {**env, "VIZOCHOK_VALKEY_URL": cluster_url}
    load_before = os.getloadavg()[0]
    results: dict[str, dict[str, Any]] = {}
    topologies = {
        "1 app, 1 valkey": [env],
        "2 apps, 1 valkey": [env, env],
        "2 apps, cluster": [on_cluster, on_cluster],
    }
    # Rounds alternate the order (A B C, then C B A, …): load from other work on a shared machine
    # drifts, and a fixed order would hand the drift to whichever topology runs last.
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in topologies}
    try:
        keys = [await setup_tenant(settings, retailer.base, secret) for _ in range(args.tenants)]
        for round_ in range(args.rounds):
            order = list(topologies) if round_ % 2 == 0 else list(reversed(topologies))
            for name in order:
                apps = [Child("vizochok", e) for e in topologies[name]]
                try:
                    runs[name].append(await measure(apps, keys, args))
                finally:
                    for app in apps:
                        app.stop()
                print(name, runs[name][-1], file=sys.stderr)
    finally:
        retailer.stop()
    for name, rounds in runs.items():
        results[name] = {
            key: (
                sum(r[key] for r in rounds)
                if key in ("errors", "turns")
                else sum(r[key] for r in rounds) / len(rounds)
            )
            for key in rounds[0]
        }
    return report(args, results, (load_before, os.getloadavg()[0]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100)
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument(
        "--think", type=float, default=0.5, help="mean seconds between a widget's turns (paced run)"
    )
    parser.add_argument("--tenants", type=int, default=6)
    parser.add_argument(
        "--rounds", type=int, default=2, help="runs of each topology, in alternating order; means reported"
    )
    parser.add_argument("--write", action="store_true", help="append the results to bench/RESULTS.md")
    args = parser.parse_args()

    from vizochok.adapters.embedded_cluster import LocalValkeyCluster  # noqa: PLC0415
    from vizochok.bootstrap import environment, prepare  # noqa: PLC0415
    from vizochok.settings import get_settings  # noqa: PLC0415

    data_dir = tempfile.mkdtemp(prefix="vizochok-bench-cluster-")
    prepared = prepare(get_settings(data_dir=data_dir, webhooks={"allow_private_hosts": True}))
    cluster = LocalValkeyCluster(Path(data_dir) / "valkey-cluster").start()
    env = {
        **os.environ,
        **environment(prepared.settings),
        "VIZOCHOK_DATA_DIR": data_dir,
        "VIZOCHOK_WEBHOOKS__ALLOW_PRIVATE_HOSTS": "true",
        "PYTHONPATH": str(ROOT),
        "VIZOCHOK_LOG_LEVEL": "WARNING",
    }
    try:
        text = asyncio.run(run(args, prepared.settings, env, cluster.url))
    finally:
        cluster.stop()
        prepared.stop()
    print(text)
    if args.write:
        path = ROOT / "bench" / "RESULTS.md"
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        with path.open("a", encoding="utf-8") as out:
            out.write(f"\n### Scale-out run of {stamp}\n\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
