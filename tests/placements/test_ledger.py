"""The coordinator's registers: the employer card, what is due today, and the hidden-job ledger."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from accounts.models import Role
from core.clock import today
from core.db import Conn, connect
from core.sql import insert_row
from tests.conftest import AreaWorld
from tests.placements.conftest import assert_problem, insert_placement, insert_proposal, make_worker


def _contact(conn: Conn, world: AreaWorld, role: Role, employer_id: int | None = None, **fields: Any) -> int:
    values = {
        "area_id": world.area_id,
        "employer_id": employer_id or world.employer_id,
        "user_id": world.user_ids[role],
        "kind": "visit",
        "contact_date": date(2026, 1, 5),
        "summary": "Käynti varastolla",
        **fields,
    }
    return int(insert_row(conn, "contacts", values)["id"])


def _need(conn: Conn, world: AreaWorld, created: str, role: Role = Role.COORDINATOR, **fields: Any) -> int:
    values = {
        "area_id": world.area_id,
        "employer_id": world.employer_id,
        "title": "Varastotyöntekijä",
        "municipality": "Turku",
        "created_by": world.user_ids[role],
        "created_at": f"{created} 12:00+02",
        **fields,
    }
    return int(insert_row(conn, "needs", values)["id"])


def test_employer_card_gathers_contacts_needs_proposals_and_placements(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    people = [make_worker(db, world) for _ in range(3)]
    with connect(db) as conn:
        contact = _contact(conn, world, Role.COORDINATOR, next_step="Soita", next_step_date=date(2026, 2, 1))
        hidden = _need(conn, world, "2026-01-06", visibility="hidden", contact_id=contact, positions=2)
        filled = _need(conn, world, "2025-11-01", status="filled", positions_filled=1)
        insert_proposal(
            conn, world, hidden, people[0], answer="interested", answered_at="2026-01-09", state="interested"
        )
        insert_proposal(conn, world, hidden, people[1])
        answered = {"answer": "interested", "answered_at": "2025-11-20"}
        insert_placement(conn, world, filled, people[2], "pay_subsidy", date(2025, 12, 1), **answered)
        conn.commit()

    reply = client.get(f"/api/v1/employers/{world.employer_id}/card", headers=world.headers(Role.COORDINATOR))
    assert reply.status_code == 200, reply.text
    card = reply.json()
    assert card["employer"]["id"] == world.employer_id
    assert [c["id"] for c in card["contacts"]["items"]] == [contact]
    assert [(n["id"], n["hidden"]) for n in card["open_needs"]] == [(hidden, True)]
    assert [n["id"] for n in card["past_needs"]] == [filled]
    assert len(card["proposals"]) == 3
    assert [p["form"] for p in card["placements"]] == ["pay_subsidy"]
    assert card["response_rate"]["sent"] == 3
    assert card["response_rate"]["answered"] == 2
    assert card["response_rate"]["rate"] == round(2 / 3, 4)
    assert card["warnings"] == []
    assert "Maija" not in reply.text

    assert_problem(client.get("/api/v1/employers/999999/card", headers=world.headers(Role.COORDINATOR)), 404)


def test_contacts_due_are_ones_own_unless_all_are_asked_for(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    day = today()
    with connect(db) as conn:
        mine_due = _contact(
            conn, world, Role.COORDINATOR, next_step="Soita", next_step_date=day - timedelta(days=1)
        )
        mine_today = _contact(conn, world, Role.COORDINATOR, next_step="Käy", next_step_date=day)
        _contact(conn, world, Role.COORDINATOR, next_step="Myöhemmin", next_step_date=day + timedelta(days=3))
        _contact(conn, world, Role.COORDINATOR)
        others = _contact(
            conn, world, Role.ADMIN, next_step="Tarjous", next_step_date=day - timedelta(days=9)
        )
        archived = _contact(conn, world, Role.COORDINATOR, next_step_date=day, archived=True)
        conn.commit()

    own = client.get("/api/v1/contacts/due", headers=world.headers(Role.COORDINATOR))
    assert own.status_code == 200, own.text
    body = own.json()
    assert body["scope"] == "own"
    assert [c["id"] for c in body["contacts"]["items"]] == [mine_due, mine_today]
    assert body["contacts"]["items"][0]["employer_name"] == "a Logistiikka Oy"
    area = client.get("/api/v1/contacts/due?all=true", headers=world.headers(Role.COORDINATOR)).json()
    assert [c["id"] for c in area["contacts"]["items"]] == [others, mine_due, mine_today]
    assert archived not in [c["id"] for c in area["contacts"]["items"]]
    assert area["contacts"]["total"] == 3
    paged = client.get(
        "/api/v1/contacts/due?all=true&limit=1&offset=1", headers=world.headers(Role.COORDINATOR)
    )
    assert [c["id"] for c in paged.json()["contacts"]["items"]] == [mine_due]


def test_hidden_job_ledger_counts_hidden_needs_and_fills(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    with connect(db) as conn:
        conn.execute("UPDATE employers SET sector = 'H' WHERE id = %s", (world.employer_id,))
        bakery = {"area_id": world.area_id, "business_id": "1572860-0", "name": "Leipomo", "sector": "C"}
        bakery = insert_row(conn, "employers", {**bakery, "municipality": "Lieto"})["id"]
        by_admin = _contact(conn, world, Role.ADMIN)
        _need(conn, world, "2026-01-10", visibility="hidden", positions=2, positions_filled=1)
        _need(conn, world, "2026-01-20", contact_id=by_admin, positions_filled=1, status="filled")
        _need(conn, world, "2026-01-15")  # public and not from a contact: not hidden
        _need(conn, world, "2026-02-03", Role.ADMIN, visibility="hidden", employer_id=bakery)
        _need(conn, world, "2025-12-31", visibility="hidden")  # before the period
        _need(conn, world, "2026-03-01", visibility="hidden", archived=True)  # after it
        conn.commit()
    h = world.headers(Role.COORDINATOR)
    period = "from=2026-01-01&to=2026-02-28&all=true"

    by_month = client.get(f"/api/v1/ledger/hidden-jobs?{period}&group_by=month", headers=h)
    assert by_month.status_code == 200, by_month.text
    body = by_month.json()
    assert body["language"] == "fi" and body["definition"].startswith("Piilotyöpaikka on tarve")
    rows = {g["key"]: g for g in body["groups"]}
    assert {
        k: (g["hidden_needs"], g["filled_needs"], g["positions"], g["positions_filled"])
        for k, g in rows.items()
    } == {
        "2026-01": (2, 2, 3, 2),
        "2026-02": (1, 0, 1, 0),
    }
    assert body["totals"] == {
        "hidden_needs": 3,
        "filled_needs": 2,
        "from_contacts": 1,
        "positions": 4,
        "positions_filled": 2,
    }

    by_coordinator = client.get(f"/api/v1/ledger/hidden-jobs?{period}&group_by=coordinator", headers=h).json()
    assert {g["label"]: (g["hidden_needs"], g["filled_needs"]) for g in by_coordinator["groups"]} == {
        "a coordinator": (1, 1),
        "a admin": (2, 1),
    }
    by_sector = client.get(f"/api/v1/ledger/hidden-jobs?{period}&group_by=sector", headers=h).json()
    assert {g["key"]: g["hidden_needs"] for g in by_sector["groups"]} == {"H": 2, "C": 1}

    assert_problem(
        client.get("/api/v1/ledger/hidden-jobs?from=2026-03-01&to=2026-01-01", headers=h), 422, "from"
    )
    assert_problem(
        client.get(f"/api/v1/ledger/hidden-jobs?{period}&group_by=colour", headers=h), 422, "group_by"
    )


def test_hidden_job_ledger_of_an_admin_is_the_whole_areas(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    """An admin is responsible for no employer: without ``all`` the ledger still covers the area."""
    with connect(db) as conn:
        _need(conn, world, "2026-01-10", visibility="hidden")
        conn.commit()
    period = "from=2026-01-01&to=2026-02-28"
    admin = client.get(f"/api/v1/ledger/hidden-jobs?{period}", headers=world.headers(Role.ADMIN)).json()
    assert (admin["scope"], admin["totals"]["hidden_needs"]) == ("area", 1)
    own = client.get(f"/api/v1/ledger/hidden-jobs?{period}", headers=world.headers(Role.COORDINATOR)).json()
    assert (own["scope"], own["totals"]["hidden_needs"]) == ("own", 0)
