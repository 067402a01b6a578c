"""Nothing personal in the logs: a failure is logged as its type, where it happened and its frames, never
with its message (a database error's message quotes the failing row), whether the API, a command, the
matching follower or the server itself reports it."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from accounts.models import Role
from core.logs import AccessLineWithoutPersonalData, ValuelessFormatter
from tests.conftest import AreaWorld
from tests.personal_data import MARKER, assert_unmarked, crash, rendered, violate_a_check
from tests.serving import serving

ROOT = Path(__file__).resolve().parents[2]
EMBEDDED_SERVER_LOG = ROOT / "var" / "test" / "pg" / "log"


def _patch(monkeypatch: pytest.MonkeyPatch, name: str, failure: Any) -> None:
    from employers import service

    def failing(conn: psycopg.Connection[Any], *args: Any, **kwargs: Any) -> Any:
        failure(conn)

    monkeypatch.setattr(service, name, failing)


def _server_log_from(offset: int) -> str:
    """What the embedded PostgreSQL logged after ``offset`` ("" when the tests use a server of their own)."""
    if os.environ.get("KOHTAAMO_TEST_DATABASE_URL") or not EMBEDDED_SERVER_LOG.exists():
        return ""
    with EMBEDDED_SERVER_LOG.open("rb") as log:
        log.seek(offset)
        return log.read().decode("utf-8", "replace")


def _server_log_size() -> int:
    return EMBEDDED_SERVER_LOG.stat().st_size if EMBEDDED_SERVER_LOG.exists() else 0


def test_a_constraint_violation_is_logged_without_the_failing_row(
    client: TestClient, world: AreaWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _patch(monkeypatch, "list_employers", violate_a_check)
    server_log = _server_log_size()

    with caplog.at_level(logging.INFO):
        reply = client.get("/api/v1/employers", params={"q": MARKER}, headers=world.headers(Role.COORDINATOR))

    assert reply.status_code == 500
    logged = rendered(caplog.records)
    assert "psycopg.errors.CheckViolation (SQLSTATE 23514, constraint contacts_kind_check" in logged
    assert "in GET /api/v1/employers\n" in logged
    assert "Traceback (most recent call last)" in logged and "violate_a_check" in logged
    assert "Failing row" not in logged
    assert_unmarked(logged)
    assert_unmarked(reply.text)
    assert_unmarked(_server_log_from(server_log))


def test_a_crash_is_logged_as_its_type_and_frames_without_its_message(
    client: TestClient, world: AreaWorld, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _patch(monkeypatch, "get_employer", crash)

    with caplog.at_level(logging.INFO):
        reply = client.get(f"/api/v1/employers/{world.employer_id}", headers=world.headers(Role.COORDINATOR))

    assert reply.status_code == 500
    logged = rendered(caplog.records)
    assert f"unexpected RuntimeError in GET /api/v1/employers/{world.employer_id}\n" in logged
    assert "which led to:" in logged and "CheckViolation" in logged  # the error it was raised from
    assert_unmarked(logged)


def test_any_exception_a_library_logs_is_written_without_its_message() -> None:
    handler_output: list[str] = []
    formatter = ValuelessFormatter("%(levelname)s %(name)s: %(message)s")
    try:
        try:
            raise KeyError(MARKER)
        except KeyError as exc:
            raise ValueError(f"bad value {MARKER}") from exc
    except ValueError:
        record = logging.getLogger("uvicorn.error").makeRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, "Exception in ASGI application\n", (), sys.exc_info()
        )
    logging.Formatter().format(record)  # another handler first: it caches the full text on the record
    handler_output.append(formatter.format(record))

    written = handler_output[0]
    assert written.startswith("ERROR uvicorn.error: Exception in ASGI application")
    assert "\nKeyError\n" in written and written.endswith("\nValueError")
    assert "test_any_exception_a_library_logs_is_written_without_its_message" in written  # the frames
    assert_unmarked(written)


def test_the_access_log_names_the_path_but_neither_the_query_nor_the_client() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/clients?q=Henkil%C3%B6+Salainen", "1.1", 200),
        None,
    )
    assert AccessLineWithoutPersonalData().filter(record)
    assert record.getMessage() == '"GET /clients HTTP/1.1" 200'


def test_the_matching_follower_logs_its_failures_without_their_messages(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from matching import follower as following

    class Engine:
        def refresh_lexical(self) -> None:
            stream.lexical_every = 60.0
            stream._stop.set()
            raise RuntimeError(f"cannot index {MARKER}")

    stream = following.Follower(Engine(), "postgresql://unused", lexical_every=0.01)  # type: ignore[arg-type]

    def broken(*args: Any, **kwargs: Any) -> Any:
        stream._stop.set()
        raise psycopg.OperationalError(f"connection lost while reading {MARKER}")

    monkeypatch.setattr(following, "connect", broken)
    with caplog.at_level(logging.WARNING, logger="matching.follower"):
        stream._run()
        stream._stop.clear()
        stream._rebuild_lexical()

    logged = rendered(caplog.records)
    assert "matching follower lost its connection (psycopg.OperationalError)" in logged
    assert "BM25 rebuild failed (RuntimeError)" in logged
    assert_unmarked(logged)


CLI_SCRIPT = """
import sys
from interchange import cli
from tests.personal_data import violate_a_check
from server.cli import app

