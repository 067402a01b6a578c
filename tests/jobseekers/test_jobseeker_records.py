"""A caseworker keeps a client's competence profile: create, read, change, list, archive."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from jobseekers import pseudonyms
from tests.conftest import AreaWorld

API = "/api/v1/jobseekers"

WAREHOUSE_WORKER: dict[str, Any] = {
    "full_name": "Maija Meikäläinen",
    "email": "maija@example.fi",
    "phone": "+358 40 123 4567",
    "birth_year": 1985,
    "municipality": "lieto",
    "profile_text": "Olen työskennellyt varastossa kolme vuotta, keräily ja trukin kuljettaminen.",
    "education": "Logistiikan perustutkinto",
    "work_history": "Varastotyöntekijä 2019-2022",
    "skills": ["keräily", "trukin kuljettaminen", "keräily"],
    "certificates": [{"name": "trukkikortti", "expires_on": "2030-01-01"}, {"name": "hygieniapassi"}],
    "languages": {"fi": "native", "EN": "B1"},
    "desired_occupations": ["varastotyöntekijä"],
    "desired_hours_per_week": 30,
    "max_commute_km": 30,
    "driving_licences": ["B"],
    "placement_forms": ["open_job", "work_trial"],
    "service_stage": "job_search",
}


def _create(
    client: TestClient, world: AreaWorld, role: Role = Role.CASEWORKER, **fields: Any
) -> dict[str, Any]:
    body = {**WAREHOUSE_WORKER, **fields}
    reply = client.post(API, json=body, headers=world.headers(role))
    assert reply.status_code == 201, reply.text
    created: dict[str, Any] = reply.json()
    return created


def _count(db: str, table: str) -> int:
    with connect(db) as conn:
        row = conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()
    assert row is not None
    return int(row["n"])


def test_caseworker_registers_a_client_and_reads_the_profile_back(
    client: TestClient, world: AreaWorld
) -> None:
    created = _create(client, world)
    assert re.fullmatch(r"Hakija-[ABCDEFGHJKLMNPQRSTUVWXYZ2-9]{6}", created["pseudonym"])
    assert created["caseworker_id"] == world.user_ids[Role.CASEWORKER]
    assert created["municipality"] == "Lieto"
    assert created["skills"] == ["keräily", "trukin kuljettaminen"]
    assert created["languages"] == {"fi": "native", "en": "B1"}
    assert created["desired_hours_per_week"] == 30
    assert created["certificates"] == [
        {"name": "hygieniapassi", "expires_on": None},
        {"name": "trukkikortti", "expires_on": "2030-01-01"},
    ]
    assert created["constraints"]["no_heavy_lifting"] is False

    got = client.get(f"{API}/{created['id']}", headers=world.headers(Role.CASEWORKER))
    assert got.status_code == 200
    assert got.headers["ETag"] == '"1"'
    # Timestamps are equal instants, though the create reply and the read spell UTC differently.
    stamps = ("created_at", "updated_at")
    assert {k: v for k, v in got.json().items() if k not in stamps} == {
        k: v for k, v in created.items() if k not in stamps
    }


def test_admin_assigns_a_new_client_to_a_caseworker_of_the_area_only(
    client: TestClient, world: AreaWorld, other_world: AreaWorld
) -> None:
    caseworker = world.user_ids[Role.CASEWORKER]
    assigned = _create(client, world, Role.ADMIN, caseworker_id=caseworker)
    assert assigned["caseworker_id"] == caseworker
    for wrong in (world.user_ids[Role.COORDINATOR], other_world.user_ids[Role.CASEWORKER], 999_999):
        reply = client.post(
            API, json={**WAREHOUSE_WORKER, "caseworker_id": wrong}, headers=world.headers(Role.ADMIN)
        )
        assert reply.status_code == 422
        assert reply.json()["field"] == "caseworker_id"


def test_caseworker_cannot_register_a_client_for_a_colleague(client: TestClient, world: AreaWorld) -> None:
    reply = client.post(
        API,
        json={**WAREHOUSE_WORKER, "caseworker_id": world.user_ids[Role.ADMIN]},
        headers=world.headers(Role.CASEWORKER),
    )
    assert reply.status_code == 403
    assert reply.json()["field"] == "caseworker_id"


def test_coordinator_and_employer_do_not_register_clients(client: TestClient, world: AreaWorld) -> None:
    for role in (Role.COORDINATOR, Role.EMPLOYER):
        assert client.post(API, json=WAREHOUSE_WORKER, headers=world.headers(role)).status_code == 403


def test_pseudonym_is_unique_in_the_area_and_a_collision_draws_again(
    client: TestClient, world: AreaWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = iter(["Hakija-AAAAAA", "Hakija-AAAAAA", "Hakija-BBBBBB"])
    monkeypatch.setattr(pseudonyms, "new_pseudonym", lambda: next(drawn))
    first = _create(client, world)
    second = _create(client, world)
    assert (first["pseudonym"], second["pseudonym"]) == ("Hakija-AAAAAA", "Hakija-BBBBBB")


def test_pseudonym_never_changes(client: TestClient, world: AreaWorld) -> None:
    created = _create(client, world)
    h = world.headers(Role.CASEWORKER, **{"If-Match": '"1"'})
    reply = client.patch(f"{API}/{created['id']}", json={"pseudonym": "Hakija-XXXXXX"}, headers=h)
    assert reply.status_code == 422
    changed = client.patch(f"{API}/{created['id']}", json={"profile_text": "Uusi teksti."}, headers=h)
    assert changed.json()["pseudonym"] == created["pseudonym"]


def test_update_needs_the_current_etag(client: TestClient, world: AreaWorld) -> None:
    created = _create(client, world)
    url = f"{API}/{created['id']}"
    missing = client.patch(url, json={"max_commute_km": 10}, headers=world.headers(Role.CASEWORKER))
    assert missing.status_code == 428
    assert missing.headers["content-type"].startswith("application/problem+json")

    h = world.headers(Role.CASEWORKER, **{"If-Match": '"1"'})
    changed = client.patch(url, json={"max_commute_km": 10, "certificates": []}, headers=h)
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"'
    assert changed.json()["max_commute_km"] == 10
    assert changed.json()["certificates"] == []
    assert changed.json()["skills"] == ["keräily", "trukin kuljettaminen"]

    stale = client.patch(url, json={"max_commute_km": 50}, headers=h)
    assert stale.status_code == 412
    assert client.get(url, headers=world.headers(Role.CASEWORKER)).json()["max_commute_km"] == 10


def test_only_an_admin_moves_a_client_to_another_caseworker(client: TestClient, world: AreaWorld) -> None:
    created = _create(client, world, Role.ADMIN)
    assert created["caseworker_id"] is None
    url = f"{API}/{created['id']}"
    moved = client.patch(
        url,
        json={"caseworker_id": world.user_ids[Role.CASEWORKER]},
        headers=world.headers(Role.ADMIN, **{"If-Match": '"1"'}),
    )
    assert moved.status_code == 200
    refused = client.patch(
        url,
        json={"caseworker_id": world.user_ids[Role.ADMIN]},
        headers=world.headers(Role.CASEWORKER, **{"If-Match": '"2"'}),
    )
    assert refused.status_code == 403


def test_coordinator_reads_but_does_not_change_a_profile(client: TestClient, world: AreaWorld) -> None:
    created = _create(client, world)
    url = f"{API}/{created['id']}"
    read = client.get(url, headers=world.headers(Role.COORDINATOR))
    assert read.status_code == 200
    assert read.json()["full_name"] == "Maija Meikäläinen"
    h = world.headers(Role.COORDINATOR, **{"If-Match": '"1"'})
    assert client.patch(url, json={"max_commute_km": 5}, headers=h).status_code == 403
    assert client.post(f"{url}/archive", headers=h).status_code == 403


def test_archived_client_leaves_the_list_but_stays_readable(client: TestClient, world: AreaWorld) -> None:
    created = _create(client, world)
    url = f"{API}/{created['id']}"
    h = world.headers(Role.CASEWORKER)
    assert client.post(f"{url}/archive", headers=h).status_code == 428
    archived = client.post(f"{url}/archive", headers={**h, "If-Match": '"1"'})
    assert archived.status_code == 200
    assert archived.json()["archived"] is True
    assert client.get(API, headers=h).json()["total"] == 0
    assert client.get(API, params={"include_archived": True}, headers=h).json()["total"] == 1
    assert client.get(url, headers=h).json()["archived"] is True


def test_list_pages_filters_and_sorts(client: TestClient, world: AreaWorld) -> None:
    a = _create(client, world, municipality="Turku", skills=["siivous"], available=True, max_commute_km=5)
    b = _create(client, world, municipality="Lieto", skills=["Keräily"], available=False, max_commute_km=50)
    c = _create(
        client, world, municipality="Lieto", skills=["hitsaus"], profile_text="Hitsari.", max_commute_km=20
    )
    h = world.headers(Role.COORDINATOR)

    def ids(**params: Any) -> list[int]:
        reply = client.get(API, params=params, headers=h)
        assert reply.status_code == 200, reply.text
        return [item["id"] for item in reply.json()["items"]]

    first = client.get(API, params={"limit": 2, "sort": "max_commute_km"}, headers=h).json()
    assert first["total"] == 3
    assert [i["id"] for i in first["items"]] == [a["id"], c["id"]]
    assert ids(limit=2, offset=2, sort="max_commute_km") == [b["id"]]
    assert ids(sort="-max_commute_km") == [b["id"], c["id"], a["id"]]
    assert ids(municipality="Lieto", sort="max_commute_km") == [c["id"], b["id"]]
    assert ids(available=False) == [b["id"]]
    assert ids(skill="keräily") == [b["id"]]
    assert ids(q="hitsa") == [c["id"]]
    assert ids(q="siivous") == [a["id"]]
    assert ids(caseworker_id=world.user_ids[Role.ADMIN]) == []
    assert sorted(ids(caseworker_id=world.user_ids[Role.CASEWORKER])) == sorted([a["id"], b["id"], c["id"]])
    assert set(ids()) == {a["id"], b["id"], c["id"]}


def test_sorting_is_limited_to_listed_columns(client: TestClient, world: AreaWorld) -> None:
    reply = client.get(API, params={"sort": "full_name"}, headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 422
    assert reply.json()["field"] == "sort"


def test_same_idempotency_key_creates_one_client_and_answers_the_same(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    h = world.headers(Role.CASEWORKER, **{"Idempotency-Key": "luonti-1"})
    first = client.post(API, json=WAREHOUSE_WORKER, headers=h)
    again = client.post(API, json=WAREHOUSE_WORKER, headers=h)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count(db, "jobseekers") == 1

    different = client.post(API, json={**WAREHOUSE_WORKER, "max_commute_km": 5}, headers=h)
    assert different.status_code == 409
    assert _count(db, "jobseekers") == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"favourite_colour": "blue"}, "favourite_colour"),
        ({"languages": {"fi": "fluent"}}, "languages"),
        ({"languages": {"finnish": "B1"}}, "languages"),
        ({"municipality": "Atlantis"}, "municipality"),
        ({"profile_text": "x" * 5001}, "profile_text"),
        ({"skills": ["y" * 121]}, "skills.0"),
        ({"birth_year": 1850}, "birth_year"),
        ({"placement_forms": ["volunteering"]}, "placement_forms.0"),
        ({"certificates": [{"name": "trukkikortti"}, {"name": "Trukkikortti"}]}, "certificates"),
        ({"certificates": [{"name": "trukkikortti"}, {"name": "Truckkort"}]}, "certificates"),
        ({"email": "not an email"}, "email"),
    ],
)
def test_invalid_input_is_refused_with_a_problem_and_writes_nothing(
    client: TestClient, db: str, world: AreaWorld, change: dict[str, Any], field: str
) -> None:
    reply = client.post(API, json={**WAREHOUSE_WORKER, **change}, headers=world.headers(Role.CASEWORKER))
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    problem = reply.json()
    assert problem["type"].endswith("/validation-error")
    assert problem["field"] == field
    for personal in ("Maija", "maija@example.fi", "123 4567", "varastossa", "Atlantis"):
        assert personal not in reply.text
    assert _count(db, "jobseekers") == 0
    assert _count(db, "audit_log") == 0


def test_a_certificate_and_a_higher_one_that_includes_it_may_both_be_listed(
    client: TestClient, world: AreaWorld
) -> None:
    """EA2 includes EA1 for matching, but they are two certificates, each with its own expiry."""
    listed = [
        {"name": "EA1", "expires_on": "2026-01-01"},
        {"name": "första hjälpen 2", "expires_on": "2028-01-01"},
        {"name": "ajokortti C"},
        {"name": "körkort CE"},
    ]
    created = _create(client, world, certificates=listed)
    assert sorted(c["name"] for c in created["certificates"]) == sorted(c["name"] for c in listed)


def test_failed_update_leaves_the_record_unchanged(client: TestClient, db: str, world: AreaWorld) -> None:
    created = _create(client, world)
    url = f"{API}/{created['id']}"
    h = world.headers(Role.CASEWORKER, **{"If-Match": '"1"'})
    reply = client.patch(url, json={"certificates": [], "municipality": "Atlantis"}, headers=h)
    assert reply.status_code == 422
    after = client.get(url, headers=world.headers(Role.CASEWORKER)).json()
    assert after["certificates"] == created["certificates"]
    assert after["version"] == 1
    empty = client.patch(url, json={"skills": None}, headers=h)
    assert empty.status_code == 422
    assert empty.json()["field"] == "skills"


NOT_DAYS = (0, "0", "86400", 1.5, "1.3.2025", "2025-3-1")
"""What pydantic alone would read as a day (seconds since 1970) or a day written another way."""


def _refused(reply: Any, field: str) -> None:
    assert reply.status_code == 422, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert reply.json()["field"] == field
    assert "YYYY-MM-DD" in reply.json()["detail"]


def test_a_profiles_days_are_iso_dates_never_a_number(client: TestClient, db: str, world: AreaWorld) -> None:
    h = world.headers(Role.CASEWORKER)
    for wrong in NOT_DAYS:
        _refused(
            client.post(API, json={**WAREHOUSE_WORKER, "unemployed_since": wrong}, headers=h),
            "unemployed_since",
        )
        expiring = [{"name": "trukkikortti", "expires_on": wrong}]
        _refused(
            client.post(API, json={**WAREHOUSE_WORKER, "certificates": expiring}, headers=h),
            "certificates.0.expires_on",
        )
    assert _count(db, "jobseekers") == 0

    created = _create(client, world, unemployed_since="2024-05-01")
    assert created["unemployed_since"] == "2024-05-01"
    bare = client.post(API, json={"municipality": "Turku"}, headers=h)  # no optional field at all
    assert bare.status_code == 201, bare.text
    assert bare.json()["unemployed_since"] is None and bare.json()["certificates"] == []

    url = f"{API}/{created['id']}"
    changing = world.headers(Role.CASEWORKER, **{"If-Match": '"1"'})
    for wrong in NOT_DAYS:
        _refused(client.patch(url, json={"unemployed_since": wrong}, headers=changing), "unemployed_since")
    assert client.get(url, headers=h).json()["unemployed_since"] == "2024-05-01"
    changed = client.patch(url, json={"unemployed_since": "2023-02-01"}, headers=changing)
    assert changed.status_code == 200, changed.text
    assert changed.json()["unemployed_since"] == "2023-02-01"
    cleared = client.patch(
        url, json={"unemployed_since": None}, headers=world.headers(Role.CASEWORKER, **{"If-Match": '"2"'})
    )
    assert cleared.status_code == 200 and cleared.json()["unemployed_since"] is None

    assessments = f"{url}/work-capacity/assessments"
    for wrong in NOT_DAYS:
        answer = {"measure": "WHODAS 2.0", "score": 40, "assessed_on": wrong}
        _refused(client.post(assessments, json=answer, headers=h), "assessed_on")
    assert _count(db, "work_capacity_assessments") == 0
    kept = {"measure": "WHODAS 2.0", "score": 40, "assessed_on": "2025-09-01"}
    assert client.post(assessments, json=kept, headers=h).status_code == 201
