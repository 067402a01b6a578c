"""Employers, their contact log and their needs through the API, as a coordinator and as an employer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from accounts.models import Role
from core import clock
from core.db import connect
from employers.schemas import ContactUpdate, EmployerUpdate, NeedUpdate
from tests.conftest import AreaWorld
from tests.foundation.test_problem_details import assert_problem

WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def business_id(n: int) -> str:
    """A valid Y-tunnus unique to ``n`` (a number whose check digit cannot exist gives way to the next)."""
    number = 2_000_000 + 2 * n
    while True:
        digits = f"{number:07d}"
        remainder = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=True)) % 11
        if remainder != 1:
            return f"{digits}-{0 if remainder == 0 else 11 - remainder}"
        number += 1


def add_employer(client: TestClient, h: dict[str, str], n: int, **fields: Any) -> dict[str, Any]:
    body = {"business_id": business_id(n), "name": f"Yritys {n} Oy", "municipality": "Turku", **fields}
    reply = client.post("/api/v1/employers", json=body, headers=h)
    assert reply.status_code == 201, reply.text
    result: dict[str, Any] = reply.json()
    return result


def add_need(client: TestClient, h: dict[str, str], **fields: Any) -> dict[str, Any]:
    reply = client.post("/api/v1/needs", json=fields, headers=h)
    assert reply.status_code == 201, reply.text
    result: dict[str, Any] = reply.json()
    return result


def count(db: str, table: str) -> int:
    with connect(db) as conn:
        row = conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()
    assert row is not None
    return int(row["n"])


def names(reply: Any) -> list[str]:
    assert reply.status_code == 200, reply.text
    return [item.get("name") or item.get("title") for item in reply.json()["items"]]


# Employers -----------------------------------------------------------------------------------------


def test_coordinator_registers_reads_updates_and_archives_an_employer(
    client: TestClient, world: AreaWorld
) -> None:
    h = world.headers(Role.COORDINATOR)
    created = client.post(
        "/api/v1/employers",
        json={
            "business_id": "1572860-0",
            "name": "Liedon Leipomo Oy",
            "municipality": "Lundo",
            "sector": "c",
            "size_class": "small",
            "partnership_status": "prospect",
            "contact_persons": [{"name": "Maija Mehiläinen", "email": "maija@leipomo.example"}],
        },
        headers=h,
    )
    assert created.status_code == 201, created.text
    employer = created.json()
    url = f"/api/v1/employers/{employer['id']}"
    assert created.headers["Location"] == url
    assert created.headers["ETag"] == '"1"'
    assert employer["municipality"] == "Lieto"  # given in Swedish, kept in Finnish
    assert employer["sector"] == "C"
    assert employer["area_id"] == world.area_id
    assert employer["contact_persons"][0]["name"] == "Maija Mehiläinen"

    got = client.get(url, headers=h)
    assert got.status_code == 200 and got.json()["name"] == "Liedon Leipomo Oy"

    changed = client.patch(
        url, json={"partnership_status": "partner", "municipality": "Åbo"}, headers={**h, "If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["partnership_status"] == "partner"
    assert changed.json()["municipality"] == "Turku"
    assert changed.json()["name"] == "Liedon Leipomo Oy"  # untouched fields stay

    archived = client.post(f"{url}/archive", headers={**h, "If-Match": '"2"'})
    assert archived.status_code == 200 and archived.json()["archived"] is True
    assert "Liedon Leipomo Oy" not in names(client.get("/api/v1/employers", headers=h))
    assert "Liedon Leipomo Oy" in names(client.get("/api/v1/employers?include_archived=true", headers=h))
    assert client.get(url, headers=h).status_code == 200  # history stays readable
    need = {"employer_id": employer["id"], "title": "Leipuri"}
    refused = client.post("/api/v1/needs", json=need, headers=h)
    assert refused.status_code == 409 and "archived" in refused.json()["detail"]


def test_contact_persons_stay_a_list_even_when_empty(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    created = add_employer(client, h, 1, contact_persons=[])
    assert created["contact_persons"] == []
    url = f"/api/v1/employers/{created['id']}"
    person = {"name": "Maija Mehiläinen", "phone": "+358 40 123 4567"}
    one = client.patch(url, json={"contact_persons": [person]}, headers={**h, "If-Match": '"1"'})
    assert one.json()["contact_persons"] == [person]
    none = client.patch(url, json={"contact_persons": []}, headers={**h, "If-Match": '"2"'})
    assert none.status_code == 200 and none.json()["contact_persons"] == []
    assert client.get(url, headers=h).json()["contact_persons"] == []


def test_employer_list_pages_with_limit_offset_and_total(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    for n in range(5):
        add_employer(client, h, n)
    first = client.get("/api/v1/employers?limit=2&sort=created_at", headers=h).json()
    assert first["total"] == 6 and first["limit"] == 2 and first["offset"] == 0
    assert [e["name"] for e in first["items"]] == ["a Logistiikka Oy", "Yritys 0 Oy"]
    last = client.get("/api/v1/employers?limit=4&offset=4&sort=created_at", headers=h).json()
    assert [e["name"] for e in last["items"]] == ["Yritys 3 Oy", "Yritys 4 Oy"]
    assert last["total"] == 6
    beyond = client.get("/api/v1/employers?limit=2&offset=10", headers=h).json()
    assert beyond["items"] == [] and beyond["total"] == 6


def test_employer_list_filters_by_municipality_sector_and_text(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    add_employer(client, h, 1, name="Raision Rauta Oy", municipality="Raisio", sector="G")
    bakery = add_employer(client, h, 2, name="Kaarinan Kakku Oy", municipality="Kaarina", sector="C")
    add_employer(client, h, 3, name="100% Puhdas Oy", municipality="Turku", sector="N")

    assert names(client.get("/api/v1/employers?municipality=Reso", headers=h)) == ["Raision Rauta Oy"]
    assert names(client.get("/api/v1/employers?municipality=Åbo&sort=name", headers=h)) == [
        "100% Puhdas Oy",
        "a Logistiikka Oy",
    ]
    assert names(client.get("/api/v1/employers?sector=c", headers=h)) == ["Kaarinan Kakku Oy"]
    assert names(client.get("/api/v1/employers?q=kakku", headers=h)) == ["Kaarinan Kakku Oy"]
    assert names(client.get(f"/api/v1/employers?q={bakery['business_id']}", headers=h)) == [
        "Kaarinan Kakku Oy"
    ]
    # LIKE wildcards in the text are literal characters.
    assert names(client.get("/api/v1/employers?q=100%25", headers=h)) == ["100% Puhdas Oy"]
    assert names(client.get("/api/v1/employers?q=_", headers=h)) == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Aalto Oy", "a Logistiikka Oy", "Östman Oy"]),
        ("-name", ["Östman Oy", "a Logistiikka Oy", "Aalto Oy"]),
        ("-created_at", ["Östman Oy", "Aalto Oy", "a Logistiikka Oy"]),
    ],
)
def test_employer_list_sorts_by_an_allowed_column(
    client: TestClient, world: AreaWorld, sort: str, expected: list[str]
) -> None:
    h = world.headers(Role.COORDINATOR)
    add_employer(client, h, 1, name="Aalto Oy")
    add_employer(client, h, 2, name="Östman Oy")
    got = names(client.get(f"/api/v1/employers?sort={sort}", headers=h))
    if sort.endswith("name"):
        # Collation decides whether "a Logistiikka" (the space) goes before or after "Aalto".
        assert [g for g in got if g != "a Logistiikka Oy"] == [e for e in expected if e != "a Logistiikka Oy"]
    else:
        assert got == expected


def test_sorting_by_name_ignores_case(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    for n, name in enumerate(("Charlie Oy", "bravo Oy", "Alfa Oy"), start=1):
        add_employer(client, h, n, name=name)
    got = names(client.get("/api/v1/employers?sort=name", headers=h))
    assert [g for g in got if g != "a Logistiikka Oy"] == ["Alfa Oy", "bravo Oy", "Charlie Oy"]
    got = names(client.get("/api/v1/employers?sort=-name", headers=h))
    assert [g for g in got if g != "a Logistiikka Oy"] == ["Charlie Oy", "bravo Oy", "Alfa Oy"]


@pytest.mark.parametrize(
    "sort", ["password_hash", "-version", "name; DROP TABLE employers", "--name", "NAME"]
)
def test_employer_list_refuses_other_sort_keys(client: TestClient, world: AreaWorld, sort: str) -> None:
    reply = client.get("/api/v1/employers", params={"sort": sort}, headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 422
    assert reply.headers["content-type"].startswith("application/problem+json")
    assert reply.json()["field"] == "sort"


def test_business_id_check_digit_is_validated(client: TestClient, db: str, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    for bad in ("1572860-1", "1572861-0", "abc", "12345-6", "1234567-"):
        body = {"business_id": bad, "name": "Huono Oy", "municipality": "Turku"}
        reply = client.post("/api/v1/employers", json=body, headers=h)
        assert reply.status_code == 422, bad
        assert reply.json()["field"] == "business_id"
    assert count(db, "employers") == 1


def test_business_id_is_unique_in_an_area_but_may_repeat_in_another(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    h = world.headers(Role.COORDINATOR)
    taken = {"business_id": "0112038-9", "name": "Toinen nimi Oy", "municipality": "Turku"}
    duplicate = client.post("/api/v1/employers", json=taken, headers=h)
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "business_id"
    # The old six-digit form is the same company.
    old_form = client.post("/api/v1/employers", json={**taken, "business_id": "112038-9"}, headers=h)
    assert old_form.status_code == 409
    elsewhere = client.post("/api/v1/employers", json=taken, headers=other_world.headers(Role.COORDINATOR))
    assert elsewhere.status_code == 201, elsewhere.text
    assert elsewhere.json()["area_id"] == other_world.area_id
    assert count(db, "employers") == 3


def test_changing_an_employer_to_a_taken_business_id_is_a_conflict(
    client: TestClient, world: AreaWorld
) -> None:
    h = world.headers(Role.COORDINATOR)
    second = add_employer(client, h, 1)
    reply = client.patch(
        f"/api/v1/employers/{second['id']}",
        json={"business_id": "0112038-9"},
        headers={**h, "If-Match": '"1"'},
    )
    assert reply.status_code == 409 and reply.json()["field"] == "business_id"
    assert client.get(f"/api/v1/employers/{second['id']}", headers=h).json()["version"] == 1


def not_null_fields(db: str, table: str, model: type[BaseModel]) -> list[str]:
    """Fields of ``model`` whose column in ``table`` is NOT NULL."""
    with connect(db) as conn:
        rows = conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' AND table_name = %s AND is_nullable = 'NO'",
            (table,),
        ).fetchall()
    columns = {r["column_name"] for r in rows}
    return sorted(set(model.model_fields) & columns)


def test_no_required_field_can_be_emptied(client: TestClient, db: str, world: AreaWorld) -> None:
    """A null for a NOT NULL column is the client's mistake (422 naming it), never a failed UPDATE (500)."""
    h = world.headers(Role.COORDINATOR)
    contact = client.post(
        f"/api/v1/employers/{world.employer_id}/contacts",
        json={"kind": "call", "contact_date": "2025-03-05", "summary": "Soitto."},
        headers=h,
    ).json()
    need = add_need(client, h, employer_id=world.employer_id, title="Kokki")
    targets = [
        ("employers", EmployerUpdate, f"/api/v1/employers/{world.employer_id}"),
        ("contacts", ContactUpdate, f"/api/v1/contacts/{contact['id']}"),
        ("needs", NeedUpdate, f"/api/v1/needs/{need['id']}"),
    ]
    for table, model, url in targets:
        fields = not_null_fields(db, table, model)
        assert fields, table
        for name in fields:
            reply = client.patch(url, json={name: None}, headers={**h, "If-Match": '"1"'})
            assert reply.status_code == 422, f"{table}.{name}: {reply.status_code} {reply.text}"
            assert reply.json()["field"] == name
        assert client.get(url, headers=h).json()["version"] == 1