cli.export_area = lambda conn, area, out: violate_a_check(conn)
app(["export", "--area", "Testialue"])
"""


def test_a_command_that_fails_unexpectedly_logs_no_personal_data_and_exits_1(
    db: str, world: AreaWorld
) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KOHTAAMO_DATABASE_URL": db, "KOHTAAMO_LOG_LEVEL": "INFO"}
    done = subprocess.run(
        [sys.executable, "-c", CLI_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 1
    assert "ERROR kohtaamo.cli: unexpected psycopg.errors.CheckViolation (SQLSTATE 23514" in done.stderr
    assert "in kohtaamo export\nTraceback (most recent call last)" in done.stderr
    assert "Failing row" not in done.stderr
    assert_unmarked(done.stderr + done.stdout)


SERVE_SCRIPT = """
import sys
from employers import service
from tests.personal_data import crash, violate_a_check

service.list_employers = lambda conn, *args, **kwargs: violate_a_check(conn)
service.get_employer = lambda conn, *args, **kwargs: crash(conn)

from server.cli import app

app(["serve", "--port", sys.argv[1]])
"""


def test_the_served_application_logs_no_personal_data(db: str, world: AreaWorld, tmp_path: Path) -> None:
    """``kohtaamo serve`` as it runs: uvicorn's own logging included, read from the process's output."""
    server_log = _server_log_size()
    with serving(db, tmp_path, SERVE_SCRIPT) as served:
        h = world.headers(Role.COORDINATOR)
        violated = httpx.get(f"{served.base}/api/v1/employers", params={"q": MARKER}, headers=h)
        crashed = httpx.get(f"{served.base}/api/v1/employers/{world.employer_id}", headers=h)
        served.stop()
    err = served.err

    assert violated.status_code == crashed.status_code == 500
    assert "unexpected psycopg.errors.CheckViolation (SQLSTATE 23514" in err
    assert "in GET /api/v1/employers\n" in err
    assert f"unexpected RuntimeError in GET /api/v1/employers/{world.employer_id}\n" in err
    access = [line for line in err.splitlines() if "uvicorn.access" in line]
    assert any(line.endswith('uvicorn.access: "GET /api/v1/employers HTTP/1.1" 500') for line in access)
    assert not [line for line in access if "127.0.0.1" in line]  # the path; not the query, not the client
    assert "Exception in ASGI application" not in err  # the application kept it from uvicorn
    assert "Failing row" not in err
    assert_unmarked(served.out + err)
    assert_unmarked(_server_log_from(server_log))


def test_json_logs_name_each_request_by_its_id_and_carry_no_personal_data(
    db: str, world: AreaWorld, tmp_path: Path
) -> None:
    """``KOHTAAMO_LOG_FORMAT=json`` (as the container sets it): every line one JSON object; the lines of
    a request (its failure and its access line) carry the id its reply names, and nothing personal."""
    with serving(db, tmp_path, SERVE_SCRIPT, KOHTAAMO_LOG_FORMAT="json") as served:
        h = world.headers(Role.COORDINATOR)
        violated = httpx.get(f"{served.base}/api/v1/employers", params={"q": MARKER}, headers=h)
        given = httpx.get(f"{served.base}/healthz", headers={"X-Request-ID": "proxy-req-0001"})
        refused = httpx.get(f"{served.base}/healthz", headers={"X-Request-ID": "two words, one name"})
        served.stop()

    lines = [json.loads(line) for line in served.err.splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    request_id = violated.headers["x-request-id"]
    of_request = [line for line in lines if line.get("request_id") == request_id]
    assert {line["logger"] for line in of_request} >= {"kohtaamo.api", "uvicorn.access"}
    failure = next(line for line in of_request if line["logger"] == "kohtaamo.api")
    assert "CheckViolation" in failure["message"] and "Failing row" not in json.dumps(failure)
    assert given.headers["x-request-id"] == "proxy-req-0001"  # a proxy's id is kept
    assert refused.headers["x-request-id"] != "two words, one name"  # text that is no id is not
    assert any(line.get("request_id") == "proxy-req-0001" for line in lines)
    access = [line["message"] for line in lines if line["logger"] == "uvicorn.access"]
    assert access.count('"GET /healthz HTTP/1.1" 200') >= 2  # the two above (and the start's wait)
    assert '"GET /api/v1/employers HTTP/1.1" 500' in access
    assert not [line for line in access if "127.0.0.1" in line]  # no client address
    assert_unmarked(served.out + served.err)
