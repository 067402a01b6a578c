"""Every failure is RFC 9457 problem+json naming the offending field, with no internals, and writes nothing.

These requests all fail, so the tests share one area (set up once) and compare row counts around each call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld, make_area, truncate_all

TABLES = ("employers", "contacts", "needs", "users", "api_tokens", "idempotency_keys")
EMPLOYER = {"business_id": "1572860-0", "name": "Liedon Leipomo Oy", "municipality": "Lieto"}


@pytest.fixture(scope="module")
def area(app_client: TestClient, database_url: str) -> AreaWorld:
    """One area for the whole module."""
    truncate_all(database_url)
    world = make_area(database_url, "Testialue", "a", "0112038-9")
    with connect(database_url) as conn:
        app_client.app.state.engine.load_all(conn)  # type: ignore[attr-defined]
    return world


@pytest.fixture
def client(app_client: TestClient, area: AreaWorld) -> TestClient:
    app_client.headers.clear()
    return app_client


@pytest.fixture
def unchanged(database_url: str, area: AreaWorld) -> Iterator[None]:
    """The test's requests must leave every table as it was."""
    before = counts(database_url)
    yield
    assert counts(database_url) == before


def counts(db: str) -> dict[str, int]:
    with connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in TABLES}  # type: ignore[index]


def assert_problem(reply: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """A problem+json reply with the RFC 9457 members, no stack trace, and the offending field."""
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = reply.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"] and body["detail"]
    assert "Traceback" not in reply.text and 'File "' not in reply.text
    if field is not None:
        assert body.get("field") == field, body
    return body


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({**EMPLOYER, "nickname": "Leipis"}, "nickname", id="unknown-field"),
        pytest.param({**EMPLOYER, "name": 123}, "name", id="wrong-type"),
        pytest.param({**EMPLOYER, "social_procurement": "maybe"}, "social_procurement", id="not-a-boolean"),
        pytest.param({**EMPLOYER, "name": "x" * 201}, "name", id="too-long"),
        pytest.param({**EMPLOYER, "name": "   "}, "name", id="blank"),
        pytest.param({**EMPLOYER, "municipality": "Atlantis"}, "municipality", id="unknown-municipality"),
        pytest.param({**EMPLOYER, "business_id": "1572860-1"}, "business_id", id="bad-checksum"),
        pytest.param({**EMPLOYER, "business_id": "15728600"}, "business_id", id="no-hyphen"),
        pytest.param({**EMPLOYER, "sector": "Z"}, "sector", id="bad-sector"),
        pytest.param({k: v for k, v in EMPLOYER.items() if k != "name"}, "name", id="missing"),
        pytest.param(
            {**EMPLOYER, "contact_persons": [{"name": "Maija", "email": "not an email"}]},
            "contact_persons.0.email",
            id="nested",
        ),
    ],
)
def test_invalid_employer_is_a_problem_naming_the_field(
    client: TestClient, area: AreaWorld, body: dict[str, Any], field: str
) -> None:
    reply = client.post("/api/v1/employers", json=body, headers=area.headers(Role.COORDINATOR))
    assert_problem(reply, 422, field)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"title": "Kokki", "positions": "many"}, "positions", id="wrong-type"),
        pytest.param({"title": "Kokki", "positions": 0}, "positions", id="too-few"),
        pytest.param({"title": "Kokki", "description": "x" * 5001}, "description", id="too-long"),
        pytest.param({"title": "Kokki", "shifts": ["dawn"]}, "shifts.0", id="bad-enum"),
        pytest.param({"title": "Kokki", "languages": {"fin": "B1"}}, "languages", id="bad-language"),
        pytest.param({"title": "Kokki", "municipality": "Tukholma"}, "municipality", id="bad-municipality"),
        pytest.param({"title": "Kokki", "start_date": "ensi viikolla"}, "start_date", id="bad-date"),
        pytest.param({"title": "Kokki", "status": "closed"}, "status", id="bad-status"),
        pytest.param({"title": "Kokki", "contact_id": 999_999}, "contact_id", id="unknown-contact"),
    ],
)
def test_invalid_need_is_a_problem_naming_the_field(
    client: TestClient, area: AreaWorld, body: dict[str, Any], field: str
) -> None:
    reply = client.post(
        "/api/v1/needs",
        json={"employer_id": area.employer_id, **body},
        headers=area.headers(Role.COORDINATOR),
    )
    assert_problem(reply, 404 if field == "contact_id" else 422, field)


@pytest.mark.usefixtures("unchanged")
def test_malformed_json_is_a_problem(client: TestClient, area: AreaWorld) -> None:
    h = {**area.headers(Role.COORDINATOR), "Content-Type": "application/json"}
    assert_problem(client.post("/api/v1/employers", content=b'{"name": "Leipomo', headers=h), 422)
    assert_problem(client.post("/api/v1/employers", content=b"[1, 2]", headers=h), 422)
    assert_problem(client.post("/api/v1/employers", content=b"", headers=h), 422)


