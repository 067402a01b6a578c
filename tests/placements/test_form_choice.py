"""The jobseeker decides the placement form: a proposal or placement in a form they have not accepted is
refused (409 naming the form, nothing written); their own caseworker records a change of mind (dated,
audited, kept as history), and the proposal or placement then proceeds."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.placements.conftest import (
    assert_problem,
    call,
    make_need,
    make_worker,
    move,
    propose,
    reload_index,
    snapshot,
)

PLACED = {"form": "work_trial", "start_date": "2026-03-02", "hours_per_week": 30}


def _choose(
    client: TestClient, world: AreaWorld, person: int, form: str, role: Role = Role.CASEWORKER, **extra: Any
) -> Any:
    return client.post(
        f"/api/v1/jobseekers/{person}/placement-forms",
        json={"form": form, "decided_on": "2026-01-15", **extra},
        headers=world.headers(role),
    )


def _history(db: str, person: int) -> list[dict[str, Any]]:
    with connect(db) as conn:
        return conn.execute(
            "SELECT form, change, decided_on::text AS decided_on, recorded_by FROM placement_form_choices"
            " WHERE jobseeker_id = %s ORDER BY id",
            (person,),
        ).fetchall()


def _matches(client: TestClient, world: AreaWorld, person: int) -> list[int]:
    reply = call(
        client, "GET", f"/api/v1/jobseekers/{person}/matches", headers=world.headers(Role.COORDINATOR)
    )
    assert reply.status_code == 200, reply.text
    return [i["id"] for i in reply.json()["items"]]


def test_a_proposal_in_a_form_not_accepted_is_refused_until_the_own_caseworker_records_acceptance(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need = make_need(db, world, placement_forms=["work_trial"])
    person = make_worker(db, world, placement_forms=["open_job", "pay_subsidy"])
    reload_index(client, db)
    assert need not in _matches(client, world, person)  # matching respects the jobseeker's choice
    before = snapshot(db)
    reply = call(
        client,
        "POST",
        "/api/v1/proposals",
        json={"need_id": need, "jobseeker_id": person},
        headers=world.headers(Role.COORDINATOR),
    )
    body = assert_problem(reply, 409, "jobseeker_id", "placement-form-not-accepted")
    assert "Work trial (work_trial)" in body["detail"]
    assert body["placement_forms"] == ["work_trial"]
    assert snapshot(db) == before

    # Nobody but the own caseworker records the jobseeker's decision; nothing is written when refused.
    for role in (Role.COORDINATOR, Role.ADMIN, Role.EMPLOYER):
        assert_problem(_choose(client, world, person, "work_trial", role), 403)
    # A caseworker who is not the jobseeker's own does not see them at all.
    stranger = make_worker(db, world, caseworker_id=None, placement_forms=["open_job"])
    assert_problem(_choose(client, world, stranger, "work_trial"), 404)
    assert_problem(_choose(client, world, person, "work_trial", decided_on="2999-01-01"), 422, "decided_on")
    assert _history(db, person) == []

    chosen = _choose(client, world, person, "work_trial")
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["placement_forms"] == ["open_job", "pay_subsidy", "work_trial"]
    assert _history(db, person) == [
        {
            "form": "work_trial",
            "change": "added",
            "decided_on": "2026-01-15",
            "recorded_by": world.user_ids[Role.CASEWORKER],
        }
    ]
    with connect(db) as conn:
        audited = conn.execute(
            "SELECT actor_id FROM audit_log WHERE jobseeker_id = %s AND action = 'placement_forms_record'",
            (person,),
        ).fetchall()
    assert audited == [{"actor_id": world.user_ids[Role.CASEWORKER]}]
    read = client.get(f"/api/v1/jobseekers/{person}/placement-forms", headers=world.headers(Role.COORDINATOR))
    assert read.status_code == 200 and read.json()["history"][0]["form"] == "work_trial"

    own = client.get(f"/api/v1/jobseekers/{person}/personal-data", headers=world.headers(Role.CASEWORKER))
    assert own.status_code == 200, own.text
    assert [c["form"] for c in own.json()["placement_form_choices"]] == ["work_trial"]

    reload_index(client, db)
    assert need in _matches(client, world, person)
    proposal = propose(client, world, need, person)
    assert proposal["state"] == "proposed"


def test_a_placement_in_a_form_not_accepted_is_refused_until_accepted(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need = make_need(db, world, placement_forms=["open_job", "work_trial"])
    person = make_worker(db, world, placement_forms=["open_job", "work_trial"])
    proposal = propose(client, world, need, person)
    move(client, world, proposal["id"], "interested", "interview")
    # The jobseeker changes their mind: no work trial after all.
    removed = _choose(client, world, person, "work_trial", change="removed")
    assert removed.status_code == 200 and removed.json()["placement_forms"] == ["open_job"]
    url = f"/api/v1/proposals/{proposal['id']}/transitions"
    before = snapshot(db)
    refused = client.post(url, json={"to": "placed", **PLACED}, headers=world.headers(Role.COORDINATOR))
    body = assert_problem(refused, 409, "form", "placement-form-not-accepted")
    assert "Work trial (work_trial)" in body["detail"]
    assert snapshot(db) == before

    assert _choose(client, world, person, "work_trial").status_code == 200
    placed = move(client, world, proposal["id"], "placed", **PLACED)
    assert placed["placement"]["form"] == "work_trial"
    assert [(r["form"], r["change"]) for r in _history(db, person)] == [
        ("work_trial", "removed"),
        ("work_trial", "added"),
    ]


def test_the_employers_answer_is_named_in_the_readers_language_in_the_history(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    proposal = propose(client, world, make_need(db, world), make_worker(db, world))
    url = f"/api/v1/proposals/{proposal['id']}"
    answered = client.post(
        f"{url}/answer",
        json={"answer": "not_suitable", "reason_code": "skills"},
        headers=world.headers(Role.EMPLOYER),
    )
    assert answered.status_code == 200, answered.text
    names = {}
    for lang in ("fi", "sv", "en"):
        reply = client.get(url, headers=world.headers(Role.COORDINATOR, **{"Accept-Language": lang}))
        assert reply.status_code == 200, reply.text
        events = [e for e in reply.json()["history"] if e["answer"] is not None]
        assert [e["answer"] for e in events] == ["not_suitable"]
        names[lang] = events[0]["answer_label"]
    assert names == {"fi": "Ei sovi", "sv": "Passar inte", "en": "Not suitable"}
