"""The list endpoints' search and filters: jobseekers by name, pseudonym or customer number (audited as a
search, never finding whom the caller may not see), by service stage and registration date; needs by who
recorded them and when."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from accounts.models import Role
from core.clock import today
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need


def _names(reply: object) -> list[str]:
    body = reply.json()  # type: ignore[attr-defined]
    return sorted(item.get("full_name") or item.get("title") for item in body["items"])


def test_jobseekers_are_found_by_name_pseudonym_or_customer_number_by_those_who_may_see_them(
    client: TestClient, world: AreaWorld, other_world: AreaWorld, db: str
) -> None:
    own = insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-AAAAAA",
        full_name="Aino Korhonen",
        external_id="K-100",
        caseworker_id=world.user_ids[Role.CASEWORKER],
        service_stage="coaching",
    )
    insert_jobseeker(db, world.area_id, pseudonym="Hakija-BBBBBB", full_name="Bertta Virtanen")
    insert_jobseeker(db, other_world.area_id, pseudonym="Hakija-CCCCCC", full_name="Aino Toinen")
    api = "/api/v1/jobseekers"
    coordinator = world.headers(Role.COORDINATOR)
    assert _names(client.get(f"{api}?who=aino", headers=coordinator)) == ["Aino Korhonen"]
    assert _names(client.get(f"{api}?who=hakija-bbb", headers=coordinator)) == ["Bertta Virtanen"]
    assert _names(client.get(f"{api}?who=k-100", headers=coordinator)) == ["Aino Korhonen"]
    assert _names(client.get(f"{api}?who=K-10", headers=coordinator)) == []  # a customer number is whole
    caseworker = world.headers(Role.CASEWORKER)
    assert _names(client.get(f"{api}?who=virtanen", headers=caseworker)) == []  # not their client
    assert _names(client.get(f"{api}?who=aino", headers=caseworker)) == ["Aino Korhonen"]
    assert client.get(f"{api}?who=aino", headers=world.headers(Role.EMPLOYER)).status_code == 403
    assert _names(client.get(f"{api}?service_stage=coaching", headers=coordinator)) == ["Aino Korhonen"]
    day = today()
    assert (
        len(client.get(f"{api}?created_from={day}&created_to={day}", headers=coordinator).json()["items"])
        == 2
    )
    assert (
        client.get(f"{api}?created_from={day + timedelta(days=1)}", headers=coordinator).json()["items"] == []
    )
    with connect(db) as conn:
        rows = conn.execute(
            "SELECT actor_id, action FROM audit_log WHERE jobseeker_id = %s AND action = 'search'", (own,)
        ).fetchall()
    assert {r["actor_id"] for r in rows} == {
        world.user_ids[Role.COORDINATOR],
        world.user_ids[Role.CASEWORKER],
    }
    refused = client.get(f"{api}?service_stage=sleeping", headers=coordinator)
    assert refused.status_code == 422 and "Aino" not in refused.text


def test_needs_are_filtered_by_who_recorded_them_and_when(
    client: TestClient, world: AreaWorld, db: str
) -> None:
    coordinator = world.headers(Role.COORDINATOR)
    made = client.post(
        "/api/v1/needs",
        json={"employer_id": world.employer_id, "title": "Oma", "municipality": "Turku"},
        headers=coordinator,
    )
    assert made.status_code == 201, made.text
    insert_need(db, world.area_id, world.employer_id, title="Tuotu")
    mine = world.user_ids[Role.COORDINATOR]
    assert _names(client.get(f"/api/v1/needs?created_by={mine}", headers=coordinator)) == ["Oma"]
    day = today()
    assert _names(client.get(f"/api/v1/needs?created_from={day}", headers=coordinator)) == ["Oma", "Tuotu"]
    assert (
        _names(client.get(f"/api/v1/needs?created_to={day - timedelta(days=1)}", headers=coordinator)) == []
    )
    assert client.get("/api/v1/needs?created_from=eilen", headers=coordinator).status_code == 422
