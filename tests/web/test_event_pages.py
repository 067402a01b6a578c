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


def test_the_indicator_page_and_its_files_cut_by_an_event(
    signed_in: SignIn, db: str, world: AreaWorld
) -> None:
    from core.clock import today
    from tests.matching_api.conftest import insert_jobseeker, insert_need
    from tests.placements.conftest import insert_proposal

    event_id = _event(db, world)
    need_id = insert_need(db, world.area_id, world.employer_id, title="Varastotyö", skills=["keräily"])
    people = [insert_jobseeker(db, world.area_id, pseudonym=f"Hakija-IND{i}") for i in range(3)]
    with connect(db) as conn:
        insert_proposal(conn, world, need_id, people[0], event_id=event_id)
        for person in people[1:]:
            insert_proposal(conn, world, need_id, person)
        conn.commit()
    browser = signed_in(Role.COORDINATOR)
    period = f"date_from={today().replace(day=1)}&date_to={today()}"
    cut = browser.get(f"/indicators?{period}&event={event_id}")
    assert cut.status_code == 200
    assert f'<option value="{event_id}" selected>' in cut.text
    assert "/indicators.csv?date_from=" in cut.text and f"event={event_id}" in cut.text
    whole_file = browser.get(f"/indicators.csv?{period}").text
    cut_file = browser.get(f"/indicators.csv?{period}&event={event_id}").text
    # Three intro cards were sent in the period, one of them at the event.
    assert ";3;" in whole_file and ";3;" not in cut_file and ";1;" in cut_file
