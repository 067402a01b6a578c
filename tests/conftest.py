"""Shared fixtures: a real PostgreSQL database per test run, emptied before each test that uses it.

``KOHTAAMO_TEST_DATABASE_URL`` points the tests at a server (CI uses the system PostgreSQL);
without it they start the embedded server, as the product does by default.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from psycopg import sql

from accounts import service as accounts
from accounts.models import Role
from core.db import connect, embedded_url
from core.settings import Settings
from db import migrate as migrations

# Tests create many users: argon2id with light parameters keeps that quick (the product keeps the defaults;
# verification reads the parameters from each hash, so both kinds of hash verify alike).
accounts._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

# Commands run by the tests embed with the deterministic fake unless a test asks for the real model.
os.environ.setdefault("KOHTAAMO_EMBEDDER", "fake")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PASSWORD = "salasana-123"


def _server_url() -> str:
    url = os.environ.get("KOHTAAMO_TEST_DATABASE_URL")
    return url or embedded_url(ROOT / "var" / "test")


def _with_database(url: str, name: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo(**info)  # type: ignore[arg-type]


def fresh_database(name: str) -> str:
    """Drop and create database ``name`` on the test server; return its URL."""
    server = _server_url()
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return _with_database(server, name)


@pytest.fixture(scope="session")
def database_url() -> str:
    """A migrated database of this test run."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = fresh_database(f"kohtaamo_test_{worker}")
    with connect(url, autocommit=True) as conn:
        migrations.migrate(conn)
    return url


def truncate_all(url: str) -> None:
    """Empty every table but the migration record and restart every identity, as ``TRUNCATE … RESTART
    IDENTITY`` would (retried: a matching follower may hold row locks)."""
    for attempt in range(5):
        try:
            _empty(url)
            return
        except psycopg.errors.DeadlockDetected:
            if attempt == 4:
                raise


def _empty(url: str) -> None:
    """Delete the rows of the tables that hold any, foreign keys and triggers aside (the replication
    role), and restart the used sequences. A test fills a few of the tables: a ``TRUNCATE`` of every
    table creates new files for each and cost about 130–200 ms a test, this about 20 ms. A server that
    refuses the role to the test user (not a superuser) gets the ``TRUNCATE``."""
    with connect(url) as conn:
        tables = [
            r["tablename"]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables"
                " WHERE schemaname = 'public' AND tablename <> 'schema_migrations'"
            ).fetchall()
        ]
        if not tables:
            return
        filled = [
            r["name"]
            for r in conn.execute(
                sql.SQL(" UNION ALL ").join(
                    sql.SQL("SELECT {} AS name WHERE EXISTS (SELECT FROM {})").format(
                        sql.Literal(t), sql.Identifier(t)
                    )
                    for t in tables
                )
            )
        ]
        try:
            conn.execute("SET LOCAL session_replication_role = replica")
        except psycopg.errors.InsufficientPrivilege:
            conn.rollback()
            conn.execute(
                sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                    sql.SQL(", ").join(map(sql.Identifier, tables))
                )
            )
        else:
            for table in filled:
                conn.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table)))
            conn.execute(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false)"
                " FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL"
            )
        conn.commit()


def table_state(conn: psycopg.Connection[Any]) -> dict[str, tuple[int, int]]:
    """Each table's row count and newest writing transaction (max xmin): equal before and after a request
    when the request wrote nothing (no insert, update or delete)."""
    tables = [
        r["tablename"] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    ]
    query = sql.SQL(" UNION ALL ").join(
        sql.SQL(
            "SELECT {}::text AS name, count(*) AS n, coalesce(max(xmin::text::bigint), 0) AS x FROM {}"
        ).format(sql.Literal(t), sql.Identifier(t))
        for t in tables
    )
    return {r["name"]: (r["n"], r["x"]) for r in conn.execute(query)}


@pytest.fixture
def db(database_url: str) -> str:
    """The test database, emptied before the test."""
    truncate_all(database_url)
    return database_url


@pytest.fixture
def conn(db: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection in a transaction that the test may commit."""
    with connect(db) as c:
        yield c


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path_factory.mktemp("data"),
        embedder="fake",
        pool_max_size=4,
    )


@pytest.fixture(scope="session")
def app_client(settings: Settings) -> Iterator[TestClient]:
    """One application for the session, served over httpx through its ASGI interface."""
    from server.app import create_app

    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def client(app_client: TestClient, db: str) -> TestClient:
    """The application client, over an emptied database (its matching engine reloaded to match)."""
    app_client.headers.clear()
    engine = app_client.app.state.engine  # type: ignore[attr-defined]
    with connect(db) as conn:
        engine.load_all(conn)
    return app_client


@dataclass
class AreaWorld:
    """An employment area with an employer and one user of every role."""

    area_id: int
    employer_id: int
    tokens: dict[Role, str]
    user_ids: dict[Role, int]
    extra: dict[str, Any] = field(default_factory=dict)

    def headers(self, role: Role, **more: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", **more}


def make_area(url: str, name: str, prefix: str, business_id: str) -> AreaWorld:
    """Create an area, an employer and a user of each role, each with a token."""
    from datetime import timedelta

    with connect(url) as conn:
        area_id = accounts.ensure_area(conn, name, ["Turku", "Lieto", "Kaarina", "Raisio"])
        employer = conn.execute(
            "INSERT INTO employers (area_id, business_id, name, municipality) VALUES (%s, %s, %s, 'Turku')"
            " RETURNING id",
            (area_id, business_id, f"{prefix} Logistiikka Oy"),
        ).fetchone()
        assert employer is not None
        tokens: dict[Role, str] = {}
        user_ids: dict[Role, int] = {}
        for role in Role:
            user = accounts.create_user(
                conn,
                area_id=area_id,
                email=f"{role.value}@{prefix}.example",
                display_name=f"{prefix} {role.value}",
                role=role,
                password=PASSWORD,
                employer_id=employer["id"] if role is Role.EMPLOYER else None,
            )
            user_ids[role] = user["id"]
            tokens[role], _ = accounts.issue_token(conn, user["id"], timedelta(hours=1))
        conn.commit()
    return AreaWorld(area_id=area_id, employer_id=employer["id"], tokens=tokens, user_ids=user_ids)


@pytest.fixture
def world(db: str) -> AreaWorld:
    """Area 'Testialue' with its users."""
    return make_area(db, "Testialue", "a", "0112038-9")


@pytest.fixture
def other_world(db: str, world: AreaWorld) -> AreaWorld:
    """A second, unrelated area 'Toinen alue' with its own users."""
    return make_area(db, "Toinen alue", "b", "2331972-7")
