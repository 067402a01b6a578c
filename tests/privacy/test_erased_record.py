"""An erased person's record is never written again: every write of the API to it, by whichever role may
otherwise make it, is refused with 409 ``jobseeker-erased`` and changes nothing, and the person does not
come back into rankings."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from accounts.models import Role
from core.clock import today
from core.db import connect
from tests.conftest import AreaWorld
from tests.placements.conftest import make_need, make_worker, reload_index

API = "/api/v1"
ERASED_TYPE = "/jobseeker-erased"


def _setup(client: TestClient, db: str, world: AreaWorld) -> dict[str, Any]:
    """A client with a consent and a referral, erased by the admin; a need and a service provider."""
    person = make_worker(db, world)
    need = make_need(db, world)
    provider = client.post(
        f"{API}/service-providers",
        json={"name": "TYP Turku", "kind": "typ", "services": ["career_coaching"]},
        headers=world.headers(Role.COORDINATOR),
    )
    assert provider.status_code == 201, provider.text
    referral = client.post(
        f"{API}/jobseekers/{person}/referrals",
        json={"provider_id": provider.json()["id"], "service": "career_coaching", "starts_on": str(today())},
        headers=world.headers(Role.CASEWORKER),
    )
    assert referral.status_code == 201, referral.text
    consent = client.post(
        f"{API}/jobseekers/{person}/consents",
        json={"scope": "disclose_identity"},
        headers=world.headers(Role.CASEWORKER),
    )
    assert consent.status_code == 201, consent.text
    erased = client.post(
        f"{API}/jobseekers/{person}/erase", json={"reason": "pyyntö 7.12."}, headers=world.headers(Role.ADMIN)
    )
    assert erased.status_code == 200, erased.text
    reload_index(client, db)
    return {
        "person": person,
        "need": need,
        "provider": provider.json()["id"],
        "referral": referral.json(),
        "consent": consent.json()["id"],
    }


def _row(db: str, person: int) -> dict[str, Any]:
    with connect(db) as conn:
        row = conn.execute(
            "SELECT full_name, profile_text, available, archived, version,"
            " (SELECT count(*) FROM plans WHERE jobseeker_id = j.id) AS plans,"
            " (SELECT count(*) FROM consents WHERE jobseeker_id = j.id) AS consents,"
            " (SELECT count(*) FROM referrals WHERE jobseeker_id = j.id) AS referrals,"
            " (SELECT count(*) FROM work_capacity WHERE jobseeker_id = j.id) AS work_capacity,"
            " (SELECT count(*) FROM work_capacity_assessments WHERE jobseeker_id = j.id) AS assessments,"
            " (SELECT count(*) FROM service_need_assessments WHERE jobseeker_id = j.id) AS need_assessments,"
            " (SELECT count(*) FROM placement_form_choices WHERE jobseeker_id = j.id) AS form_choices,"
            " (SELECT count(*) FROM proposals WHERE jobseeker_id = j.id) AS proposals,"
            " (SELECT count(*) FROM event_jobseekers WHERE jobseeker_id = j.id) AS invitations"
            " FROM jobseekers j WHERE id = %s",
            (person,),
        ).fetchone()
    assert row is not None
    return dict(row)


def test_every_write_to_an_erased_record_is_refused_and_changes_nothing(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    s = _setup(client, db, world)
    person = s["person"]
    before = _row(db, person)
    assert before["full_name"] is None and before["archived"] and not before["available"]
    caseworker, admin = world.headers(Role.CASEWORKER), world.headers(Role.ADMIN)
    etag = client.get(f"{API}/jobseekers/{person}", headers=caseworker).headers["ETag"]
    event = client.post(
        f"{API}/events",
        json={"kind": "fair", "title": "Rekrytori", "event_date": str(today()), "municipality": "Turku"},
        headers=world.headers(Role.COORDINATOR),
    )
    assert event.status_code == 201, event.text
    writes: list[tuple[str, str, dict[str, str], dict[str, Any]]] = [
        ("PATCH", f"/jobseekers/{person}", {**caseworker, "If-Match": etag}, {"full_name": "Maija Uusi"}),
        (
            "PATCH",
            f"/jobseekers/{person}",
            {**admin, "If-Match": etag},
            {"available": True, "profile_text": "Varastotyöt"},
        ),
        ("POST", f"/jobseekers/{person}/archive", {**admin, "If-Match": etag}, {}),
        ("PUT", f"/jobseekers/{person}/work-capacity", caseworker, {"max_hours_per_day": 4, "details": "x"}),
        (
            "POST",
            f"/jobseekers/{person}/work-capacity/assessments",
            caseworker,
            {"measure": "TOIMIA", "score": 3, "assessed_on": "2026-01-15"},
        ),
        (
            "POST",
            f"/jobseekers/{person}/service-need-assessments",
            caseworker,
            {"assessed_on": "2026-01-20", "level": "light_support"},
        ),
        (
            "POST",
            f"/jobseekers/{person}/plans",
            caseworker,
            {"kind": "employment", "drawn_up_on": "2026-01-20"},
        ),
        (
            "POST",
            f"/jobseekers/{person}/placement-forms",
            caseworker,
            {"form": "work_trial", "change": "added", "decided_on": str(today())},
        ),
        ("POST", f"/jobseekers/{person}/consents", admin, {"scope": "share_profile"}),
        ("POST", f"/jobseekers/{person}/consents/{s['consent']}/withdraw", caseworker, {}),
        (
            "POST",
            f"/jobseekers/{person}/referrals",
            caseworker,
            {"provider_id": s["provider"], "service": "career_coaching", "starts_on": str(today())},
        ),
        (
            "PATCH",
            f"/referrals/{s['referral']['id']}",
            {**caseworker, "If-Match": f'"{s["referral"]["version"]}"'},
            {"ends_on": str(today()), "outcome": "employment"},
        ),
        (
            "POST",
            f"/events/{event.json()['id']}/participants",
            world.headers(Role.COORDINATOR),
            {"jobseeker_ids": [person]},
        ),
    ]
    for method, url, headers, body in writes:
        reply = client.request(method, API + url, json=body, headers=headers)
        assert reply.status_code == 409, f"{method} {url}: {reply.status_code} {reply.text}"
        problem = reply.json()
        assert reply.headers["content-type"].startswith("application/problem+json")
        assert problem["type"].endswith(ERASED_TYPE), problem
        assert problem["title"] == "The jobseeker's data has been erased"
        assert "Maija" not in reply.text

    proposal = client.post(
        f"{API}/proposals",
        json={"need_id": s["need"], "jobseeker_id": person},
        headers=world.headers(Role.COORDINATOR),
    )
    assert proposal.status_code == 409, proposal.text
    assert _row(db, person) == before
    matches = client.get(f"{API}/needs/{s['need']}/matches", headers=world.headers(Role.COORDINATOR))
    assert matches.status_code == 200, matches.text
    assert person not in [item["id"] for item in matches.json()["items"]]


def test_an_erased_record_says_when_it_was_erased_and_reads_still_answer(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    s = _setup(client, db, world)
    record = client.get(f"{API}/jobseekers/{s['person']}", headers=world.headers(Role.COORDINATOR))
    assert record.status_code == 200, record.text
    assert record.json()["erased_at"] is not None
    assert record.json()["full_name"] is None
    other = make_worker(db, world)
    fresh = client.get(f"{API}/jobseekers/{other}", headers=world.headers(Role.COORDINATOR)).json()
    assert fresh["erased_at"] is None
    referrals = client.get(
        f"{API}/jobseekers/{s['person']}/referrals", headers=world.headers(Role.CASEWORKER)
    )
    assert referrals.status_code == 200, referrals.text
