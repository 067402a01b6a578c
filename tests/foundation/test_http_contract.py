"""The API's contract at the edge: optimistic locking (If-Match), idempotent creation (Idempotency-Key),
and one transaction per request that is committed before the reply and leaves nothing behind on failure."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld

PROBLEM_KEYS = {"type", "title", "status", "detail"}
TABLES = ("employers", "contacts", "needs", "idempotency_keys")


def counts(db: str) -> dict[str, int]:
    with connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone()["n"] for t in TABLES}  # type: ignore[index]


def assert_problem(reply: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """A problem+json reply with the RFC 9457 members, no stack trace, and the offending field."""
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = reply.json()
    assert set(body) >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"] and body["detail"]
    assert "Traceback" not in reply.text and 'File "' not in reply.text
    if field is not None:
        assert body.get("field") == field, body
    return body


EMPLOYER = {"business_id": "1572860-0", "name": "Liedon Leipomo Oy", "municipality": "Lieto"}


# If-Match ------------------------------------------------------------------------------------------


def test_changing_an_employer_needs_the_current_etag(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    url = f"/api/v1/employers/{world.employer_id}"
    assert client.get(url, headers=h).headers["ETag"] == '"1"'

    assert_problem(client.patch(url, json={"name": "Uusi nimi Oy"}, headers=h), 428)

    changed = client.patch(url, json={"name": "Uusi nimi Oy"}, headers={**h, "If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"'
    assert changed.json()["name"] == "Uusi nimi Oy"

    stale = client.patch(url, json={"name": "Vanhentunut Oy"}, headers={**h, "If-Match": '"1"'})
    assert_problem(stale, 412)
    assert_problem(client.patch(url, json={"name": "X Oy"}, headers={**h, "If-Match": "not-a-version"}), 412)

    weak = client.patch(url, json={"sector": "h"}, headers={**h, "If-Match": 'W/"2"'})
    assert weak.status_code == 200 and weak.headers["ETag"] == '"3"'
    assert client.get(url, headers=h).json()["name"] == "Uusi nimi Oy"


def test_archiving_a_need_needs_the_current_etag(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    need = client.post("/api/v1/needs", json={"employer_id": world.employer_id, "title": "Kokki"}, headers=h)
    url = f"/api/v1/needs/{need.json()['id']}"
    assert_problem(client.post(f"{url}/archive", headers=h), 428)
    assert client.patch(url, json={"positions": 2}, headers={**h, "If-Match": '"1"'}).status_code == 200
    assert_problem(client.post(f"{url}/archive", headers={**h, "If-Match": '"1"'}), 412)
    archived = client.post(f"{url}/archive", headers={**h, "If-Match": '"2"'})
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert archived.headers["ETag"] == '"3"'


# Idempotency-Key -----------------------------------------------------------------------------------


def test_retrying_a_create_with_the_same_idempotency_key_returns_the_first_answer(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    h = world.headers(Role.COORDINATOR, **{"Idempotency-Key": "create-leipomo"})
    first = client.post("/api/v1/employers", json=EMPLOYER, headers=h)
    retry = client.post("/api/v1/employers", json=EMPLOYER, headers=h)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Location"] == first.headers["Location"]
    assert retry.headers["ETag"] == first.headers["ETag"]
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert counts(db)["employers"] == 2  # the world's own employer and this one


def test_reusing_an_idempotency_key_for_another_body_is_a_conflict(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    h = world.headers(Role.COORDINATOR, **{"Idempotency-Key": "k-1"})
    assert client.post("/api/v1/employers", json=EMPLOYER, headers=h).status_code == 201
    before = counts(db)
    other = {**EMPLOYER, "name": "Toinen Leipomo Oy"}
    assert_problem(client.post("/api/v1/employers", json=other, headers=h), 409, "Idempotency-Key")
    assert counts(db) == before


def test_idempotency_keys_expire_with_their_stored_replies(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    h = world.headers(Role.COORDINATOR, **{"Idempotency-Key": "yesterday"})
    assert client.post("/api/v1/employers", json=EMPLOYER, headers=h).status_code == 201
    with connect(db) as conn:
        conn.execute("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
    other = {**EMPLOYER, "name": "Toinen Leipomo Oy", "business_id": "1234567-1"}
    again = client.post("/api/v1/employers", json=other, headers=h)
    assert again.status_code == 201, again.text
    assert "Idempotent-Replayed" not in again.headers
    with connect(db) as conn:
        stored = conn.execute("SELECT response_body->>'name' AS name FROM idempotency_keys").fetchall()
    assert [row["name"] for row in stored] == ["Toinen Leipomo Oy"]


def test_idempotency_keys_belong_to_their_user(client: TestClient, db: str, world: AreaWorld) -> None:
    key = {"Idempotency-Key": "same-key"}
    need = {"employer_id": world.employer_id, "title": "Siivooja"}
    by_coordinator = client.post("/api/v1/needs", json=need, headers=world.headers(Role.COORDINATOR, **key))
    by_admin = client.post("/api/v1/needs", json=need, headers=world.headers(Role.ADMIN, **key))
    assert by_coordinator.status_code == by_admin.status_code == 201
    assert by_coordinator.json()["id"] != by_admin.json()["id"]
    assert counts(db)["needs"] == 2


def test_an_overlong_idempotency_key_is_refused(client: TestClient, db: str, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR, **{"Idempotency-Key": "k" * 201})
    assert_problem(client.post("/api/v1/employers", json=EMPLOYER, headers=h), 422, "Idempotency-Key")
    assert counts(db)["employers"] == 1


def test_a_failed_create_with_a_key_can_be_retried_after_fixing_it(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    h = world.headers(Role.COORDINATOR, **{"Idempotency-Key": "fix-and-retry"})
    bad = {**EMPLOYER, "municipality": "Atlantis"}
    assert_problem(client.post("/api/v1/employers", json=bad, headers=h), 422, "municipality")
    assert counts(db)["idempotency_keys"] == 0
    assert client.post("/api/v1/employers", json=EMPLOYER, headers=h).status_code == 201


# Transactions --------------------------------------------------------------------------------------


def test_a_created_employer_is_committed_before_the_reply_is_sent(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    """A client that reads right after a 201 (on another connection) must see what it created."""
    app = client.app
    visible_at_reply: list[int] = []

    async def spy(scope: Scope, receive: Receive, send: Send) -> None:
        async def watching_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                visible_at_reply.append(counts(db)["employers"])
            await send(message)

        await app(scope, receive, watching_send)

    reply = TestClient(spy).post("/api/v1/employers", json=EMPLOYER, headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 201
    assert visible_at_reply == [2]


def test_failed_requests_leave_the_database_unchanged(client: TestClient, db: str, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    created = client.post("/api/v1/employers", json=EMPLOYER, headers=h)
    url = created.headers["Location"]
    before = counts(db)
    failures = [
        client.post("/api/v1/employers", json={**EMPLOYER, "name": "Kaksoiskappale Oy"}, headers=h),  # 409
        client.patch(url, json={"business_id": "0112038-9"}, headers={**h, "If-Match": '"1"'}),  # 409
        client.patch(url, json={"name": "Myöhässä Oy"}, headers={**h, "If-Match": '"7"'}),  # 412
        client.patch(url, json={"name": None}, headers={**h, "If-Match": '"1"'}),  # 422
        client.post("/api/v1/needs", json={"employer_id": 999_999, "title": "Kokki"}, headers=h),  # 404
        client.post("/api/v1/needs", json={"title": "Kokki"}, headers=h),  # 422: which employer?
        client.post("/api/v1/employers", json=EMPLOYER, headers=world.headers(Role.CASEWORKER)),  # 403
    ]
    assert [r.status_code for r in failures] == [409, 409, 412, 422, 404, 422, 403]
    for reply in failures:
        assert_problem(reply, reply.status_code)
    assert counts(db) == before
    assert client.get(url, headers=h).json()["name"] == EMPLOYER["name"]