# Contacts ------------------------------------------------------------------------------------------


def _day(days: int) -> str:
    """A day ``days`` from today (a contact has happened, its next step and a new need are ahead)."""
    return (clock.today() + timedelta(days=days)).isoformat()


def test_coordinator_logs_contacts_and_finds_the_next_steps_due(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    visited, called, step, later, before = (_day(n) for n in (-10, -8, 7, 40, 20))
    base = f"/api/v1/employers/{world.employer_id}/contacts"
    visit = client.post(
        base,
        json={
            "kind": "visit",
            "contact_date": visited,
            "summary": "Varastossa tarve keräilijälle keväällä.",
            "next_step": "Soita työnjohtajalle",
            "next_step_date": step,
        },
        headers=h,
    )
    assert visit.status_code == 201, visit.text
    assert visit.json()["user_id"] == world.user_ids[Role.COORDINATOR]
    call = client.post(
        base,
        json={"kind": "call", "contact_date": called, "summary": "Ei tarpeita nyt."},
        headers=world.headers(Role.ADMIN),
    )
    assert call.status_code == 201

    log = client.get(f"/api/v1/contacts?employer_id={world.employer_id}", headers=h).json()
    assert [c["kind"] for c in log["items"]] == ["call", "visit"] and log["total"] == 2
    due = client.get(f"/api/v1/contacts?due_before={before}", headers=h).json()
    assert [c["id"] for c in due["items"]] == [visit.json()["id"]]
    mine = client.get("/api/v1/contacts?mine=true", headers=h).json()
    assert [c["id"] for c in mine["items"]] == [visit.json()["id"]]
    oldest_first = client.get("/api/v1/contacts?sort=contact_date", headers=h).json()
    assert [c["kind"] for c in oldest_first["items"]] == ["visit", "call"]
    assert client.get("/api/v1/contacts?sort=summary", headers=h).status_code == 422

    url = f"/api/v1/contacts/{visit.json()['id']}"
    assert client.get(url, headers=h).headers["ETag"] == '"1"'
    changed = client.patch(url, json={"next_step_date": later}, headers={**h, "If-Match": '"1"'})
    assert changed.status_code == 200 and changed.json()["next_step_date"] == later
    assert client.get(f"/api/v1/contacts?due_before={before}", headers=h).json()["items"] == []
    archived = client.post(f"{url}/archive", headers={**h, "If-Match": '"2"'})
    assert archived.status_code == 200
    assert client.get("/api/v1/contacts", headers=h).json()["total"] == 1


def test_a_next_step_marked_done_leaves_the_due_list_and_stays_done(
    client: TestClient, world: AreaWorld
) -> None:
    h = world.headers(Role.COORDINATOR)
    base = f"/api/v1/employers/{world.employer_id}/contacts"
    step = {"next_step": "Lähetä esittelyt", "next_step_date": _day(7)}
    body = {"kind": "visit", "contact_date": _day(-4), "summary": "Käynti.", **step}
    visit = client.post(base, json=body, headers=h).json()
    other = client.post(base, json={**body, "summary": "Toinen käynti."}, headers=h).json()
    url = f"/api/v1/contacts/{visit['id']}/next-step/done"

    done = client.post(url, headers=h)
    assert done.status_code == 200, done.text
    assert done.json()["next_step_done_by"] == world.user_ids[Role.COORDINATOR]
    assert done.json()["next_step_done_at"] is not None and done.headers["ETag"] == '"2"'
    due = client.get(f"/api/v1/contacts?due_before={_day(30)}", headers=h).json()
    assert [c["id"] for c in due["items"]] == [other["id"]]
    again = client.post(url, headers=world.headers(Role.ADMIN))
    assert again.status_code == 200
    assert again.json()["next_step_done_at"] == done.json()["next_step_done_at"]
    assert again.json()["next_step_done_by"] == world.user_ids[Role.COORDINATOR]
    assert client.get(f"/api/v1/contacts/{visit['id']}", headers=h).json()["version"] == 2

    plain = client.post(
        base, json={"kind": "call", "contact_date": _day(-2), "summary": "Soitto."}, headers=h
    )
    assert_problem(
        client.post(f"/api/v1/contacts/{plain.json()['id']}/next-step/done", headers=h), 409, "next_step"
    )
    assert_problem(client.post("/api/v1/contacts/999999/next-step/done", headers=h), 404)
    assert_problem(client.post(url, headers=world.headers(Role.EMPLOYER)), 403)


def test_a_contact_with_an_unknown_employer_is_not_found(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    body = {"kind": "call", "contact_date": "2025-03-05", "summary": "Soitto."}
    reply = client.post(
        "/api/v1/employers/999999/contacts", json=body, headers=world.headers(Role.COORDINATOR)
    )
    assert reply.status_code == 404
    assert count(db, "contacts") == 0


# Needs ---------------------------------------------------------------------------------------------


def test_coordinator_records_a_need_that_defaults_to_the_employers_municipality(
    client: TestClient, world: AreaWorld
) -> None:
    h = world.headers(Role.COORDINATOR)
    created = client.post(
        "/api/v1/needs",
        json={
            "employer_id": world.employer_id,
            "title": "Varastotyöntekijä",
            "skills": ["keräily", "keräily", "trukin kuljettaminen"],
            "hours_per_week": 30,
            "placement_forms": ["open_job", "work_trial"],
            "languages": {"FI": "B1"},
        },
        headers=h,
    )
    assert created.status_code == 201, created.text
    need = created.json()
    assert created.headers["Location"] == f"/api/v1/needs/{need['id']}"
    assert need["municipality"] == "Turku"
    assert need["skills"] == ["keräily", "trukin kuljettaminen"]
    assert need["languages"] == {"fi": "B1"}
    assert need["status"] == "open" and need["visibility"] == "public" and need["positions"] == 1
    assert need["created_by"] == world.user_ids[Role.COORDINATOR]
    assert (
        client.get(f"/api/v1/needs/{need['id']}", headers=world.headers(Role.CASEWORKER)).status_code == 200
    )


def test_a_needs_start_date_is_an_iso_date_never_a_number(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    h = world.headers(Role.COORDINATOR)
    need = {"employer_id": world.employer_id, "title": "Kokki"}
    for wrong in (0, "0", "86400", "1.3.2026"):
        reply = client.post("/api/v1/needs", json={**need, "start_date": wrong}, headers=h)
        assert reply.status_code == 422, (wrong, reply.text)
        assert reply.json()["field"] == "start_date"
    assert count(db, "needs") == 0
    ahead = _day(30)
    assert add_need(client, h, **need, start_date=ahead)["start_date"] == ahead
    assert add_need(client, h, **need)["start_date"] is None


def test_a_need_without_an_employer_is_refused_for_staff(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    reply = client.post("/api/v1/needs", json={"title": "Kokki"}, headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 422 and reply.json()["field"] == "employer_id"
    assert count(db, "needs") == 0


def test_need_list_filters(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    municipal = add_employer(client, h, 1, name="Liedon kunta", municipality="Lieto", is_municipal=True)
    e = world.employer_id
    add_need(client, h, employer_id=e, title="Varastotyöntekijä", occupation="Varastotyöntekijät")
    add_need(client, h, employer_id=e, title="Kuljettaja", municipality="Raisio", visibility="hidden")
    filled = add_need(
        client, h, employer_id=e, title="Trukinkuljettaja", description="Trukkikortti 100% pakko"
    )
    client.patch(f"/api/v1/needs/{filled['id']}", json={"status": "filled"}, headers={**h, "If-Match": '"1"'})
    assistive = add_need(
        client, h, employer_id=municipal["id"], title="Ruokalan avustaja", placement_forms=["assistive_task"]
    )
    assert assistive["is_assistive"] is True and assistive["municipality"] == "Lieto"

    def titles(query: str) -> list[str]:
        return sorted(names(client.get(f"/api/v1/needs?{query}", headers=h)))

    assert titles("") == ["Kuljettaja", "Ruokalan avustaja", "Trukinkuljettaja", "Varastotyöntekijä"]
    assert titles("municipality=Åbo") == ["Trukinkuljettaja", "Varastotyöntekijä"]
    assert titles("municipality=raisio") == ["Kuljettaja"]
    assert titles("status=filled") == ["Trukinkuljettaja"]
    assert titles("status=open&visibility=hidden") == ["Kuljettaja"]
    assert titles("visibility=public&assistive=false") == ["Trukinkuljettaja", "Varastotyöntekijä"]
    assert titles("assistive=true") == ["Ruokalan avustaja"]
    assert titles("occupation=varasto") == ["Varastotyöntekijä"]
    assert titles("q=trukki") == ["Trukinkuljettaja"]  # the description counts too
    assert titles("q=100%25") == ["Trukinkuljettaja"]
    assert titles(f"employer_id={municipal['id']}") == ["Ruokalan avustaja"]


def test_need_list_pages_and_sorts(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    for title, hours in (("Cee", 20), ("Aa", 37.5), ("Bee", 30)):
        add_need(client, h, employer_id=world.employer_id, title=title, hours_per_week=hours)
    assert names(client.get("/api/v1/needs", headers=h)) == ["Bee", "Aa", "Cee"]  # newest first by default
    assert names(client.get("/api/v1/needs?sort=title", headers=h)) == ["Aa", "Bee", "Cee"]
    assert names(client.get("/api/v1/needs?sort=-hours_per_week", headers=h)) == ["Aa", "Bee", "Cee"]
    second = client.get("/api/v1/needs?sort=title&limit=1&offset=1", headers=h).json()
    assert [n["title"] for n in second["items"]] == ["Bee"]
    assert (second["total"], second["limit"], second["offset"]) == (3, 1, 1)
    bad = client.get("/api/v1/needs?sort=description", headers=h)
    assert bad.status_code == 422 and bad.json()["field"] == "sort"


def test_archived_needs_leave_the_list(client: TestClient, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    need = add_need(client, h, employer_id=world.employer_id, title="Kausityö")
    client.post(f"/api/v1/needs/{need['id']}/archive", headers={**h, "If-Match": '"1"'})
    assert names(client.get("/api/v1/needs", headers=h)) == []
    assert names(client.get("/api/v1/needs?include_archived=true", headers=h)) == ["Kausityö"]


def test_a_need_cites_only_a_contact_with_its_own_employer(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld
) -> None:
    h = world.headers(Role.COORDINATOR)
    other = add_employer(client, h, 1, name="Muu Oy")
    contact_body = {"kind": "visit", "contact_date": "2025-03-03", "summary": "Käynti"}
    own_contact = client.post(f"/api/v1/employers/{world.employer_id}/contacts", json=contact_body, headers=h)
    other_contact = client.post(f"/api/v1/employers/{other['id']}/contacts", json=contact_body, headers=h)
    foreign = client.post(
        f"/api/v1/employers/{other_world.employer_id}/contacts",
        json=contact_body,
        headers=other_world.headers(Role.COORDINATOR),
    )
    need = {"employer_id": world.employer_id, "title": "Keräilijä"}

    cited = client.post("/api/v1/needs", json={**need, "contact_id": own_contact.json()["id"]}, headers=h)
    assert cited.status_code == 201 and cited.json()["contact_id"] == own_contact.json()["id"]
    for contact in (other_contact, foreign):
        reply = client.post("/api/v1/needs", json={**need, "contact_id": contact.json()["id"]}, headers=h)
        assert reply.status_code == 404 and reply.json()["field"] == "contact_id"
    patch = client.patch(
        f"/api/v1/needs/{cited.json()['id']}",
        json={"contact_id": other_contact.json()["id"]},
        headers={**h, "If-Match": '"1"'},
    )
    assert patch.status_code == 404 and patch.json()["field"] == "contact_id"
    assert count(db, "needs") == 1


def test_positions_cannot_drop_below_those_filled(client: TestClient, db: str, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    need = add_need(client, h, employer_id=world.employer_id, title="Siivooja", positions=3)
    with connect(db) as conn:
        conn.execute("UPDATE needs SET positions_filled = 2 WHERE id = %s", (need["id"],))
        conn.commit()
    url = f"/api/v1/needs/{need['id']}"
    reply = client.patch(url, json={"positions": 1}, headers={**h, "If-Match": '"1"'})
    assert reply.status_code == 422 and reply.json()["field"] == "positions"
    assert client.patch(url, json={"positions": 2}, headers={**h, "If-Match": '"1"'}).status_code == 200


# The employer user ---------------------------------------------------------------------------------


@pytest.fixture
def neighbour(client: TestClient, world: AreaWorld) -> dict[str, Any]:
    """Another employer of the same area, with a need of its own."""
    h = world.headers(Role.COORDINATOR)
    employer = add_employer(client, h, 7, name="Naapurin Kauppa Oy")
    need = add_need(client, h, employer_id=employer["id"], title="Naapurin myyjä")
    return {"employer": employer, "need": need}


def test_employer_user_posts_needs_for_their_own_organisation_only(
    client: TestClient, db: str, world: AreaWorld, other_world: AreaWorld, neighbour: dict[str, Any]
) -> None:
    h = world.headers(Role.EMPLOYER)
    implicit = add_need(client, h, title="Lähettäjä")
    explicit = add_need(client, h, title="Pakkaaja", employer_id=world.employer_id)
    assert implicit["employer_id"] == explicit["employer_id"] == world.employer_id
    assert implicit["created_by"] == world.user_ids[Role.EMPLOYER]
    before = count(db, "needs")
    for employer_id in (neighbour["employer"]["id"], other_world.employer_id, 999_999):
        reply = client.post(
            "/api/v1/needs", json={"title": "Kaappaus", "employer_id": employer_id}, headers=h
        )
        assert reply.status_code == 404 and reply.json()["field"] == "employer_id"
        assert "Naapurin" not in reply.text and "b Logistiikka" not in reply.text
    assert count(db, "needs") == before


def test_employer_user_sees_and_changes_only_their_own_needs(
    client: TestClient, world: AreaWorld, neighbour: dict[str, Any]
) -> None:
    h = world.headers(Role.EMPLOYER)
    own = add_need(client, h, title="Oma tarve")
    assert names(client.get("/api/v1/needs", headers=h)) == ["Oma tarve"]
    widened = client.get(f"/api/v1/needs?employer_id={neighbour['employer']['id']}", headers=h)
    assert names(widened) == []

    theirs = f"/api/v1/needs/{neighbour['need']['id']}"
    for reply in (
        client.get(theirs, headers=h),
        client.patch(theirs, json={"title": "Kaapattu"}, headers={**h, "If-Match": '"1"'}),
        client.post(f"{theirs}/archive", headers={**h, "If-Match": '"1"'}),
    ):
        assert reply.status_code == 404, reply.text
        assert "Naapurin" not in reply.text
    coordinator_view = client.get(theirs, headers=world.headers(Role.COORDINATOR)).json()
    assert coordinator_view["title"] == "Naapurin myyjä" and coordinator_view["version"] == 1

    mine = f"/api/v1/needs/{own['id']}"
    changed = client.patch(mine, json={"positions": 2, "status": "filled"}, headers={**h, "If-Match": '"1"'})
    assert changed.status_code == 200 and changed.json()["positions"] == 2
    assert client.post(f"{mine}/archive", headers={**h, "If-Match": '"2"'}).status_code == 200


def test_employer_user_sees_only_their_own_organisation(
    client: TestClient, world: AreaWorld, neighbour: dict[str, Any]
) -> None:
    h = world.headers(Role.EMPLOYER)
    assert names(client.get("/api/v1/employers", headers=h)) == ["a Logistiikka Oy"]
    assert names(client.get("/api/v1/employers?q=Naapurin", headers=h)) == []
    assert client.get(f"/api/v1/employers/{world.employer_id}", headers=h).status_code == 200
    other = client.get(f"/api/v1/employers/{neighbour['employer']['id']}", headers=h)
    assert other.status_code == 404 and "Naapurin" not in other.text

    # The contact log is the coordinators' working notes: closed to employers, even about themselves.
    assert client.get("/api/v1/contacts", headers=h).status_code == 403
    assert client.get(f"/api/v1/contacts?employer_id={world.employer_id}", headers=h).status_code == 403
    body = {"kind": "call", "contact_date": "2025-03-05", "summary": "Soitto."}
    assert (
        client.post(f"/api/v1/employers/{world.employer_id}/contacts", json=body, headers=h).status_code
        == 403
    )
    # Nor does an employer edit the register entry of their own organisation.
    reply = client.patch(
        f"/api/v1/employers/{world.employer_id}", json={"name": "Uusi Oy"}, headers={**h, "If-Match": '"1"'}
    )
    assert reply.status_code == 403