@pytest.mark.usefixtures("unchanged")
def test_bad_query_parameters_are_problems(client: TestClient, area: AreaWorld) -> None:
    h = area.headers(Role.COORDINATOR)
    assert_problem(client.get("/api/v1/needs?limit=0", headers=h), 422, "limit")
    assert_problem(client.get("/api/v1/needs?limit=201", headers=h), 422, "limit")
    assert_problem(client.get("/api/v1/needs?offset=-1", headers=h), 422, "offset")
    assert_problem(client.get("/api/v1/needs?status=closed", headers=h), 422, "status")
    assert_problem(client.get("/api/v1/needs?assistive=perhaps", headers=h), 422, "assistive")
    assert_problem(client.get("/api/v1/needs/abc", headers=h), 422, "need_id")
    assert_problem(client.get("/api/v1/employers?municipality=Atlantis", headers=h), 422, "municipality")
    assert_problem(client.get("/api/v1/contacts?due_before=tomorrow", headers=h), 422, "due_before")


@pytest.mark.usefixtures("unchanged")
def test_unknown_routes_and_methods_are_problems(client: TestClient, area: AreaWorld) -> None:
    h = area.headers(Role.COORDINATOR)
    assert_problem(client.get("/api/v1/no-such-thing", headers=h), 404)
    assert_problem(client.post("/api/v1/no-such-thing", json={}, headers=h), 404)
    assert_problem(client.get("/api/v2/employers", headers=h), 404)
    assert_problem(client.get("/api/v1/employers/999999", headers=h), 404)
    assert_problem(client.delete(f"/api/v1/employers/{area.employer_id}", headers=h), 405)


@pytest.mark.usefixtures("unchanged")
def test_missing_or_unknown_tokens_are_401_problems(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/employers"), 401)
    assert_problem(client.get("/api/v1/employers", headers={"Authorization": "Bearer nope"}), 401)
    assert_problem(client.get("/api/v1/employers", headers={"Authorization": "Basic YTpi"}), 401)
    assert_problem(client.post("/api/v1/employers", json=EMPLOYER), 401)


@pytest.mark.usefixtures("unchanged")
def test_an_unexpected_error_is_a_500_problem_without_internals(
    client: TestClient, area: AreaWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    from employers import service

    def explode(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret row value: Maija Meikäläinen, SELECT * FROM jobseekers")

    monkeypatch.setattr(service, "list_employers", explode)
    reply = client.get("/api/v1/employers", headers=area.headers(Role.COORDINATOR))
    body = assert_problem(reply, 500)
    assert "Maija" not in reply.text and "SELECT" not in reply.text and "RuntimeError" not in reply.text
    assert body["type"].endswith("internal-error")


@pytest.mark.usefixtures("unchanged")
def test_a_body_over_the_limit_is_refused_with_413(client: TestClient, area: AreaWorld) -> None:
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    assert limit == 1_000_000
    body = {**EMPLOYER, "padding": "x" * (limit + 1)}
    assert_problem(client.post("/api/v1/employers", json=body, headers=area.headers(Role.COORDINATOR)), 413)


def chunked(app: ASGIApp, chunk_size: int) -> ASGIApp:
    """The app as a chunked upload reaches it: no Content-Length, the body in pieces."""

    async def wrapper(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"] if k != b"content-length"]}
        body = (await receive()).get("body", b"")
        pending = [body[i : i + chunk_size] for i in range(0, len(body), chunk_size)]

        async def piecewise() -> Message:
            if pending:
                piece = pending.pop(0)
                return {"type": "http.request", "body": piece, "more_body": bool(pending)}
            return await receive()

        await app(scope, piecewise, send)

    return wrapper


@pytest.mark.usefixtures("unchanged")
def test_a_chunked_body_over_the_limit_is_refused_and_writes_nothing(
    client: TestClient, area: AreaWorld
) -> None:
    # Valid JSON and then whitespace: a limit that merely cut the body short would let the request through.
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    payload = json.dumps(EMPLOYER).encode() + b" " * (limit + 10)
    uploader = TestClient(chunked(client.app, 64 * 1024), raise_server_exceptions=False)
    reply = uploader.post(
        "/api/v1/employers",
        content=payload,
        headers={**area.headers(Role.COORDINATOR), "Content-Type": "application/json"},
    )
    assert_problem(reply, 413)


def test_a_chunked_body_under_the_limit_is_accepted(client: TestClient, area: AreaWorld) -> None:
    uploader = TestClient(chunked(client.app, 16), raise_server_exceptions=False)
    reply = uploader.post(
        "/api/v1/employers",
        content=json.dumps({**EMPLOYER, "business_id": "2331972-7"}).encode(),
        headers={**area.headers(Role.COORDINATOR), "Content-Type": "application/json"},
    )
    assert reply.status_code == 201, reply.text
