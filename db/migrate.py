"""Numbered migrations applied in order, once, under an advisory lock.

Two processes starting at once both call :func:`migrate`; the advisory lock makes the second wait
and then find nothing left to do.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from core.db import Conn

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SCHEMA_FILE = Path(__file__).parent / "schema.sql"
# An arbitrary constant that names the migration lock among the database's advisory locks.
MIGRATION_LOCK_ID = 74_616_830_001


@dataclass(frozen=True)
class Migration:
    version: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def available_migrations() -> list[Migration]:
    """All shipped migrations, in order of their number."""
    files = sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    return [Migration(version=f.stem, path=f) for f in files]


def _ensure_table(conn: Conn) -> None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
    )


def applied_versions(conn: Conn) -> set[str]:
    """Versions recorded as applied (empty if the table does not exist yet)."""
    row = conn.execute("SELECT to_regclass('schema_migrations') AS t").fetchone()
    if row is None or row["t"] is None:
        return set()
    return {r["version"] for r in conn.execute("SELECT version FROM schema_migrations").fetchall()}


def pending(conn: Conn) -> list[Migration]:
    """Migrations not yet applied."""
    done = applied_versions(conn)
    return [m for m in available_migrations() if m.version not in done]


def migrate(conn: Conn) -> list[str]:
    """Apply every pending migration, each in its own transaction; return the versions applied.

    ``conn`` must be in autocommit mode so the session-level advisory lock spans the transactions.
    """
    applied: list[str] = []
    conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_ID,))
    try:
        _ensure_table(conn)
        for migration in pending(conn):
            with conn.transaction():
                conn.execute(migration.sql.encode())
                conn.execute("INSERT INTO schema_migrations (version) VALUES (%s)", (migration.version,))
            log.info("applied migration %s", migration.version)
            applied.append(migration.version)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_ID,))
    return applied
