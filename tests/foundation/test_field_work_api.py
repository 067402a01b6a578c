"""Field work through the API: job coaches (caseworkers) log contacts and record needs unless their area
switches it off, and each employer has a named responsible coordinator whose reassignment is recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from accounts import service as accounts
from accounts.models import Role
from core.clock import today
from core.db import connect
from tests.conftest import PASSWORD, AreaWorld, table_state
from tests.foundation.test_problem_details import assert_problem

CONTACT = {
    "kind": "visit",
    "contact_date": "2026-11-02",
    "summary": "Varastolla kävin, keräilijöitä tarvitaan",
}


def _second_coordinator(db: str, world: AreaWorld) -> dict[str, Any]:
    with connect(db) as conn:
        user = accounts.create_user(
            conn,
            area_id=world.area_id,
            email="coordinator2@a.example",
            display_name="Kaisa Koivisto",
            role=Role.COORDINATOR,
            password=PASSWORD,
        )
        token, _ = accounts.issue_token(conn, user["id"], timedelta(hours=1))
        conn.commit()
    return {"id": user["id"], "headers": {"Authorization": f"Bearer {token}"}}


def _employer(client: TestClient, world: AreaWorld) -> dict[str, Any]:
    reply = client.get(f"/api/v1/employers/{world.employer_id}", headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 200
    body: dict[str, Any] = reply.json()
    return body


def test_a_job_coach_logs_a_visit_and_records_the_hidden_need_found_on_it(
    client: TestClient, world: AreaWorld
) -> None:
    h = world.headers(Role.CASEWORKER)
    contact = client.post(f"/api/v1/employers/{world.employer_id}/contacts", json=CONTACT, headers=h)
    assert contact.status_code == 201, contact.text
    need = client.post(
        "/api/v1/needs",
        json={
            "employer_id": world.employer_id,
            "title": "Keräilijä",
            "visibility": "hidden",
            "contact_id": contact.json()["id"],
        },
        headers=h,
    )
    assert need.status_code == 201, need.text

    caseworker = world.user_ids[Role.CASEWORKER]
    assert contact.json()["user_id"] == caseworker
    assert (need.json()["created_by"], need.json()["visibility"]) == (caseworker, "hidden")
    log = client.get(
        f"/api/v1/contacts?employer_id={world.employer_id}", headers=world.headers(Role.COORDINATOR)
    ).json()
    assert [(c["summary"], c["user_id"]) for c in log["items"]] == [(CONTACT["summary"], caseworker)]


def test_an_area_that_switches_caseworkers_field_work_off_refuses_them_and_writes_nothing(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    assert client.get("/api/v1/area-settings", headers=world.headers(Role.CASEWORKER)).json()[
        "caseworker_field_work"
    ]
    assert_problem(
        client.put(
            "/api/v1/area-settings",
            json={"caseworker_field_work": False},
            headers=world.headers(Role.COORDINATOR),
        ),
        403,
    )
    off = client.put(
        "/api/v1/area-settings", json={"caseworker_field_work": False}, headers=world.headers(Role.ADMIN)
    )
    assert off.status_code == 200, off.text
    assert off.json()["caseworker_field_work"] is False
    assert off.json()["updated_by"] == world.user_ids[Role.ADMIN]

    h = world.headers(Role.CASEWORKER)
    with connect(db) as conn:
        before = table_state(conn)
    refused = assert_problem(
        client.post(f"/api/v1/employers/{world.employer_id}/contacts", json=CONTACT, headers=h), 403
    )
    assert "switched off" in refused["detail"]
    assert_problem(
        client.post(
            "/api/v1/needs", json={"employer_id": world.employer_id, "title": "Keräilijä"}, headers=h
        ),
        403,
    )
    with connect(db) as conn:
        assert table_state(conn) == before

    # Coordinators are not concerned, nor is the other area's caseworker.
    coordinator = world.headers(Role.COORDINATOR)
    assert (
        client.post(
            f"/api/v1/employers/{world.employer_id}/contacts", json=CONTACT, headers=coordinator
        ).status_code
        == 201
    )
    other = other_world.headers(Role.CASEWORKER)
    assert (
        client.post(
            f"/api/v1/employers/{other_world.employer_id}/contacts", json=CONTACT, headers=other
        ).status_code
        == 201
    )
    assert client.get("/api/v1/area-settings", headers=other).json()["caseworker_field_work"] is True


def test_the_responsible_coordinator_must_be_a_coordinator_of_the_area(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    employer = _employer(client, world)
    h = {**world.headers(Role.COORDINATOR), "If-Match": f'"{employer["version"]}"'}
    with connect(db) as conn:
        before = table_state(conn)
    for wrong in (
        other_world.user_ids[Role.COORDINATOR],  # a coordinator of another area
        world.user_ids[Role.CASEWORKER],  # not a coordinator
        10**12,  # nobody
    ):
        body = assert_problem(
            client.patch(
                f"/api/v1/employers/{world.employer_id}", json={"responsible_coordinator": wrong}, headers=h
            ),
            422,
            "responsible_coordinator",
        )
        assert "coordinator of the employer's area" in body["detail"]
    created = client.post(
        "/api/v1/employers",
        json={
            "business_id": "1572860-0",
            "name": "Leipomo Oy",
            "municipality": "Lieto",
            "responsible_coordinator": other_world.user_ids[Role.COORDINATOR],
        },
        headers=world.headers(Role.COORDINATOR),
    )
    assert_problem(created, 422, "responsible_coordinator")
    with connect(db) as conn:
        assert table_state(conn) == before


def test_reassigning_the_coordinator_is_recorded_and_the_employer_sees_whom_to_call(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    kaisa = _second_coordinator(db, world)
    coordinator = world.user_ids[Role.COORDINATOR]
    employer_view = client.get(
        f"/api/v1/employers/{world.employer_id}/coordinator", headers=world.headers(Role.EMPLOYER)
    ).json()
    assert employer_view == {"employer_id": world.employer_id, "coordinator": None, "reassignments": []}

    for user_id in (coordinator, kaisa["id"]):
        version = _employer(client, world)["version"]
        reply = client.patch(
            f"/api/v1/employers/{world.employer_id}",
            json={"responsible_coordinator": user_id},
            headers={**world.headers(Role.ADMIN), "If-Match": f'"{version}"'},
        )
        assert reply.status_code == 200, reply.text
        assert reply.json()["responsible_coordinator"] == user_id

    seen = client.get(
        f"/api/v1/employers/{world.employer_id}/coordinator", headers=world.headers(Role.EMPLOYER)
    ).json()
    assert seen["coordinator"] == {
        "user_id": kaisa["id"],
        "display_name": "Kaisa Koivisto",
        "email": "coordinator2@a.example",
    }
    assert seen["reassignments"] == []  # the trail is the staff's
    trail = client.get(
        f"/api/v1/employers/{world.employer_id}/coordinator", headers=world.headers(Role.COORDINATOR)
    ).json()["reassignments"]
    assert [(r["actor_name"], r["previous_name"], r["new_name"]) for r in trail] == [
        ("a admin", "a coordinator", "Kaisa Koivisto"),
        ("a admin", None, "a coordinator"),
    ]

    # An unchanged coordinator is no reassignment.
    version = _employer(client, world)["version"]
    client.patch(
        f"/api/v1/employers/{world.employer_id}",
        json={"responsible_coordinator": kaisa["id"], "name": "a Logistiikka Oyj"},
        headers={**world.headers(Role.ADMIN), "If-Match": f'"{version}"'},
    )
    with connect(db) as conn:
        row = conn.execute("SELECT count(*) AS n FROM employer_coordinator_changes").fetchone()
    assert row == {"n": 2}


def test_a_coordinators_lists_narrow_to_their_own_employers(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    kaisa = _second_coordinator(db, world)
    mine = world.user_ids[Role.COORDINATOR]
    h = world.headers(Role.COORDINATOR)
    theirs = client.post(
        "/api/v1/employers",
        json={
            "business_id": "1572860-0",
            "name": "Leipomo Oy",
            "municipality": "Lieto",
            "responsible_coordinator": kaisa["id"],
        },
        headers=h,
    ).json()
    version = _employer(client, world)["version"]
    client.patch(
        f"/api/v1/employers/{world.employer_id}",
        json={"responsible_coordinator": mine},
        headers={**h, "If-Match": f'"{version}"'},
    )
    day = today()
    due = {"next_step": "Soita", "next_step_date": day.isoformat()}
    hidden = {"title": "Piilotyö", "visibility": "hidden"}
    # Kaisa logs a contact and records a hidden need at my employer, and the same at her own.
    for employer_id in (world.employer_id, theirs["id"]):
        reply = client.post(
            f"/api/v1/employers/{employer_id}/contacts", json={**CONTACT, **due}, headers=kaisa["headers"]
        )
        assert reply.status_code == 201
        client.post("/api/v1/needs", json={"employer_id": employer_id, **hidden}, headers=kaisa["headers"])

    def names(query: str) -> list[str]:
        items = client.get(f"/api/v1/employers?{query}", headers=h).json()["items"]
        return [e["name"] for e in items]

    assert names("mine=true") == ["a Logistiikka Oy"]
    assert names(f"responsible_coordinator={kaisa['id']}") == ["Leipomo Oy"]
    assert names("") == ["a Logistiikka Oy", "Leipomo Oy"]

    own = client.get("/api/v1/contacts/due", headers=h).json()
    assert [c["employer_name"] for c in own["contacts"]["items"]] == ["a Logistiikka Oy"]
    area = client.get("/api/v1/contacts/due?all=true", headers=h).json()
    assert len(area["contacts"]["items"]) == 2

    period = f"from={(day - timedelta(days=1)).isoformat()}&to={day.isoformat()}"
    ledger = client.get(f"/api/v1/ledger/hidden-jobs?{period}", headers=h).json()
    assert (ledger["scope"], ledger["totals"]["hidden_needs"]) == ("own", 1)
    whole = client.get(f"/api/v1/ledger/hidden-jobs?{period}&all=true", headers=h).json()
    assert (whole["scope"], whole["totals"]["hidden_needs"]) == ("area", 2)
