"""The migrations and db/schema.sql describe the same database, and migrating is safe to race."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import pytest

from core.db import connect
from db import migrate as migrations
from tests.conftest import fresh_database

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")

# Each query returns rows that describe one kind of catalog object; sorted rows make a comparable set.
CATALOG_QUERIES: dict[str, str] = {
    "relations": """
        SELECT c.relname, c.relkind, c.relpersistence, obj_description(c.oid, 'pg_class') AS comment
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND c.relname NOT LIKE 'schema_migrations%'
    """,
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity, a.attgenerated,
               coll.collname, col_description(c.oid, a.attnum) AS comment
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_collation coll ON coll.oid = a.attcollation AND a.attcollation <> 100
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> 'schema_migrations'
    """,
    "constraints": """
        SELECT c.relname, k.conname, k.contype, pg_get_constraintdef(k.oid) AS definition
        FROM pg_constraint k
        JOIN pg_class c ON c.oid = k.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname <> 'schema_migrations'
    """,
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename <> 'schema_migrations'
    """,
    "views": """
        SELECT viewname, definition FROM pg_views WHERE schemaname = 'public'
    """,
    "triggers": """
        SELECT t.tgrelid::regclass::text AS relation, t.tgname, pg_get_triggerdef(t.oid) AS definition
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND NOT t.tgisinternal
    """,
    "functions": """
        SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args, pg_get_functiondef(p.oid) AS body
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')
    """,
    "types": """
        SELECT t.typname, t.typtype,
               (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e
                WHERE e.enumtypid = t.oid) AS labels,
               format_type(t.typbasetype, t.typtypmod) AS base
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r')
    """,
    "extensions": "SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'",
    "row_security": """
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, c.reloptions, c.relacl
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v') AND c.relname <> 'schema_migrations'
    """,
    "policies": """
        SELECT tablename, policyname, permissive, roles, cmd, qual, with_check
        FROM pg_policies WHERE schemaname = 'public'
    """,
}


def describe(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """A normalised description of the public schema: every kind of object as a sorted list of rows."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with connect(url) as conn:
        for kind, query in CATALOG_QUERIES.items():
            rows = conn.execute(query).fetchall()
            out[kind] = sorted(tuple(str(v) for v in r.values()) for r in rows)
    return out


@dataclass(frozen=True)
class Raced:
    url: str
    applied: list[list[str]]
    errors: list[BaseException]


@pytest.fixture(scope="module")
def raced() -> Raced:
    """A fresh database that two sessions migrated at the same moment."""
    url = fresh_database(f"kohtaamo_migrated_{WORKER}")
    start = threading.Barrier(2)
    applied: list[list[str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with connect(url, autocommit=True) as conn:
                start.wait(timeout=10)
                applied.append(migrations.migrate(conn))
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return Raced(url=url, applied=applied, errors=errors)


def test_two_processes_migrating_at_once_apply_each_migration_exactly_once(raced: Raced) -> None:
    assert raced.errors == []
    assert len(raced.applied) == 2
    versions = [m.version for m in migrations.available_migrations()]
    assert sorted(raced.applied[0] + raced.applied[1]) == versions
    with connect(raced.url) as conn:
        rows = conn.execute(
            "SELECT version, count(*) AS n FROM schema_migrations GROUP BY version"
        ).fetchall()
    assert {r["version"]: r["n"] for r in rows} == dict.fromkeys(versions, 1)


def test_migrations_produce_exactly_the_schema(raced: Raced) -> None:
    assert raced.errors == []
    declared = fresh_database(f"kohtaamo_declared_{WORKER}")
    with connect(declared) as conn:
        conn.execute(migrations.SCHEMA_FILE.read_text(encoding="utf-8").encode())
        conn.commit()

    from_migrations = describe(raced.url)
    from_schema = describe(declared)

    tables = {r[0] for r in from_migrations["relations"] if r[1] == "r"}
    assert {"areas", "users", "employers", "contacts", "needs", "jobseekers", "audit_log"} <= tables
    for kind in CATALOG_QUERIES:
        assert from_migrations[kind] == from_schema[kind], f"{kind} differ: run db/build_schema.sh"


def test_migrating_an_up_to_date_database_applies_nothing(raced: Raced) -> None:
    with connect(raced.url, autocommit=True) as conn:
        assert migrations.migrate(conn) == []
        assert migrations.pending(conn) == []
