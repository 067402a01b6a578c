"""What expires is deleted: by ``kohtaamo purge``, and by every running server on its own (no cron), while
what is still valid stays (docs/retention.md)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accounts.models import Role
from core.db import connect
from core.settings import Settings, get_settings
from server import retention
from server.cli import app as cli
from tests.conftest import AreaWorld

EXPIRED = {
    "api_tokens": 1,
    "web_sessions": 2,  # one past its absolute expiry, one idle too long
    "sign_in_attempts": 1,
    "web_form_tokens": 1,
    "idempotency_keys": 1,
    "match_showings": 1,
    "password_resets": 2,  # one expired, one used
    "notifications": 2,  # one read 91 days ago, one unread for over a year
    "mail_outbox": 2,  # one sent 31 days ago, one waiting for over a year
    "matching_changes": 1,  # a change logged 8 days ago (a week is kept)
}


def seed(db: str, world: AreaWorld) -> None:
    """One expired and one live record of every kind that expires."""
    user = world.user_ids[Role.CASEWORKER]
    with connect(db) as conn:
        conn.execute(
            "INSERT INTO api_tokens (token_hash, user_id, expires_at) VALUES"
            " ('expired-token', %(u)s, now() - interval '1 minute')",
            {"u": user},
        )
        conn.execute(
            "INSERT INTO web_sessions (token_hash, user_id, csrf_token, expires_at, last_seen_at) VALUES"
            " ('expired-session', %(u)s, 'c', now() - interval '1 minute', now() - interval '1 minute'),"
            " ('idle-session', %(u)s, 'c', now() + interval '6 hours', now() - interval '3 hours'),"
            " ('live-session', %(u)s, 'c', now() + interval '6 hours', now() - interval '1 minute')",
            {"u": user},
        )
        conn.execute(
            "INSERT INTO sign_in_attempts (email_hash, client_address, at) VALUES"
            " ('h', '10.0.0.1', now() - interval '6 minutes'),"
            " ('h', '10.0.0.1', now() - interval '1 minute')"
        )
        conn.execute(
            "INSERT INTO web_form_tokens (user_id, token, location, created_at) VALUES"
            " (%(u)s, 'old-form', '/clients/1', now() - interval '3 days'),"
            " (%(u)s, 'new-form', '/clients/2', now() - interval '1 hour')",
            {"u": user},
        )
        conn.execute(
            "INSERT INTO idempotency_keys"
            " (user_id, key, request_hash, status_code, response_body, created_at) VALUES"
            " (%(u)s, 'yesterday', 'h', 201, '{}', now() - interval '25 hours'),"
            " (%(u)s, 'today', 'h', 201, '{}', now() - interval '23 hours')",
            {"u": user},
        )
        for pseudonym, age in (("Hakija-OLD", "91 days"), ("Hakija-NEW", "89 days")):
            conn.execute(
                "WITH j AS (INSERT INTO jobseekers (area_id, pseudonym, municipality)"
                " VALUES (%(a)s, %(p)s, 'Turku') RETURNING id)"
                " INSERT INTO match_showings (area_id, jobseeker_id, shown_at)"
                " SELECT %(a)s, id, now() - %(age)s::interval FROM j",
                {"a": world.area_id, "p": pseudonym, "age": age},
            )
        conn.execute(
            "INSERT INTO password_resets (token_hash, user_id, expires_at, used_at) VALUES"
            " ('expired-reset', %(u)s, now() - interval '1 minute', NULL),"
            " ('used-reset', %(u)s, now() + interval '1 hour', now() - interval '1 minute'),"
            " ('live-reset', %(u)s, now() + interval '1 hour', NULL)",
            {"u": user},
        )
        conn.execute(
            "INSERT INTO notifications (area_id, user_id, kind, subject_key, link, created_at, read_at)"
            " VALUES (%(a)s, %(u)s, 'contact_due', 'read-long-ago', '/', now() - interval '100 days',"
            "  now() - interval '91 days'),"
            " (%(a)s, %(u)s, 'contact_due', 'ancient', '/', now() - interval '366 days', NULL),"
            " (%(a)s, %(u)s, 'contact_due', 'read-lately', '/', now() - interval '100 days',"
            "  now() - interval '89 days'),"
            " (%(a)s, %(u)s, 'contact_due', 'unread', '/', now() - interval '300 days', NULL)",
            {"a": world.area_id, "u": user},
        )
        conn.execute(
            "INSERT INTO mail_outbox (area_id, user_id, kind, recipient, subject, body, created_at, sent_at)"
            " VALUES (%(a)s, %(u)s, 'contact_due', 'x@a.example', 'sent-long-ago', 'b',"
            "  now() - interval '31 days', now() - interval '31 days'),"
            " (%(a)s, %(u)s, 'contact_due', 'x@a.example', 'waiting-for-ever', 'b',"
            "  now() - interval '366 days', NULL),"
            " (%(a)s, %(u)s, 'contact_due', 'x@a.example', 'sent-lately', 'b',"
            "  now() - interval '29 days', now() - interval '29 days'),"
            " (%(a)s, %(u)s, 'contact_due', 'x@a.example', 'waiting', 'b',"
            "  now() - interval '300 days', NULL)",
            {"a": world.area_id, "u": user},
        )
        conn.execute(
            "INSERT INTO matching_changes (kind, row_id, area_id, changed_at) VALUES"
            " ('need', -1, %(a)s, now() - interval '8 days'), ('need', -2, %(a)s, now() - interval '6 days')",
            {"a": world.area_id},
        )
        conn.commit()


def remaining(db: str) -> dict[str, list[str]]:
    """What is left of the seeded records, by table."""
    queries = {
        "api_tokens": "SELECT token_hash AS v FROM api_tokens WHERE token_hash = 'expired-token'",
        "web_sessions": "SELECT token_hash AS v FROM web_sessions ORDER BY 1",
        "sign_in_attempts": "SELECT to_char(at, 'HH24:MI:SS.US') AS v FROM sign_in_attempts",
        "web_form_tokens": "SELECT token AS v FROM web_form_tokens ORDER BY 1",
        "idempotency_keys": "SELECT key AS v FROM idempotency_keys ORDER BY 1",
        "match_showings": "SELECT j.pseudonym AS v FROM match_showings s"
        " JOIN jobseekers j ON j.id = s.jobseeker_id",
        "password_resets": "SELECT token_hash AS v FROM password_resets ORDER BY 1",
        "notifications": "SELECT subject_key AS v FROM notifications ORDER BY 1",
        "mail_outbox": "SELECT subject AS v FROM mail_outbox ORDER BY 1",
        "matching_changes": "SELECT row_id::text AS v FROM matching_changes WHERE row_id < 0 ORDER BY 1",
    }
    with connect(db) as conn:
        return {table: [row["v"] for row in conn.execute(sql).fetchall()] for table, sql in queries.items()}


def assert_only_live_records_left(db: str) -> None:
    left = remaining(db)
    assert left["api_tokens"] == []
    assert left["web_sessions"] == ["live-session"]
    assert len(left["sign_in_attempts"]) == 1
    assert left["web_form_tokens"] == ["new-form"]
    assert left["idempotency_keys"] == ["today"]
    assert left["match_showings"] == ["Hakija-NEW"]
    assert left["matching_changes"] == ["-2"]
    assert left["password_resets"] == ["live-reset"]
    assert left["notifications"] == ["read-lately", "unread"]
    assert left["mail_outbox"] == ["sent-lately", "waiting"]


@pytest.fixture
def cli_env(db: str) -> Iterator[dict[str, str]]:
    get_settings.cache_clear()
    yield {"KOHTAAMO_DATABASE_URL": db}
    get_settings.cache_clear()


def test_kohtaamo_purge_deletes_what_has_expired_and_prints_how_many(
    db: str, world: AreaWorld, cli_env: dict[str, str]
) -> None:
    seed(db, world)

    result = CliRunner().invoke(cli, ["purge", "--format", "json"], env=cli_env)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == EXPIRED
    assert_only_live_records_left(db)
    with connect(db) as conn:
        live_tokens = conn.execute("SELECT count(*) AS n FROM api_tokens").fetchone()
    assert live_tokens is not None and live_tokens["n"] == len(world.tokens)

    again = CliRunner().invoke(cli, ["purge"], env=cli_env)
    assert again.exit_code == 0, again.output
    assert [line.split() for line in again.stdout.splitlines()] == [["0", table] for table in EXPIRED]


def test_a_running_server_purges_at_start_up_without_cron(
    settings: Settings, db: str, world: AreaWorld
) -> None:
    seed(db, world)

    from server.app import create_app

    with TestClient(create_app(settings), raise_server_exceptions=False) as served:
        assert served.get("/healthz").status_code == 200
        deadline = time.monotonic() + 10
        while remaining(db)["idempotency_keys"] != ["today"] and time.monotonic() < deadline:
            time.sleep(0.05)

    assert_only_live_records_left(db)


def test_the_server_purges_again_every_round(settings: Settings, db: str, world: AreaWorld) -> None:
    async def two_rounds() -> list[str]:
        purging = asyncio.create_task(retention.purge_periodically(db, timedelta(milliseconds=50)))
        await asyncio.sleep(0.2)  # the first rounds found nothing
        seed(db, world)
        deadline = time.monotonic() + 10
        while remaining(db)["idempotency_keys"] != ["today"] and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        purging.cancel()
        return remaining(db)["web_sessions"]

    assert asyncio.run(two_rounds()) == ["live-session"]
    assert_only_live_records_left(db)
