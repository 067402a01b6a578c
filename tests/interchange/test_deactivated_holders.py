"""A deactivated user may still hold a client, an employer or an event: an import records that as it is,
while the product's own API still refuses to give such a user a new one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from accounts import care
from accounts import service as accounts
from accounts.models import Role, operator
from core.clock import today
from core.db import connect
from interchange.importer import import_file
from tests.conftest import AreaWorld
from tests.interchange.conftest import EMPLOYER, JOBSEEKER, jsonl
from tests.placements.conftest import assert_problem, make_worker

EVENT: dict[str, Any] = {
    "type": "event",
    "external_id": "ev1",
    "kind": "morning_coffee",
    "title": "Yrittäjäaamu",
    "event_date": "2026-03-12",
    "municipality": "Turku",
    "organiser": "poissa-koordinaattori@a.example",
}


def _gone(db: str, world: AreaWorld) -> dict[Role, int]:
    """A caseworker and a coordinator of the area, both deactivated."""
    ids: dict[Role, int] = {}
    with connect(db) as conn:
        for role, email in (
            (Role.CASEWORKER, "poissa-ohjaaja@a.example"),
            (Role.COORDINATOR, "poissa-koordinaattori@a.example"),
        ):
            user = accounts.create_user(
                conn,
                area_id=world.area_id,
                email=email,
                display_name=email,
                role=role,
                password="salasana-123",
            )
            care.set_active(conn, operator(world.area_id), user["id"], False)
            ids[role] = user["id"]
        conn.commit()
    return ids


def _patch(client: TestClient, world: AreaWorld, url: str, body: dict[str, Any]) -> Any:
    version = client.get(url, headers=world.headers(Role.ADMIN)).json()["version"]
    return client.patch(url, json=body, headers={**world.headers(Role.ADMIN), "If-Match": f'"{version}"'})


def test_the_api_gives_a_deactivated_user_no_new_client_employer_or_event(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    gone = _gone(db, world)
    person = make_worker(db, world)

    reply = _patch(client, world, f"/api/v1/jobseekers/{person}", {"caseworker_id": gone[Role.CASEWORKER]})
    assert_problem(reply, 422, "caseworker_id")
    employer = f"/api/v1/employers/{world.employer_id}"
    reply = _patch(client, world, employer, {"responsible_coordinator": gone[Role.COORDINATOR]})
    assert_problem(reply, 422, "responsible_coordinator")
    event = {"kind": "fair", "title": "MegaRekry", "event_date": str(today()), "municipality": "Turku"}
    reply = client.post(
        "/api/v1/events",
        json={**event, "organiser_id": gone[Role.COORDINATOR]},
        headers=world.headers(Role.COORDINATOR),
    )
    assert_problem(reply, 422, "organiser_id")


def test_an_import_names_deactivated_users_as_caseworker_coordinator_and_organiser(
    db: str, world: AreaWorld, tmp_path: Path
) -> None:
    gone = _gone(db, world)
    lines = [
        {**EMPLOYER, "responsible_coordinator": "Poissa-Koordinaattori@a.example"},
        {**JOBSEEKER, "caseworker": "poissa-ohjaaja@a.example"},
        {**EVENT, "employers": [{"employer": "e1"}]},
        {
            **JOBSEEKER,
            "external_id": "j2",
            "caseworker": "poissa-koordinaattori@a.example",
        },  # not a caseworker
    ]
    path = tmp_path / "holders.jsonl"
    path.write_text(jsonl(lines), encoding="utf-8")

    with connect(db) as conn:
        refused = import_file(conn, path, "Testialue", progress=False)
        assert not refused.written
        assert refused.error_lines("f") == [
            "f:4: caseworker: the user with this email is a coordinator, not a caseworker"
        ]
        report = import_file(conn, path, "Testialue", skip_invalid=True, progress=False)
        conn.commit()
        assert report.written and [line for line, _, _ in report.errors] == [4]
        employer = conn.execute("SELECT responsible_coordinator FROM employers WHERE external_id = 'e1'")
        assert employer.fetchone() == {"responsible_coordinator": gone[Role.COORDINATOR]}
        client_of = conn.execute("SELECT caseworker_id FROM jobseekers WHERE external_id = 'j1'").fetchone()
        assert client_of == {"caseworker_id": gone[Role.CASEWORKER]}
        organiser = conn.execute("SELECT organiser_id FROM recruitment_events").fetchone()
        assert organiser == {"organiser_id": gone[Role.COORDINATOR]}
        # The line carries no trail: the import's own setting of the coordinator is on the record.
        trail = conn.execute("SELECT new_user_id, actor_id FROM employer_coordinator_changes").fetchall()
        assert trail == [{"new_user_id": gone[Role.COORDINATOR], "actor_id": None}]
        active = conn.execute("SELECT count(*) AS n FROM users WHERE NOT active").fetchone()
        assert active == {"n": 2}  # the import reactivated no one
