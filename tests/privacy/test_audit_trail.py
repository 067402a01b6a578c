"""The audit trail is whole: replays that answer with a jobseeker's data are audited like the first
answer, and what the command line reads is recorded in the name of the operating-system user running it."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accounts.models import Role, operator_name
from core.clock import add_months, today
from core.db import connect
from server.cli import app
from tests.conftest import AreaWorld
from tests.interchange.conftest import EMPLOYER, JOBSEEKER, NEED, WriteFile
from tests.placements.conftest import insert_placement, make_need, make_worker, propose

runner = CliRunner()


def _audit(db: str, jobseeker_id: int | None = None) -> list[dict[str, Any]]:
    with connect(db) as conn:
        return conn.execute(
            "SELECT actor_id, actor_label, jobseeker_id, action, reason FROM audit_log"
            " WHERE %s::bigint IS NULL OR jobseeker_id = %s ORDER BY id",
            (jobseeker_id, jobseeker_id),
        ).fetchall()


def _actions(db: str, person: int) -> list[str]:
    return [r["action"] for r in _audit(db, person)]


def _keyed(world: AreaWorld, role: Role, key: str) -> dict[str, str]:
    return world.headers(role, **{"Idempotency-Key": key})


def test_a_replayed_proposal_answer_and_transition_are_audited_like_the_first(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need, person = make_need(db, world), make_worker(db, world)
    body = {"need_id": need, "jobseeker_id": person}
    h = _keyed(world, Role.COORDINATOR, "ehdotus")
    first = client.post("/api/v1/proposals", json=body, headers=h)
    again = client.post("/api/v1/proposals", json=body, headers=h)
    assert first.status_code == again.status_code == 201, first.text
    assert again.headers["Idempotent-Replayed"] == "true"
    proposal = first.json()["id"]

    answer = f"/api/v1/proposals/{proposal}/answer"
    employer = _keyed(world, Role.EMPLOYER, "vastaus")
    for _ in range(2):
        assert client.post(answer, json={"answer": "interested"}, headers=employer).status_code == 200
    move = f"/api/v1/proposals/{proposal}/transitions"
    coordinator = _keyed(world, Role.COORDINATOR, "siirto")
    for _ in range(2):
        assert client.post(move, json={"to": "interview"}, headers=coordinator).status_code == 200

    rows = _audit(db, person)
    assert [r["action"] for r in rows] == [
        "read",
        "proposal_replay",
        "answer",
        "answer_replay",
        "transition",
        "transition_replay",
    ]
    assert [r["actor_id"] for r in rows[2:4]] == [world.user_ids[Role.EMPLOYER]] * 2
    assert rows[5]["reason"] == "proposal interview"


def test_a_replayed_follow_up_is_audited(client: TestClient, db: str, world: AreaWorld) -> None:
    person = make_worker(db, world)
    with connect(db) as conn:
        placement = insert_placement(
            conn, world, make_need(db, world), person, "open_job", add_months(today(), -4)
        )
        conn.commit()
    url = f"/api/v1/placements/{placement}/follow-ups"
    h = _keyed(world, Role.COORDINATOR, "seuranta")
    replies = [client.post(url, json={"due": 3, "outcome": "studies"}, headers=h) for _ in range(2)]
    assert [r.status_code for r in replies] == [201, 201]
    assert _actions(db, person) == ["follow_up", "follow_up_replay"]


def test_a_refused_replay_discloses_nothing_and_is_not_audited(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need, person = make_need(db, world), make_worker(db, world)
    h = _keyed(world, Role.COORDINATOR, "ehdotus")
    propose(client, world, need, person)  # the pair is taken: the keyed request is refused (409)
    body = {"need_id": need, "jobseeker_id": person}
    refused = [client.post("/api/v1/proposals", json=body, headers=h) for _ in range(2)]
    assert [r.status_code for r in refused] == [409, 409]
    assert "proposal_replay" not in _actions(db, person)


def test_command_line_reads_are_recorded_as_the_operating_system_user(
    cli_env: str, write_file: WriteFile
) -> None:
    runner.invoke(app, ["import", str(write_file([EMPLOYER, NEED, JOBSEEKER])), "--area", "Testialue"])
    matched = runner.invoke(app, ["match", "--need", NEED["external_id"], "--format", "json"])
    exported = runner.invoke(app, ["export", "--area", "Testialue"])

    assert matched.exit_code == exported.exit_code == 0, matched.output
    assert [item["external_id"] for item in json.loads(matched.stdout)["items"]] == ["j1"]
    rows = _audit(cli_env)
    assert [r["action"] for r in rows] == ["import", "match_list", "export"]
    assert {(r["actor_id"], r["actor_label"]) for r in rows} == {(None, operator_name())}
    assert operator_name().startswith("cli:")


def test_the_command_line_matches_in_an_area_without_any_user(cli_env: str, write_file: WriteFile) -> None:
    runner.invoke(app, ["import", str(write_file([EMPLOYER, NEED, JOBSEEKER])), "--area", "Testialue"])
    with connect(cli_env) as conn:
        assert conn.execute("SELECT count(*) AS n FROM users").fetchone() == {"n": 0}

    matched = runner.invoke(app, ["match", "--jobseeker", JOBSEEKER["external_id"]])

    assert matched.exit_code == 0, matched.output
    assert [r["action"] for r in _audit(cli_env)] == ["import", "match"]


def test_the_trail_shows_who_acted_by_user_or_by_operator_name(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    reply = client.post(
        "/api/v1/jobseekers", json={"municipality": "Turku"}, headers=world.headers(Role.CASEWORKER)
    )
    person = reply.json()["id"]
    with connect(db) as conn:
        conn.execute(
            "INSERT INTO audit_log (area_id, actor_label, jobseeker_id, action, reason, at)"
            " VALUES (%s, 'cli:ops', %s, 'export', 'interchange file', now() + %s)",
            (world.area_id, person, timedelta(seconds=1)),
        )
        conn.commit()
    trail = client.get(f"/api/v1/jobseekers/{person}/audit", headers=world.headers(Role.ADMIN)).json()
    assert [(i["action"], i["actor_id"], i["actor_label"]) for i in trail["items"]] == [
        ("export", None, "cli:ops"),
        ("create", world.user_ids[Role.CASEWORKER], None),
    ]
