"""The employer answers intro cards sent to them, and learns who the candidate is only with consent."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from accounts import service as accounts
from accounts.models import Role
from core.db import connect
from tests.conftest import PASSWORD, AreaWorld
from tests.placements.conftest import (
    assert_problem,
    make_need,
    make_worker,
    propose,
    snapshot,
    workflow_settings,
)


def _user(
    db: str, world: AreaWorld, role: Role, email: str, employer_id: int | None = None
) -> dict[str, str]:
    """Headers of another user of the world's area."""
    with connect(db) as conn:
        user = accounts.create_user(
            conn,
            area_id=world.area_id,
            email=email,
            display_name=email,
            role=role,
            password=PASSWORD,
            employer_id=employer_id,
        )
        token, _ = accounts.issue_token(conn, user["id"], timedelta(hours=1))
        conn.commit()
    return {"Authorization": f"Bearer {token}"}


def _other_employer(db: str, world: AreaWorld) -> dict[str, str]:
    with connect(db) as conn:
        row = conn.execute(
            "INSERT INTO employers (area_id, business_id, name, municipality)"
            " VALUES (%s, '1572860-0', 'Liedon Leipomo Oy', 'Lieto') RETURNING id",
            (world.area_id,),
        ).fetchone()
        conn.commit()
    assert row is not None
    return _user(db, world, Role.EMPLOYER, "leipomo@a.example", row["id"])


def _disclosures(db: str, person: int) -> int:
    with connect(db) as conn:
        row = conn.execute(
            "SELECT count(*) AS n FROM audit_log WHERE jobseeker_id = %s AND action = 'disclosure'", (person,)
        ).fetchone()
    return int(row["n"]) if row else 0


def test_employer_learns_the_identity_only_when_interested_and_consented(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    person = make_worker(db, world)
    proposal = propose(client, world, make_need(db, world), person)
    url = f"/api/v1/proposals/{proposal['id']}"
    employer = world.headers(Role.EMPLOYER)

    refused = assert_problem(
        client.get(f"{url}/candidate", headers=employer), 403, type_="disclosure-not-allowed"
    )
    assert len(refused["missing"]) == 2

    answered = client.post(
        f"{url}/answer", json={"answer": "interested", "comment": "Soitetaan"}, headers=employer
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["state"] == "interested"
    assert "explanation" not in answered.json() and "jobseeker_id" not in answered.json()

    refused = assert_problem(
        client.get(f"{url}/candidate", headers=employer), 403, type_="disclosure-not-allowed"
    )
    assert refused["missing"] == [
        "the jobseeker has not consented to disclosing their identity to this employer"
    ]
    assert _disclosures(db, person) == 0

    consent = client.post(
        f"/api/v1/jobseekers/{person}/consents",
        json={"scope": "disclose_identity", "employer_id": world.employer_id},
        headers=world.headers(Role.CASEWORKER),
    )
    assert consent.status_code == 201, consent.text
    disclosed = client.get(f"{url}/candidate", headers=employer)
    assert disclosed.status_code == 200, disclosed.text
    assert disclosed.json()["full_name"] == "Maija Meikäläinen"
    assert disclosed.json()["email"] == "maija@example.fi"
    assert disclosed.headers["Cache-Control"] == "no-store"
    assert _disclosures(db, person) == 1

    before = snapshot(db)
    again = client.post(f"{url}/answer", json={"answer": "not_now"}, headers=employer)
    assert_problem(again, 409, "answer")
    assert snapshot(db) == before


def test_not_suitable_needs_a_reason_and_declines_the_proposal(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    proposal = propose(client, world, make_need(db, world), make_worker(db, world))
    url = f"/api/v1/proposals/{proposal['id']}/answer"
    before = snapshot(db)
    no_reason = client.post(url, json={"answer": "not_suitable"}, headers=world.headers(Role.EMPLOYER))
    assert_problem(no_reason, 422, "reason_code")
    bad_reason = client.post(
        url, json={"answer": "not_suitable", "reason_code": "age"}, headers=world.headers(Role.EMPLOYER)
    )
    assert_problem(bad_reason, 422, "reason_code")
    assert snapshot(db) == before

    answered = client.post(
        url,
        json={"answer": "not_suitable", "reason_code": "language", "comment": "Tarvitaan ruotsia"},
        headers=world.headers(Role.EMPLOYER),
    )
    assert answered.status_code == 200
    assert answered.json()["state"] == "declined"
    assert answered.json()["reason_code"] == "language"
    staff = client.get(f"/api/v1/proposals/{proposal['id']}", headers=world.headers(Role.COORDINATOR)).json()
    assert staff["allowed_transitions"] == []
    assert [h["to_state"] for h in staff["history"]] == ["proposed", "declined"]


def test_another_employer_or_caseworker_neither_sees_nor_answers_the_card(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    proposal = propose(client, world, make_need(db, world), make_worker(db, world))
    url = f"/api/v1/proposals/{proposal['id']}"
    stranger = _other_employer(db, world)
    colleague = _user(db, world, Role.CASEWORKER, "toinen@a.example")
    before = snapshot(db)

    for path in ("", "/card", "/card.html", "/card.pdf", "/candidate"):
        reply = client.get(url + path, headers=stranger)
        assert_problem(reply, 404)
        assert proposal["pseudonym"] not in reply.text
    assert_problem(client.post(f"{url}/answer", json={"answer": "interested"}, headers=stranger), 404)
    assert client.get("/api/v1/proposals", headers=stranger).json()["total"] == 0
    for path in ("", "/card"):
        assert_problem(client.get(url + path, headers=colleague), 404)
    moved = client.post(f"{url}/transitions", json={"to": "declined"}, headers=colleague)
    assert_problem(moved, 404)
    assert client.get("/api/v1/proposals", headers=colleague).json()["total"] == 0
    assert snapshot(db) == before


def test_proposals_unanswered_for_a_week_are_listed_and_due(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need = make_need(db, world)
    old = propose(client, world, need, make_worker(db, world))
    fresh = propose(client, world, need, make_worker(db, world))
    answered = propose(client, world, need, make_worker(db, world))
    with connect(db) as conn:
        conn.execute(
            "UPDATE proposals SET created_at = now() - interval '8 days' WHERE id = ANY(%s)",
            ([old["id"], answered["id"]],),
        )
        conn.commit()
    reply = client.post(
        f"/api/v1/proposals/{answered['id']}/answer",
        json={"answer": "not_now"},
        headers=world.headers(Role.EMPLOYER),
    )
    assert reply.status_code == 200

    coordinator = world.headers(Role.COORDINATOR)
    listed = client.get("/api/v1/proposals?unanswered=true", headers=coordinator).json()
    assert [p["id"] for p in listed["items"]] == [old["id"]]
    assert listed["items"][0]["unanswered"] is True
    due = client.get("/api/v1/contacts/due", headers=coordinator).json()
    assert [p["id"] for p in due["unanswered_proposals"]] == [old["id"]]
    assert fresh["unanswered"] is False

    with workflow_settings(client, unanswered_after_days=10):
        assert client.get("/api/v1/proposals?unanswered=true", headers=coordinator).json()["total"] == 0
