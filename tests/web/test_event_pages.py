"""Recruitment event pages without a browser: who may open them, a tampered attendance form, a need
recorded at an event from the need form, and a refusal naming the event field."""

from __future__ import annotations

from typing import Any

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld, table_state
from tests.web.conftest import SignIn


def _event(db: str, world: AreaWorld, *, employer: bool = True) -> int:
    with connect(db) as conn:
        row = conn.execute(
            "INSERT INTO recruitment_events (area_id, kind, title, event_date, municipality, organiser_id)"
            " VALUES (%s, 'company_visit', 'Yritysvierailu', '2026-02-10', 'Turku', %s) RETURNING id",
            (world.area_id, world.user_ids[Role.COORDINATOR]),
        ).fetchone()
        assert row is not None
        if employer:
            conn.execute(
                "INSERT INTO event_employers (event_id, employer_id) VALUES (%s, %s)",
                (row["id"], world.employer_id),
            )
        conn.commit()
    return int(row["id"])


def _written(conn: Any) -> dict[str, tuple[int, int]]:
    # Every request notes when the session was last used; that is no write of the form.
    return {name: state for name, state in table_state(conn).items() if name != "web_sessions"}


def test_staff_open_the_event_pages_and_an_employer_user_is_refused(
    signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    event_id = _event(db, world)
    caseworker = signed_in(Role.CASEWORKER)
    listed = caseworker.get("/events?sort=title")
    assert listed.status_code == 200 and "Yritysvierailu" in listed.text
    assert caseworker.get(f"/events/{event_id}").status_code == 200
    assert caseworker.get("/events/new").status_code == 200
    caseworker.client.cookies.clear()
    employer = signed_in(Role.EMPLOYER)
    assert employer.get("/events").status_code == 403
    assert employer.get(f"/events/{event_id}").status_code == 403


def test_a_tampered_attendance_value_is_one_error_of_the_form_and_writes_nothing(
    signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    event_id = _event(db, world)
    browser = signed_in(Role.COORDINATOR)
    with connect(db) as conn:
        before = _written(conn)
    sent = browser.post(
        f"/events/{event_id}/attendance",
        {f"employer-{world.employer_id}": "maybe"},
        csrf_from=f"/events/{event_id}",
    )
    assert sent.status_code == 422
    assert 'class="error-summary"' in sent.text
    outsider = browser.post(
        f"/events/{event_id}/attendance", {"employer-999999": "attended"}, csrf_from=f"/events/{event_id}"
    )
    assert outsider.status_code == 409
    assert "Osallistumisen voi merkitä vain tapahtuman osallistujille" in outsider.text
    with connect(db) as conn:
        assert _written(conn) == before


def test_a_need_recorded_at_an_event_from_the_need_form_links_to_it(
    signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    at_event = _event(db, world)
    elsewhere = _event(db, world, employer=False)
    browser = signed_in(Role.COORDINATOR)
    form = browser.get("/needs/new")
    assert 'name="event_id"' in form.text and "Yritysvierailu" in form.text
    refused = browser.post(
        "/needs/new",
        {"employer_id": str(world.employer_id), "title": "Kokki", "event_id": str(elsewhere)},
        csrf_from="/needs/new",
    )
    assert refused.status_code == 422
    assert "Tarpeen työnantaja ei osallistunut tähän tapahtumaan." in refused.text
    saved = browser.post(
        "/needs/new",
        {"employer_id": str(world.employer_id), "title": "Kokki", "event_id": str(at_event)},
        csrf_from="/needs/new",
    )
    assert saved.status_code == 303, saved.text[-500:]
    shown = browser.get(f"/events/{at_event}")
    assert "Kokki" in shown.text
