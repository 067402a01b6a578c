"""The privacy tests: a client with something in every part of the record, and the command-line fixture
of the interchange tests."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from accounts.models import Role
from core.clock import add_months, today
from tests.conftest import AreaWorld
from tests.interchange.conftest import cli_env, write_file
from tests.placements.conftest import call, make_need, make_worker, move, reload_index

__all__ = ["cli_env", "write_file"]


@dataclass(frozen=True)
class Person:
    """A client with something in every part of the record."""

    id: int
    need_id: int
    proposal_id: int
    placement_id: int


NAME = ("Maija", "Meikäläinen")
HEALTH = ("Selkävaiva, ei nostoja.", "Kuntoutus etenee.", "Uniongelmat, tarvitsee tukea.")
PLAN_STEP = "Maija hakee trukkikorttikurssille"


def whole_person(client: TestClient, db: str, world: AreaWorld) -> Person:
    """A client of the world's caseworker with work capacity, an assessment, consents, a proposal answered
    with a comment, a placement started four months ago and its 3-month follow-up, and a stored vector;
    the requests that may be repeated were sent with Idempotency-Keys."""
    person = make_worker(db, world, work_capacity={"max_hours_per_day": 6, "details": HEALTH[0]})
    caseworker = world.headers(Role.CASEWORKER, **{"Idempotency-Key": "arvio"})
    assessment = {"measure": "TOIMIA", "score": 3, "assessed_on": "2026-01-15", "notes": HEALTH[1]}
    added = client.post(
        f"/api/v1/jobseekers/{person}/work-capacity/assessments", json=assessment, headers=caseworker
    )
    assert added.status_code == 201, added.text
    need_assessment = {"assessed_on": "2026-01-20", "level": "light_support", "notes": HEALTH[2]}
    url = f"/api/v1/jobseekers/{person}/service-need-assessments"
    assert client.post(url, json=need_assessment, headers=world.headers(Role.CASEWORKER)).status_code == 201
    plan = {
        "kind": "employment",
        "drawn_up_on": "2026-01-20",
        "review_on": "2026-03-01",
        "items": [{"kind": "step", "text": PLAN_STEP, "due_on": "2026-02-15"}],
    }
    url = f"/api/v1/jobseekers/{person}/plans"
    assert client.post(url, json=plan, headers=world.headers(Role.CASEWORKER)).status_code == 201
    facts = {"unemployed_since": "2024-05-01", "benefit": "labour_market_subsidy", "subsidy_days": 510}
    version = client.get(f"/api/v1/jobseekers/{person}", headers=world.headers(Role.CASEWORKER)).headers[
        "ETag"
    ]
    patched = client.patch(
        f"/api/v1/jobseekers/{person}",
        json=facts,
        headers=world.headers(Role.CASEWORKER, **{"If-Match": version}),
    )
    assert patched.status_code == 200, patched.text
    consent = {"scope": "disclose_identity", "employer_id": world.employer_id}
    assert (
        client.post(
            f"/api/v1/jobseekers/{person}/consents", json=consent, headers=world.headers(Role.ADMIN)
        ).status_code
        == 201
    )
    need = make_need(db, world)
    proposed = call(
        client,
        "POST",
        "/api/v1/proposals",
        json={"need_id": need, "jobseeker_id": person, "note": "Maija sopii hyvin."},
        headers=world.headers(Role.COORDINATOR, **{"Idempotency-Key": "ehdotus"}),
    )
    assert proposed.status_code == 201, proposed.text
    proposal = proposed.json()["id"]
    answer = {"answer": "interested", "comment": "Maija Meikäläinen kutsutaan haastatteluun."}
    answered = client.post(
        f"/api/v1/proposals/{proposal}/answer", json=answer, headers=world.headers(Role.EMPLOYER)
    )
    assert answered.status_code == 200, answered.text
    start = add_months(today(), -4).isoformat()
    placed = move(
        client,
        world,
        proposal,
        "interview",
        "placed",
        form="open_job",
        start_date=start,
        decision_reference="TE-17",
    )
    placement = placed["placement"]["id"]
    follow_up = client.post(
        f"/api/v1/placements/{placement}/follow-ups",
        json={"due": 3, "outcome": "still_employed", "note": "Maija jatkaa töissä."},
        headers=world.headers(Role.COORDINATOR, **{"Idempotency-Key": "seuranta"}),
    )
    assert follow_up.status_code == 201, follow_up.text
    reload_index(client, db)
    return Person(id=person, need_id=need, proposal_id=proposal, placement_id=placement)
