"""A streaming standby of the embedded PostgreSQL, made with its own binaries: for tests and benches.

`pg_basebackup -R` copies the primary and writes the standby's connection back to it; the copy
then starts as a hot standby on its own Unix socket and replays the primary's WAL as it comes.
The programs come from `embedded.postgres_bin_dir()`, so they are the server's exact version.
"""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import psycopg

from vizochok.adapters.embedded import APP_ROLE, DATABASE, postgres_bin_dir


class LocalStandby:
    """A hot standby of the server behind `admin_url` (a superuser URL on a Unix socket), in `directory`."""

    def __init__(self, admin_url: str, directory: Path, port: int = 5433) -> None:
        self.primary_socket = parse_qs(urlsplit(admin_url).query)["host"][0]
        self.superuser = urlsplit(admin_url).username or "postgres"
        self.primary_port = int(parse_qs(urlsplit(admin_url).query).get("port", ["5432"])[0])
        self.directory = directory
        self.port = port
        self._bin = postgres_bin_dir()
        # PostgreSQL refuses to run as root: run as whoever owns the primary's files (pgserver's user).
        owner = Path(self.primary_socket).stat().st_uid
        self._user = pwd.getpwuid(owner).pw_name if os.geteuid() == 0 else None

    def _run(self, program: str, *args: str, timeout: float = 120) -> None:
        subprocess.run(  # noqa: S603 - the embedded server's own programs
            [str(self._bin / program), *args], check=True, user=self._user, timeout=timeout, capture_output=True,
        )  # fmt: skip

    def start(self) -> LocalStandby:
        """Copy the primary, start the standby, and wait until it accepts reads."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if self._user is not None:
            entry = pwd.getpwnam(self._user)
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
            # The server's user must be able to reach its folder (pytest makes its folders 0700).
            for parent in self.directory.parents:
                mode = parent.stat().st_mode
                if not mode & stat.S_IXOTH:
                    parent.chmod(mode | stat.S_IXOTH)
        os.chmod(self.directory, 0o700)  # noqa: PTH101 - PostgreSQL insists on it
        data = self.directory / "data"
        self._run(
            "pg_basebackup", "-D", str(data), "-h", self.primary_socket, "-p", str(self.primary_port),
            "-U", self.superuser, "-X", "stream", "-R", "-c", "fast", "--no-sync",
        )  # fmt: skip
        with (data / "postgresql.auto.conf").open("a") as conf:
            # The copy keeps the primary's settings; a test standby needs little memory.
            conf.write("shared_buffers = '128MB'\nhot_standby = on\n")
        self._run(
            "pg_ctl", "-D", str(data), "-w", "-t", "60", "-l", str(self.directory / "log"),
            "-o", f"-p {self.port} -k {self.directory} -h ''", "start",
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                with psycopg.connect(self.admin_url, connect_timeout=2) as conn:
                    conn.execute("SELECT 1 FROM pg_class LIMIT 1")
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
            else:
                return self

    def url(self, role: str = APP_ROLE) -> str:
        """A URL of the standby's database as `role` (the application's role by default)."""
        return f"postgresql://{role}@/{DATABASE}?host={self.directory}&port={self.port}"

    @property
    def admin_url(self) -> str:
        """The standby as the superuser (to pause replay in tests)."""
        return self.url(self.superuser)

    def stop(self) -> None:
        """Stop the standby (its files stay for the test's temporary folder to remove)."""
        data = self.directory / "data"
        if (data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
