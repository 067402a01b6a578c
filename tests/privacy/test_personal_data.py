"""The right of access: the own caseworker or an admin hands the person everything held about them, in one
JSON document or a readable PDF; anyone else is answered 404; every such read is audited."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from privacy import pdf
from tests.conftest import AreaWorld
from tests.placements.conftest import make_worker
from tests.privacy.conftest import HEALTH, NAME, PLAN_STEP, whole_person

API = "/api/v1/jobseekers"


def _audit(db: str, action: str) -> list[dict[str, Any]]:
    with connect(db) as conn:
        return conn.execute(
            "SELECT actor_id, actor_label, jobseeker_id, reason FROM audit_log WHERE action = %s ORDER BY id",
            (action,),
        ).fetchall()


def test_the_own_caseworker_gets_everything_held_about_the_person_in_one_document(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    person = whole_person(client, db, world)

    reply = client.get(
        f"{API}/{person.id}/personal-data",
        params={"reason": "tietopyyntö"},
        headers=world.headers(Role.CASEWORKER),
    )

    assert reply.status_code == 200, reply.text
    assert reply.headers["cache-control"] == "no-store"
    document = reply.json()
    assert document["jobseeker_id"] == person.id and document["erased_at"] is None
    profile = document["profile"]
    assert (profile["full_name"], profile["email"], profile["birth_year"]) == (
        " ".join(NAME),
        "maija@example.fi",
        1980,
    )
    assert [c["name"] for c in profile["certificates"]] == ["hygieniapassi", "trukkikortti"]
    assert document["work_capacity"]["details"] == HEALTH[0]
    assert document["work_capacity"]["constraints"]["max_hours_per_day"] == 6
    assert [a["notes"] for a in document["assessments"]] == [HEALTH[1]]
    assert [a["notes"] for a in document["service_need_assessments"]] == [HEALTH[2]]
    assert (profile["benefit"], profile["subsidy_days"], profile["unemployed_since"]) == (
        "labour_market_subsidy",
        510,
        "2024-05-01",
    )
    assert document["withheld"] == []
    assert [(c["scope"], c["active"]) for c in document["consents"]] == [
        ("share_profile", True),
        ("disclose_identity", True),
    ]
    [proposal] = document["proposals"]
    assert proposal["id"] == person.proposal_id and proposal["employer_name"] == "a Logistiikka Oy"
    assert proposal["card"]["pseudonym"] == profile["pseudonym"]
    assert proposal["answer_comment"] == "Maija Meikäläinen kutsutaan haastatteluun."
    assert [h["to_state"] for h in proposal["history"]] == ["proposed", "interested", "interview", "placed"]
    [placement] = document["placements"]
    assert placement["decision_reference"] == "TE-17"
    assert [(f["due_months"], f["note"]) for f in placement["follow_ups"]] == [(3, "Maija jatkaa töissä.")]
    [plan] = document["plans"]
    assert (plan["review_on"], [i["text"] for i in plan["items"]]) == ("2026-03-01", [PLAN_STEP])
    assert document["profile_vector"]["model_id"]
    trail = document["audit_trail"]
    assert trail[-1]["action"] == "personal_data" and trail[-1]["reason"] == "tietopyyntö"
    assert trail[-1]["actor_name"] == "a caseworker"
    assert {"assessment_record", "consent_record", "read", "answer", "transition"} <= {
        r["action"] for r in trail
    }
    assert _audit(db, "personal_data") == [
        {
            "actor_id": world.user_ids[Role.CASEWORKER],
            "actor_label": None,
            "jobseeker_id": person.id,
            "reason": "tietopyyntö",
        }
    ]


def test_an_admin_gets_the_document_with_the_work_capacity_details_withheld(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    person = whole_person(client, db, world)

    reply = client.get(f"{API}/{person.id}/personal-data", headers=world.headers(Role.ADMIN))

    assert reply.status_code == 200, reply.text
    document = reply.json()
    assert document["work_capacity"] is None and document["assessments"] is None
    assert document["service_need_assessments"] is None
    assert [w["part"] for w in document["withheld"]] == [
        "work_capacity",
        "assessments",
        "service_need_assessments",
    ]
    assert document["profile"]["constraints"]["max_hours_per_day"] == 6  # the derived constraints only
    assert document["generated_at"].endswith("Z")  # in UTC like every other moment of the document
    for health in HEALTH:
        assert health not in reply.text
    assert _audit(db, "personal_data")[0]["reason"] == "right of access"


def test_no_one_else_learns_anything_and_no_read_is_recorded(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    person = make_worker(db, world)
    colleague = make_worker(db, world, caseworker_id=None)
    for headers in (
        world.headers(Role.COORDINATOR),
        world.headers(Role.EMPLOYER),
        other_world.headers(Role.ADMIN),
        other_world.headers(Role.CASEWORKER),
    ):
        for suffix in ("", ".pdf"):
            reply = client.get(f"{API}/{person}/personal-data{suffix}", headers=headers)
            assert reply.status_code == 404, reply.text
            assert NAME[0] not in reply.text
    assert (
        client.get(f"{API}/{colleague}/personal-data", headers=world.headers(Role.CASEWORKER)).status_code
        == 404
    )
    assert client.get(f"{API}/99999/personal-data", headers=world.headers(Role.ADMIN)).status_code == 404
    assert client.get(f"{API}/{person}/personal-data").status_code == 401
    assert _audit(db, "personal_data") == []


def test_the_pdf_is_the_same_document_for_a_reader(client: TestClient, db: str, world: AreaWorld) -> None:
    person = whole_person(client, db, world)

    reply = client.get(f"{API}/{person.id}/personal-data.pdf", headers=world.headers(Role.CASEWORKER))

    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.headers["cache-control"] == "no-store"
    assert reply.content.startswith(b"%PDF-") and b"DejaVu" in reply.content
    assert len(_audit(db, "personal_data")) == 1
    document = client.get(f"{API}/{person.id}/personal-data", headers=world.headers(Role.CASEWORKER)).json()
    text = "\n".join(
        f"{heading}\n" + "\n".join(f"{a} {b}" for a, b in lines) for heading, lines in pdf.sections(document)
    )
    for expected in (
        " ".join(NAME),
        HEALTH[0],
        HEALTH[1],
        "a Logistiikka Oy",
        "Avoin työ",
        "personal_data: right of access",
    ):
        assert expected in text, expected
    assert "suunnitelma" in text.lower()
