"""Every read of a jobseeker's data leaves an audit row in the same transaction; admins read the trail."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from accounts.models import Principal, Role
from core.db import connect
from jobseekers import consents, service
from tests.conftest import AreaWorld

API = "/api/v1/jobseekers"
PROFILE: dict[str, Any] = {
    "full_name": "Aino Korhonen",
    "municipality": "Kaarina",
    "profile_text": "Kokemusta lounasravintolan keittiöstä.",
    "skills": ["ruoanvalmistus"],
}


def _create(client: TestClient, world: AreaWorld) -> int:
    reply = client.post(API, json=PROFILE, headers=world.headers(Role.CASEWORKER))
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


def _audit(db: str, action: str | None = None) -> list[dict[str, Any]]:
    with connect(db) as conn:
        rows = conn.execute(
            "SELECT actor_id, jobseeker_id, action, reason FROM audit_log"
            " WHERE %s::text IS NULL OR action = %s ORDER BY id",
            (action, action),
        ).fetchall()
    return rows


def _principal(world: AreaWorld, role: Role) -> Principal:
    return Principal(user_id=world.user_ids[role], area_id=world.area_id, role=role, display_name=role.value)


def test_reading_a_client_records_who_what_and_why(client: TestClient, db: str, world: AreaWorld) -> None:
    person = _create(client, world)
    coordinator = world.user_ids[Role.COORDINATOR]
    reply = client.get(
        f"{API}/{person}",
        params={"reason": "esittelykortin valmistelu"},
        headers=world.headers(Role.COORDINATOR),
    )
    assert reply.status_code == 200
    assert _audit(db, "read") == [
        {
            "actor_id": coordinator,
            "jobseeker_id": person,
            "action": "read",
            "reason": "esittelykortin valmistelu",
        }
    ]
    client.get(f"{API}/{person}", headers=world.headers(Role.ADMIN))
    assert _audit(db, "read")[-1]["reason"] == "case handling"


def test_a_list_records_one_row_per_listed_client(client: TestClient, db: str, world: AreaWorld) -> None:
    people = [_create(client, world) for _ in range(3)]
    reply = client.get(
        API, params={"limit": 2, "sort": "created_at"}, headers=world.headers(Role.COORDINATOR)
    )
    assert reply.status_code == 200
    assert [r["jobseeker_id"] for r in _audit(db, "list")] == people[:2]
    client.get(API, params={"q": "ei löydy mitään"}, headers=world.headers(Role.COORDINATOR))
    assert len(_audit(db, "list")) == 2


def test_work_capacity_and_consent_reads_are_recorded(client: TestClient, db: str, world: AreaWorld) -> None:
    person = _create(client, world)
    h = world.headers(Role.CASEWORKER)
    client.put(
        f"{API}/{person}/work-capacity", json={"no_night_shifts": True, "details": "Uniapnea."}, headers=h
    )
    client.get(f"{API}/{person}/work-capacity", params={"reason": "työkykyarvio"}, headers=h)
    client.get(f"{API}/{person}/work-capacity/assessments", headers=h)
    client.get(f"{API}/{person}/consents", headers=world.headers(Role.COORDINATOR))
    actions = [r["action"] for r in _audit(db)]
    assert actions == [
        "create",
        "work_capacity_update",
        "work_capacity_read",
        "assessments_read",
        "consents_read",
    ]
    assert _audit(db, "work_capacity_read")[0]["reason"] == "työkykyarvio"


def test_refused_reads_leave_no_audit_row(client: TestClient, db: str, world: AreaWorld) -> None:
    person = _create(client, world)
    too_long = client.get(f"{API}/{person}", params={"reason": "x" * 201}, headers=world.headers(Role.ADMIN))
    assert too_long.status_code == 422
    assert client.get(f"{API}/{person}/work-capacity", headers=world.headers(Role.ADMIN)).status_code == 404
    assert client.get(f"{API}/{person}", headers=world.headers(Role.EMPLOYER)).status_code == 404
    assert [r["action"] for r in _audit(db)] == ["create"]


def test_a_read_that_fails_after_auditing_leaves_no_audit_row(
    client: TestClient, db: str, world: AreaWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = _create(client, world)

    def broken(*args: object) -> None:
        raise RuntimeError("the database went away mid-read")

    monkeypatch.setattr(service, "_constraints_of", broken)
    reply = client.get(f"{API}/{person}", headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 500
    assert "Aino" not in reply.text
    assert _audit(db, "read") == []


def test_no_read_is_answered_when_its_audit_row_cannot_be_written(
    client: TestClient, db: str, world: AreaWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    person = _create(client, world)

    def refuse(*args: object) -> None:
        raise RuntimeError("audit log unavailable")

    for module in (service, consents):
        monkeypatch.setattr(module, "record_access", refuse)
    for path in ("", "/consents"):
        reply = client.get(f"{API}/{person}{path}", headers=world.headers(Role.COORDINATOR))
        assert reply.status_code == 500
        assert "Aino" not in reply.text and "Kaarina" not in reply.text


def test_audit_row_is_part_of_the_reading_transaction(db: str, world: AreaWorld) -> None:
    admin = _principal(world, Role.ADMIN)
    with connect(db) as conn:
        row = conn.execute(
            "INSERT INTO jobseekers (area_id, pseudonym, municipality) VALUES (%s, 'Hakija-TEST22', 'Turku')"
            " RETURNING id",
            (world.area_id,),
        ).fetchone()
        assert row is not None
        conn.commit()
        person = int(row["id"])
        with pytest.raises(RuntimeError), conn.transaction():
            service.get_jobseeker(conn, admin, person, "tarkistus")
            raise RuntimeError("rolled back after the read")
        assert _audit(db) == []
        service.get_jobseeker(conn, admin, person, "tarkistus")
        conn.commit()
    assert [r["action"] for r in _audit(db)] == ["read"]


def test_admin_reads_the_trail_newest_first(client: TestClient, db: str, world: AreaWorld) -> None:
    person = _create(client, world)
    client.get(f"{API}/{person}", params={"reason": "ensimmäinen"}, headers=world.headers(Role.COORDINATOR))
    client.get(f"{API}/{person}", params={"reason": "toinen"}, headers=world.headers(Role.CASEWORKER))
    url = f"{API}/{person}/audit"
    trail = client.get(url, params={"limit": 2}, headers=world.headers(Role.ADMIN))
    assert trail.status_code == 200
    body = trail.json()
    assert body["total"] == 3
    assert [(i["action"], i["reason"], i["actor_id"]) for i in body["items"]] == [
        ("read", "toinen", world.user_ids[Role.CASEWORKER]),
        ("read", "ensimmäinen", world.user_ids[Role.COORDINATOR]),
    ]
    # The first read of the trail is on the trail now, newest: the rest moved down one place.
    rest = client.get(url, params={"limit": 2, "offset": 2}, headers=world.headers(Role.ADMIN)).json()
    assert rest["total"] == 4
    assert [(i["action"], i["reason"]) for i in rest["items"]] == [
        ("read", "ensimmäinen"),
        ("create", "case handling"),
    ]
    for role in (Role.COORDINATOR, Role.CASEWORKER, Role.EMPLOYER):
        assert client.get(url, headers=world.headers(role)).status_code == 403
    assert client.get(f"{API}/99999/audit", headers=world.headers(Role.ADMIN)).status_code == 404


def test_a_replayed_create_is_audited_too(client: TestClient, db: str, world: AreaWorld) -> None:
    h = world.headers(Role.CASEWORKER, **{"Idempotency-Key": "k-1"})
    first = client.post(API, json=PROFILE, headers=h)
    client.post(API, json=PROFILE, headers=h)
    assert [(r["action"], r["jobseeker_id"]) for r in _audit(db)] == [
        ("create", first.json()["id"]),
        ("create_replay", first.json()["id"]),
    ]


def test_reading_the_trail_is_audited_with_its_reason(client: TestClient, db: str, world: AreaWorld) -> None:
    person = _create(client, world)
    url = f"{API}/{person}/audit"

    first = client.get(url, params={"reason": "tietopyyntö"}, headers=world.headers(Role.ADMIN))
    second = client.get(url, headers=world.headers(Role.ADMIN))

    assert first.status_code == second.status_code == 200
    assert [i["action"] for i in first.json()["items"]] == ["create"]
    assert [(i["action"], i["reason"], i["actor_id"], i["actor_label"]) for i in second.json()["items"]] == [
        ("audit_read", "tietopyyntö", world.user_ids[Role.ADMIN], None),
        ("create", "case handling", world.user_ids[Role.CASEWORKER], None),
    ]
    assert [r["action"] for r in _audit(db)] == ["create", "audit_read", "audit_read"]
    for role in (Role.COORDINATOR, Role.CASEWORKER, Role.EMPLOYER):
        client.get(url, headers=world.headers(role))
    assert len(_audit(db)) == 3  # refused reads of the trail leave no row
