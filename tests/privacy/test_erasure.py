"""Erasure: an admin removes a person's identity and free text everywhere, keeps the pseudonymous facts the
indicators count and the whole audit trail, and takes the person out of matching; asking again changes
nothing and answers the same."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from placements.cards import CARD_KEPT_ON_ERASURE
from tests.conftest import AreaWorld
from tests.matching_api.conftest import wait_for
from tests.placements.conftest import make_need, make_worker, reload_index
from tests.privacy.conftest import HEALTH, NAME, PLAN_STEP, whole_person

API = "/api/v1/jobseekers"
REASON = {"reason": "tietosuojapyyntö 2026-12"}


def _erase(client: TestClient, world: AreaWorld, person: int, role: Role = Role.ADMIN, **body: Any) -> Any:
    return client.post(f"{API}/{person}/erase", json=body or REASON, headers=world.headers(role))


def _dump(db: str, person: int) -> str:
    """Every row that refers to the person, as one text (what a search of the database would find)."""
    queries = (
        "SELECT to_jsonb(j) AS row FROM jobseekers j WHERE id = %(p)s",
        "SELECT to_jsonb(c) AS row FROM jobseeker_certificates c WHERE jobseeker_id = %(p)s",
        "SELECT to_jsonb(w) AS row FROM work_capacity w WHERE jobseeker_id = %(p)s",
        "SELECT to_jsonb(a) AS row FROM work_capacity_assessments a WHERE jobseeker_id = %(p)s",
        "SELECT to_jsonb(s) AS row FROM service_need_assessments s WHERE jobseeker_id = %(p)s",
        "SELECT to_jsonb(pn) AS row FROM plans pn WHERE jobseeker_id = %(p)s",
        "SELECT to_jsonb(i) AS row FROM plan_items i JOIN plans pn ON pn.id = i.plan_id"
        " WHERE pn.jobseeker_id = %(p)s",
        "SELECT to_jsonb(p) AS row FROM proposals p WHERE jobseeker_id = %(p)s",
        "SELECT to_jsonb(e) AS row FROM proposal_events e JOIN proposals p ON p.id = e.proposal_id"
        " WHERE p.jobseeker_id = %(p)s",
        "SELECT to_jsonb(pl) AS row FROM placements pl WHERE jobseeker_id = %(p)s",
        "SELECT to_jsonb(f) AS row FROM placement_follow_ups f JOIN placements pl ON pl.id = f.placement_id"
        " WHERE pl.jobseeker_id = %(p)s",
        "SELECT to_jsonb(k) AS row FROM idempotency_keys k",
    )
    with connect(db) as conn:
        return json.dumps(
            [r["row"] for q in queries for r in conn.execute(q, {"p": person})], ensure_ascii=False
        )


def _counts(db: str, person: int) -> dict[str, int]:
    with connect(db) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM audit_log WHERE jobseeker_id = %(p)s) AS audit,"
            " (SELECT count(*) FROM consents WHERE jobseeker_id = %(p)s) AS consents,"
            " (SELECT count(*) FROM consents WHERE jobseeker_id = %(p)s AND withdrawn_at IS NULL)"
            " AS in_force,"
            " (SELECT count(*) FROM proposals WHERE jobseeker_id = %(p)s) AS proposals,"
            " (SELECT count(*) FROM placements WHERE jobseeker_id = %(p)s) AS placements,"
            " (SELECT count(*) FROM jobseeker_vectors WHERE jobseeker_id = %(p)s) AS vectors,"
            " (SELECT count(*) FROM work_capacity WHERE jobseeker_id = %(p)s) AS work_capacity",
            {"p": person},
        ).fetchone()
    assert row is not None
    return dict(row)


def test_erasure_removes_identity_and_free_text_and_keeps_the_facts_and_the_trail(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    person = whole_person(client, db, world)
    coordinator = world.headers(Role.COORDINATOR)
    indicators_before = client.get("/api/v1/indicators", headers=coordinator).json()
    before = _counts(db, person.id)
    assert before["vectors"] == before["work_capacity"] == 1

    reply = _erase(client, world, person.id)

    assert reply.status_code == 200, reply.text
    result = reply.json()
    assert result["jobseeker_id"] == person.id and result["pseudonym"].startswith("Hakija-")
    assert result["erased"] and result["kept"]
    stored = _dump(db, person.id)
    for text in (
        *NAME,
        "maija@example.fi",
        "123 4567",
        "1980",
        *HEALTH,
        PLAN_STEP,
        "labour_market_subsidy",
        "2024-05-01",
        "trukkikortti",
        "keräily",
        "TE-17",
    ):
        assert text not in stored, text
    assert result["pseudonym"] in stored  # the pseudonym stays, on the row and the card
    after = _counts(db, person.id)
    assert after == {
        **before,
        "audit": before["audit"] + 1,
        "in_force": 0,
        "vectors": 0,
        "work_capacity": 0,
    }
    with connect(db) as conn:
        row = conn.execute(
            "SELECT municipality, caseworker_id, archived, available, erased_at, external_id FROM jobseekers"
            " WHERE id = %s",
            (person.id,),
        ).fetchone()
        card = conn.execute("SELECT card FROM proposals WHERE id = %s", (person.proposal_id,)).fetchone()
        erase = conn.execute(
            "SELECT actor_id, reason FROM audit_log WHERE jobseeker_id = %s AND action = 'erase'",
            (person.id,),
        ).fetchall()
    assert row is not None and card is not None
    assert (row["municipality"], row["caseworker_id"]) == ("Lieto", world.user_ids[Role.CASEWORKER])
    assert (row["archived"], row["available"], row["external_id"]) == (True, False, None)
    assert row["erased_at"] == datetime.fromisoformat(result["erased_at"])
    kept = {k: v for k, v in card["card"].items() if k in CARD_KEPT_ON_ERASURE}
    assert kept["pseudonym"] == result["pseudonym"] and kept["need"]["id"] == person.need_id
    assert {k: v for k, v in card["card"].items() if k not in CARD_KEPT_ON_ERASURE} == {
        "skills": [],
        "matched_skills": [],
        "matched_skill_names": {"fi": [], "sv": [], "en": []},
        "experience_summary": "",
        "education": "",
        "languages": [],
        "certificates": [],
        "availability": {
            "available": False,
            "desired_hours_per_week": None,
            "placement_forms": [],
            "driving_licences": [],
        },
    }
    assert erase == [{"actor_id": world.user_ids[Role.ADMIN], "reason": REASON["reason"]}]
    assert client.get("/api/v1/indicators", headers=coordinator).json() == indicators_before

    # Everyone goes on seeing the pseudonymous workflow; pages and replies hold together.
    for url in (
        f"/api/v1/proposals/{person.proposal_id}",
        f"/api/v1/proposals/{person.proposal_id}/card",
        f"/api/v1/proposals/{person.proposal_id}/card.pdf",
        f"/api/v1/placements/{person.placement_id}",
    ):
        assert client.get(url, headers=coordinator).status_code == 200, url
    employer_card = client.get(
        f"/api/v1/proposals/{person.proposal_id}/card", headers=world.headers(Role.EMPLOYER)
    )
    assert employer_card.json()["pseudonym"] == result["pseudonym"] and employer_card.json()["skills"] == []
    document = client.get(f"{API}/{person.id}/personal-data", headers=world.headers(Role.ADMIN)).json()
    assert document["erased_at"] is not None and document["profile"]["full_name"] is None
    assert "erase" in [r["action"] for r in document["audit_trail"]]


def test_erasing_again_changes_nothing_and_answers_the_same(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    person = whole_person(client, db, world)
    first = _erase(client, world, person.id)
    stored = _dump(db, person.id)

    again = _erase(client, world, person.id, reason="toinen pyyntö")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert _dump(db, person.id) == stored
    with connect(db) as conn:
        actions = [
            (r["action"], r["reason"])
            for r in conn.execute(
                "SELECT action, reason FROM audit_log WHERE jobseeker_id = %s AND action LIKE 'erase%%'"
                " ORDER BY id",
                (person.id,),
            )
        ]
    assert actions == [("erase", REASON["reason"]), ("erase_repeat", "toinen pyyntö")]


def test_only_an_admin_of_the_area_erases_and_a_reason_is_required(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    person = make_worker(db, world)
    for role in (Role.COORDINATOR, Role.CASEWORKER, Role.EMPLOYER):
        assert _erase(client, world, person, role).status_code == 403
    stranger = client.post(f"{API}/{person}/erase", json=REASON, headers=other_world.headers(Role.ADMIN))
    assert stranger.status_code == 404
    for body in ({}, {"reason": ""}, {"reason": "x" * 201}, {"reason": "ok", "extra": 1}):
        reply = client.post(f"{API}/{person}/erase", json=body, headers=world.headers(Role.ADMIN))
        assert reply.status_code == 422, body
    assert _erase(client, world, 99999).status_code == 404
    with connect(db) as conn:
        row = conn.execute("SELECT erased_at, full_name FROM jobseekers WHERE id = %s", (person,)).fetchone()
        erased = conn.execute("SELECT count(*) AS n FROM audit_log WHERE action LIKE 'erase%%'").fetchone()
    assert row == {"erased_at": None, "full_name": " ".join(NAME)}
    assert erased == {"n": 0}


def test_an_erased_jobseeker_leaves_the_matching_index(client: TestClient, db: str, world: AreaWorld) -> None:
    need = make_need(db, world)
    person = make_worker(db, world)
    reload_index(client, db)
    coordinator = world.headers(Role.COORDINATOR)

    def candidates() -> list[int]:
        reply = client.get(f"/api/v1/needs/{need}/matches", headers=coordinator)
        return [item["id"] for item in reply.json().get("items", [])]

    assert person in candidates()

    assert _erase(client, world, person).status_code == 200

    wait_for(lambda: person not in candidates(), timeout=2.0)  # the served index follows the notification
    engine = client.app.state.engine  # type: ignore[attr-defined]
    assert not engine.jobseekers.entries[person].matchable
    reload_index(client, db)  # re-embedding everything stale finds nothing left to embed for them
    assert person not in candidates()
    with connect(db) as conn:
        assert conn.execute(
            "SELECT count(*) AS n FROM jobseeker_vectors WHERE jobseeker_id = %s", (person,)
        ).fetchone() == {"n": 0}
    refused = client.post(
        "/api/v1/proposals", json={"need_id": need, "jobseeker_id": person}, headers=coordinator
    )
    assert refused.status_code == 409


def test_deleting_a_jobseeker_cannot_take_the_audit_trail_with_it(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    person = whole_person(client, db, world)

    with connect(db) as conn, pytest.raises(psycopg.errors.ForeignKeyViolation):
        conn.execute("DELETE FROM jobseekers WHERE id = %s", (person.id,))
