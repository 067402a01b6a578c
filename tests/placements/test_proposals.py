"""Proposing a candidate: the explanation and the intro card are frozen; bad proposals change nothing."""

from __future__ import annotations

import re
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient

from accounts.models import Principal, Role
from core.db import Conn, connect
from jobseekers import facts
from jobseekers import service as jobseekers
from matching.service import engine_of
from placements import cards, proposals
from placements.schemas import ProposalCreate
from placements.settings import PlacementSettings
from tests.conftest import AreaWorld
from tests.placements.conftest import (
    assert_problem,
    call,
    make_need,
    make_worker,
    propose,
    reload_index,
    snapshot,
    workflow_settings,
)

PERSONAL = ("Maija", "Meikäläinen", "maija@example.fi", "123 4567", "765 4321", "1980", "45-vuotias")


def test_coordinator_proposes_and_the_ranking_explanation_is_frozen(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need = make_need(db, world)
    person = make_worker(db, world)
    reload_index(client, db)

    proposal = propose(client, world, need, person)

    assert proposal["state"] == "proposed"
    assert proposal["rank"] == 1
    assert proposal["score"] == proposal["explanation"]["score"] > 0
    assert proposal["model_id"] == proposal["explanation"]["model_id"] == "fake-hash-v1"
    assert proposal["explanation"]["matched_skills"] == ["keräily", "trukin kuljettaminen"]
    assert proposal["allowed_transitions"] == ["interested", "declined", "not_hired"]
    # Frozen: changing the need afterwards leaves the stored explanation as it was.
    with connect(db) as conn:
        conn.execute("UPDATE needs SET skills = '{siivous}' WHERE id = %s", (need,))
        conn.commit()
    again = client.get(f"/api/v1/proposals/{proposal['id']}", headers=world.headers(Role.COORDINATOR)).json()
    assert again["explanation"] == proposal["explanation"]
    assert [h["to_state"] for h in again["history"]] == ["proposed"]


def test_intro_card_has_skills_and_availability_but_no_identity(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need = make_need(db, world)
    person = make_worker(db, world)
    proposal = propose(client, world, need, person)
    url = f"/api/v1/proposals/{proposal['id']}/card"

    card = client.get(url, headers=world.headers(Role.EMPLOYER))
    assert card.status_code == 200, card.text
    assert card.headers["Cache-Control"] == "no-store"
    body = card.json()
    assert body["pseudonym"].startswith("Hakija-")
    assert body["skills"] == ["keräily", "trukin kuljettaminen", "varastonhallinta"]
    assert "Logistiikka Oy 2019–2022" in body["experience_summary"]
    assert body["languages"] == [{"code": "en", "level": "B1"}, {"code": "fi", "level": "native"}]
    assert body["certificates"] == [{"name": "trukkikortti", "valid_until": "2030-01-01"}]  # expired left out
    assert body["availability"]["available"] is True
    assert body["availability"]["desired_hours_per_week"] == 30
    for text in PERSONAL:
        assert text not in card.text, text
    assert "Lieto" not in card.text  # the home municipality stays out too

    html = client.get(url + ".html", headers=world.headers(Role.EMPLOYER))
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "Esittelykortti" in html.text and body["pseudonym"] in html.text and "trukkikortti" in html.text
    assert "äidinkieli" in html.text
    for text in PERSONAL:
        assert text not in html.text, text

    pdf = client.get(url + ".pdf", headers=world.headers(Role.EMPLOYER))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert b"DejaVu" in pdf.content  # the embedded font that has ä and ö

    with connect(db) as conn:
        views = conn.execute(
            "SELECT count(*) AS n FROM audit_log WHERE jobseeker_id = %s AND action = 'card_view'", (person,)
        ).fetchone()
    assert views is not None and views["n"] == 3


class StatementLog:
    """A connection that notes the text of every statement run through its ``execute``."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.statements: list[str] = []

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        self.statements.append(query if isinstance(query, str) else query.as_string(self.conn))
        return self.conn.execute(query, params, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)

    def reads_of(self, table: str) -> int:
        """Statements that read ``table``."""
        return sum(1 for s in self.statements if re.search(rf"\bFROM {table}\b", s))


def test_a_proposal_reads_the_need_and_the_jobseeker_once_and_audits_the_read_once(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need = make_need(db, world)
    person = make_worker(db, world)
    reload_index(client, db)
    coordinator = Principal(world.user_ids[Role.COORDINATOR], world.area_id, Role.COORDINATOR, "Kaisa")
    engine = engine_of(client.app.state)  # type: ignore[attr-defined]

    with connect(db) as conn:
        log = StatementLog(conn)
        data = ProposalCreate(need_id=need, jobseeker_id=person, note="")
        proposal = proposals.create_proposal(cast(Conn, log), engine, coordinator, data, PlacementSettings())
        audit = conn.execute(
            "SELECT action, reason, actor_id FROM audit_log WHERE jobseeker_id = %s", (person,)
        ).fetchall()

    assert proposal["rank"] == 1 and proposal["explanation"]["matched_skills"]
    assert log.reads_of("needs") == 1
    assert log.reads_of("jobseekers") == 1
    assert [(a["action"], a["reason"], a["actor_id"]) for a in audit] == [
        ("read", "proposal", coordinator.user_id)
    ]


def test_what_a_proposal_reads_of_the_jobseeker_is_what_matching_and_a_staff_record_read(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    person = make_worker(
        db,
        world,
        certificates={"trukkikortti": "2030-01-01", "hygieniapassi": "2001-01-01", "EA1": None},
        work_capacity={"max_hours_per_day": 6, "no_night_shifts": True, "excluded_demands": ["cold"]},
    )
    admin = Principal(world.user_ids[Role.ADMIN], world.area_id, Role.ADMIN, "Pasi")
    with connect(db) as conn:
        read = facts.proposal_candidate(conn, person)
        assert read is not None
        assert read.row == next(facts.candidate_rows(conn, [person]))
        record = jobseekers.get_jobseeker(conn, admin, person, "test")
        assert read.card_profile["certificates"] == record["certificates"]
        assert read.card_profile["full_name"] == record["full_name"]


def test_caseworker_proposes_own_client_only(client: TestClient, db: str, world: AreaWorld) -> None:
    need = make_need(db, world)
    own = make_worker(db, world)
    other = make_worker(db, world, caseworker_id=None)
    assert propose(client, world, need, own, role=Role.CASEWORKER)["state"] == "proposed"
    before = snapshot(db)
    body = {"need_id": need, "jobseeker_id": other}
    reply = call(client, "POST", "/api/v1/proposals", json=body, headers=world.headers(Role.CASEWORKER))
    assert_problem(reply, 404, "jobseeker_id")
    assert snapshot(db) == before
    listed = client.get("/api/v1/proposals", headers=world.headers(Role.CASEWORKER)).json()
    assert [p["jobseeker_id"] for p in listed["items"]] == [own]


def test_retrying_a_proposal_with_the_same_idempotency_key_creates_one(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need, person = make_need(db, world), make_worker(db, world)
    h = world.headers(Role.COORDINATOR, **{"Idempotency-Key": "ehdotus-1"})
    body = {"need_id": need, "jobseeker_id": person}
    first = call(client, "POST", "/api/v1/proposals", json=body, headers=h)
    retry = client.post("/api/v1/proposals", json=body, headers=h)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert snapshot(db)["counts"]["proposals"] == 1


def _refused(client: TestClient, world: AreaWorld, need: int, person: int) -> Any:
    body = {"need_id": need, "jobseeker_id": person}
    return call(client, "POST", "/api/v1/proposals", json=body, headers=world.headers(Role.COORDINATOR))


def test_bad_proposals_are_refused_and_change_nothing(client: TestClient, db: str, world: AreaWorld) -> None:
    need = make_need(db, world)
    person = make_worker(db, world)
    propose(client, world, need, person)
    unavailable = make_worker(db, world, available=False)
    closed = make_need(db, world, status="filled")
    archived = make_need(db, world, archived=True)
    no_licence = make_worker(db, world, certificates={})
    night_need = make_need(db, world, shifts=["night"])
    no_nights = make_worker(db, world, work_capacity={"no_night_shifts": True})
    before = snapshot(db)

    assert_problem(_refused(client, world, need, person), 409, "jobseeker_id", "duplicate-proposal")
    assert_problem(_refused(client, world, need, unavailable), 409, "jobseeker_id", "jobseeker-unavailable")
    assert_problem(_refused(client, world, closed, person), 409, "need_id", "need-closed")
    assert_problem(_refused(client, world, archived, person), 409, "need_id", "need-closed")
    failing = assert_problem(_refused(client, world, need, no_licence), 422, "jobseeker_id")
    assert failing["failed_constraints"] == ["certificates"]
    failing = assert_problem(_refused(client, world, night_need, no_nights), 422, "jobseeker_id")
    assert failing["failed_constraints"] == ["work_capacity"]
    assert_problem(_refused(client, world, 999_999, person), 404, "need_id")
    assert_problem(_refused(client, world, need, 999_999), 404, "jobseeker_id")
    invalid = client.post(
        "/api/v1/proposals",
        json={"need_id": "x", "jobseeker_id": person},
        headers=world.headers(Role.COORDINATOR),
    )
    assert_problem(invalid, 422, "need_id")

    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("caps", "field"),
    [
        pytest.param({"max_open_proposals_per_need": 1}, "need_id", id="per-need"),
        pytest.param({"max_proposals_per_employer_per_week": 1}, "need_id", id="per-employer-week"),
        pytest.param({"max_open_proposals_per_jobseeker": 1}, "jobseeker_id", id="per-jobseeker"),
    ],
)
def test_caps_refuse_one_proposal_too_many(
    client: TestClient, db: str, world: AreaWorld, caps: dict[str, int], field: str
) -> None:
    need, second_need = make_need(db, world), make_need(db, world, title="Keräilijä")
    person, second_person = make_worker(db, world), make_worker(db, world)
    with workflow_settings(client, **caps):
        propose(client, world, need, person)
        before = snapshot(db)
        target = (need, second_person) if field == "need_id" else (second_need, person)
        body = assert_problem(_refused(client, world, *target), 409, field, "proposal-cap")
    assert body["cap"] == next(iter(caps)) and body["limit"] == 1
    assert snapshot(db) == before


def test_a_closed_proposal_no_longer_counts_against_the_need_cap(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need = make_need(db, world)
    with workflow_settings(client, max_open_proposals_per_need=1):
        first = propose(client, world, need, make_worker(db, world))
        answer = client.post(
            f"/api/v1/proposals/{first['id']}/answer",
            json={"answer": "not_suitable", "reason_code": "experience"},
            headers=world.headers(Role.EMPLOYER),
        )
        assert answer.status_code == 200, answer.text
        assert propose(client, world, need, make_worker(db, world))["state"] == "proposed"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        pytest.param("Maija Meikäläinen, 45-vuotias, varastotyöt", "varastotyöt", id="name-and-age-fi"),
        pytest.param("Syntynyt 1980. Trukkikortti.", "Trukkikortti.", id="year-of-birth"),
        pytest.param("Soita 040 765 4321 tai maija@example.fi", "Soita", id="phone-and-email"),
        pytest.param("Jag är 52 år gammal, lagerarbete 2019-2022", "lagerarbete 2019-2022", id="age-sv"),
        pytest.param(
            "3 vuotta varastossa, 2 år i kök", "3 vuotta varastossa, 2 år i kök", id="years-of-work"
        ),
    ],
)
def test_free_text_on_the_card_is_scrubbed_of_identity(text: str, kept: str) -> None:
    scrubbed = cards.scrub(text, {"full_name": "Maija Meikäläinen"})
    assert kept in scrubbed
    for personal in ("Maija", "Meikäläinen", "45", "1980", "765 4321", "example.fi", "52"):
        assert personal not in scrubbed, scrubbed


def test_a_jobseeker_is_proposed_only_with_their_consent_to_share_the_profile(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    need, person = make_need(db, world), make_worker(db, world)
    with connect(db) as conn:
        other = conn.execute(
            "INSERT INTO employers (area_id, business_id, name, municipality)"
            " VALUES (%s, '1572860-0', 'Liedon Leipomo Oy', 'Lieto') RETURNING id",
            (world.area_id,),
        ).fetchone()
        assert other is not None
        # Their consent now covers only another employer.
        conn.execute("DELETE FROM consents WHERE jobseeker_id = %s", (person,))
        conn.execute(
            "INSERT INTO consents (jobseeker_id, scope, employer_id) VALUES (%s, 'share_profile', %s)",
            (person, other["id"]),
        )
        conn.commit()
    before = snapshot(db)

    refused = _refused(client, world, need, person)

    problem = assert_problem(refused, 409, "jobseeker_id", "profile-not-shared")
    assert problem["missing_consent"] == "share_profile"
    assert snapshot(db) == before
    url = f"/api/v1/jobseekers/{person}/consents"
    given = client.post(
        url,
        json={"scope": "share_profile", "employer_id": world.employer_id},
        headers=world.headers(Role.ADMIN),
    )
    assert given.status_code == 201, given.text
    assert propose(client, world, need, person)["state"] == "proposed"

    # Withdrawn, it stops the next proposal; the card already sent stays with its proposal.
    client.post(f"{url}/{given.json()['id']}/withdraw", headers=world.headers(Role.ADMIN))
    second_need = make_need(db, world, title="Lähettämötyöntekijä")
    assert_problem(_refused(client, world, second_need, person), 409, "jobseeker_id", "profile-not-shared")
    listed = client.get("/api/v1/proposals", headers=world.headers(Role.EMPLOYER)).json()
    assert listed["total"] == 1
