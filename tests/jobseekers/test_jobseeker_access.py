"""Who sees what: own clients for a caseworker, the area for coordinators and admins, work-capacity
details for the own caseworker alone, nothing for employers or other areas; consents."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from jobseekers import consents, service
from tests.conftest import PASSWORD, AreaWorld

API = "/api/v1/jobseekers"
PROFILE: dict[str, Any] = {
    "full_name": "Matti Virtanen",
    "municipality": "Turku",
    "profile_text": "Puistotöitä ja kiinteistönhoitoa.",
    "skills": ["kiinteistönhoito"],
}
CAPACITY: dict[str, Any] = {
    "max_hours_per_day": 5,
    "no_heavy_lifting": True,
    "no_night_shifts": True,
    "needs_supervisor": True,
    "excluded_demands": ["noise"],
    "details": "Selkäleikkaus 2023, kuntoutus kesken.",
}


def _create(client: TestClient, world: AreaWorld, **fields: Any) -> int:
    reply = client.post(API, json={**PROFILE, **fields}, headers=world.headers(Role.CASEWORKER))
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


def _second_caseworker(db: str, world: AreaWorld) -> dict[str, str]:
    """Headers of another caseworker of the same area."""
    from datetime import timedelta

    from accounts import service as accounts

    with connect(db) as conn:
        user = accounts.create_user(
            conn,
            area_id=world.area_id,
            email="toinen.caseworker@a.example",
            display_name="Toinen",
            role=Role.CASEWORKER,
            password=PASSWORD,
        )
        token, _ = accounts.issue_token(conn, user["id"], timedelta(hours=1))
        conn.commit()
    return {"Authorization": f"Bearer {token}"}


def test_own_caseworker_records_and_reads_work_capacity_details(client: TestClient, world: AreaWorld) -> None:
    person = _create(client, world)
    url = f"{API}/{person}/work-capacity"
    h = world.headers(Role.CASEWORKER)
    assert client.get(url, headers=h).status_code == 404

    first = client.put(url, json=CAPACITY, headers=h)
    assert first.status_code == 201, first.text
    assert first.headers["ETag"] == '"1"'
    assert first.json()["details"] == CAPACITY["details"]
    assert first.json()["constraints"]["max_hours_per_week"] == 25

    assert client.put(url, json={**CAPACITY, "max_hours_per_day": 6}, headers=h).status_code == 428
    stale = client.put(url, json=CAPACITY, headers={**h, "If-Match": '"7"'})
    assert stale.status_code == 412
    second = client.put(url, json={**CAPACITY, "max_hours_per_week": 20}, headers={**h, "If-Match": '"1"'})
    assert second.status_code == 200
    assert second.headers["ETag"] == '"2"'

    read = client.get(url, headers=h)
    assert read.status_code == 200
    assert read.json()["details"] == CAPACITY["details"]
    assert read.json()["max_hours_per_week"] == 20


def test_other_roles_see_only_derived_constraints_and_404_on_details(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    person = _create(client, world)
    h = world.headers(Role.CASEWORKER)
    assert client.put(f"{API}/{person}/work-capacity", json=CAPACITY, headers=h).status_code == 201
    assessment = {
        "measure": "WHODAS 2.0",
        "score": 31.5,
        "assessed_on": "2026-01-15",
        "notes": "Kivut ennallaan.",
    }
    assert (
        client.post(f"{API}/{person}/work-capacity/assessments", json=assessment, headers=h).status_code
        == 201
    )

    expected = {
        "max_hours_per_day": 5.0,
        "max_hours_per_week": 25.0,
        "no_heavy_lifting": True,
        "no_night_shifts": True,
        "no_shift_work": False,
        "needs_supervisor": True,
        "excluded_demands": ["noise"],
    }
    colleague = _second_caseworker(db, world)
    for headers in (world.headers(Role.COORDINATOR), world.headers(Role.ADMIN)):
        record = client.get(f"{API}/{person}", headers=headers)
        assert record.status_code == 200
        assert record.json()["constraints"] == expected
        assert "Selkäleikkaus" not in record.text
        assert "WHODAS" not in record.text
        listed = client.get(API, headers=headers)
        assert "Selkäleikkaus" not in listed.text
    for headers in (world.headers(Role.COORDINATOR), world.headers(Role.ADMIN), colleague):
        assert client.get(f"{API}/{person}/work-capacity", headers=headers).status_code == 404
        assert client.put(f"{API}/{person}/work-capacity", json=CAPACITY, headers=headers).status_code == 404
        assert client.get(f"{API}/{person}/work-capacity/assessments", headers=headers).status_code == 404
        posted = client.post(f"{API}/{person}/work-capacity/assessments", json=assessment, headers=headers)
        assert posted.status_code == 404
    with connect(db) as conn:
        assert service.derived_constraints(conn, person) == expected


def test_own_caseworker_follows_assessments_over_time(client: TestClient, world: AreaWorld) -> None:
    person = _create(client, world)
    url = f"{API}/{person}/work-capacity/assessments"
    h = world.headers(Role.CASEWORKER)
    for day, score in (("2026-03-01", 40), ("2025-09-01", 55), ("2026-06-01", 30)):
        reply = client.post(
            url, json={"measure": "WHODAS 2.0", "score": score, "assessed_on": day}, headers=h
        )
        assert reply.status_code == 201
    trend = client.get(url, headers=h).json()
    assert trend["total"] == 3
    assert [i["score"] for i in trend["items"]] == [55.0, 40.0, 30.0]
    newest = client.get(url, params={"sort": "-assessed_on", "limit": 1}, headers=h).json()
    assert newest["items"][0]["assessed_on"] == "2026-06-01"
    future = client.post(url, json={"measure": "x", "score": 1, "assessed_on": "2999-01-01"}, headers=h)
    assert future.status_code == 422


def test_caseworker_sees_only_own_clients(client: TestClient, db: str, world: AreaWorld) -> None:
    mine = _create(client, world)
    colleague = _second_caseworker(db, world)
    theirs = client.post(API, json=PROFILE, headers=colleague).json()["id"]

    own_list = client.get(API, headers=world.headers(Role.CASEWORKER)).json()
    assert [i["id"] for i in own_list["items"]] == [mine]
    other = client.get(API, params={"caseworker_id": 0}, headers=colleague).json()
    assert other["total"] == 0
    assert client.get(f"{API}/{theirs}", headers=world.headers(Role.CASEWORKER)).status_code == 404
    h = world.headers(Role.CASEWORKER, **{"If-Match": '"1"'})
    assert client.patch(f"{API}/{theirs}", json={"max_commute_km": 1}, headers=h).status_code == 404
    assert client.post(f"{API}/{theirs}/archive", headers=h).status_code == 404

    area = client.get(API, headers=world.headers(Role.COORDINATOR)).json()
    assert area["total"] == 2


def test_employer_never_lists_or_reads_jobseekers(client: TestClient, world: AreaWorld) -> None:
    person = _create(client, world)
    h = world.headers(Role.EMPLOYER)
    assert client.get(API, headers=h).status_code == 403
    for path in ("", "/work-capacity", "/work-capacity/assessments", "/consents"):
        reply = client.get(f"{API}/{person}{path}", headers=h)
        assert reply.status_code == 404, path
        assert "Matti" not in reply.text


def test_another_area_gets_404_and_never_the_content(
    client: TestClient, world: AreaWorld, other_world: AreaWorld
) -> None:
    person = _create(client, world)
    h = world.headers(Role.CASEWORKER)
    assert client.put(f"{API}/{person}/work-capacity", json=CAPACITY, headers=h).status_code == 201
    for role in Role:
        headers = other_world.headers(role)
        for path in ("", "/work-capacity", "/work-capacity/assessments", "/consents"):
            reply = client.get(f"{API}/{person}{path}", headers=headers)
            assert reply.status_code == 404, (role, path)
            assert "Matti" not in reply.text
        if role is not Role.EMPLOYER:
            assert all(i["id"] != person for i in client.get(API, headers=headers).json()["items"])
    admin = other_world.headers(Role.ADMIN, **{"If-Match": '"1"'})
    assert client.patch(f"{API}/{person}", json={"max_commute_km": 1}, headers=admin).status_code == 404
    assert client.post(f"{API}/{person}/archive", headers=admin).status_code == 404
    assert client.get(f"{API}/{person}/audit", headers=admin).status_code == 404
    consent = client.post(f"{API}/{person}/consents", json={"scope": "share_profile"}, headers=admin)
    assert consent.status_code == 404


def test_caseworker_records_and_withdraws_a_disclosure_consent(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    person = _create(client, world)
    url = f"{API}/{person}/consents"
    h = world.headers(Role.CASEWORKER)
    with connect(db) as conn:
        assert not consents.has_disclosure_consent(conn, person, world.employer_id)

    specific = client.post(
        url, json={"scope": "disclose_identity", "employer_id": world.employer_id}, headers=h
    )
    assert specific.status_code == 201, specific.text
    assert specific.json()["active"] is True
    assert (
        client.post(
            url, json={"scope": "disclose_identity", "employer_id": world.employer_id}, headers=h
        ).status_code
        == 409
    )
    shared = client.post(url, json={"scope": "share_profile"}, headers=world.headers(Role.ADMIN))
    assert shared.status_code == 201
    foreign = client.post(
        url, json={"scope": "disclose_identity", "employer_id": other_world.employer_id}, headers=h
    )
    assert foreign.status_code == 422
    assert foreign.json()["field"] == "employer_id"
    with connect(db) as conn:
        assert consents.has_disclosure_consent(conn, person, world.employer_id)
        assert not consents.has_disclosure_consent(conn, person, other_world.employer_id)

    consent_id = specific.json()["id"]
    withdrawn = client.post(f"{url}/{consent_id}/withdraw", headers=h)
    assert withdrawn.status_code == 200
    assert withdrawn.json()["withdrawn_at"] is not None
    again = client.post(f"{url}/{consent_id}/withdraw", headers=h)
    assert again.json()["withdrawn_at"] == withdrawn.json()["withdrawn_at"]
    with connect(db) as conn:
        assert not consents.has_disclosure_consent(conn, person, world.employer_id)

    listed = client.get(url, headers=world.headers(Role.COORDINATOR)).json()
    assert listed["total"] == 2
    assert {(i["scope"], i["active"]) for i in listed["items"]} == {
        ("disclose_identity", False),
        ("share_profile", True),
    }
    assert client.get(url, params={"active_only": True}, headers=h).json()["total"] == 1
    assert (
        client.post(url, json={"scope": "share_profile"}, headers=world.headers(Role.COORDINATOR)).status_code
        == 403
    )
    assert client.post(f"{url}/999/withdraw", headers=h).status_code == 404


def test_general_disclosure_consent_covers_every_employer(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    person = _create(client, world)
    reply = client.post(
        f"{API}/{person}/consents",
        json={"scope": "disclose_identity"},
        headers=world.headers(Role.CASEWORKER),
    )
    assert reply.status_code == 201
    with connect(db) as conn:
        assert consents.has_disclosure_consent(conn, person, world.employer_id)
        assert consents.has_disclosure_consent(conn, person, 12345)
