"""A list remembers only a filter it accepted: a bad day or a reversed range is shown with its error
once, never brought back at the next sign-in; a remembered filter shows in the form beside "Clear
filters"; the files follow the page; a page past the end of a list is its last page."""

from __future__ import annotations

import re
from datetime import date, timedelta

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import insert_placement
from tests.web.conftest import Browser, SignIn
from tests.web.test_exports import as_finnish_excel

REVERSED = "Alkupäivä on loppupäivän jälkeen."
NO_CLIENTS = "Asiakkaita ei löytynyt."


def _clients(db: str, world: AreaWorld, count: int) -> None:
    """``count`` own clients; every other one has only its pseudonym (no name, skills or stage)."""
    for n in range(count):
        named = {"full_name": f"Asiakas {n:03}", "skills": ["keräily"], "service_stage": "coaching"}
        insert_jobseeker(
            db,
            world.area_id,
            pseudonym=f"Hakija-S{n:03}",
            caseworker_id=world.user_ids[Role.CASEWORKER],
            **(named if n % 2 == 0 else {}),
        )


def _again(browser: Browser, role: Role) -> Browser:
    """The same user signed in afresh (a new browser session)."""
    browser.client.cookies.clear()
    assert browser.sign_in(f"{role.value}@a.example").status_code == 303
    return browser


def _saved(db: str) -> list[str]:
    with connect(db) as conn:
        return [r["query"] for r in conn.execute("SELECT query FROM web_list_filters ORDER BY list")]


def test_a_bad_day_in_the_client_filter_is_shown_with_its_field_and_never_remembered(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    _clients(db, world, 4)
    browser = signed_in(Role.CASEWORKER)
    assert browser.get("/clients?stage=coaching").status_code == 200
    bad = browser.get("/clients?created_from=abc")
    assert bad.status_code == 200
    assert 'href="#f-created_from"' in bad.text and "Asiakkaaksi aikaisintaan: " in bad.text
    assert NO_CLIENTS not in bad.text and "0 asiakasta" not in bad.text
    assert "/clients.csv" not in bad.text  # no file of a list that was not read
    assert _saved(db) == ["stage=coaching"]  # the last good filter stays

    again = _again(browser, Role.CASEWORKER)
    back = again.get("/clients")
    assert back.status_code == 303 and back.headers["location"] == "/clients?stage=coaching"
    shown = again.get(back.headers["location"])
    assert '<option value="coaching" selected' in shown.text  # the remembered filter is in the form
    assert re.search(r'<a href="/clients\?reset=1" class="reset">Tyhjennä rajaukset</a>', shown.text)
    assert "2 asiakasta" in shown.text
    assert 'href="/clients.csv?stage=coaching"' in shown.text
    rows = as_finnish_excel(again.get("/clients.csv?stage=coaching").content)
    assert sorted(r[0] for r in rows[1:]) == ["Asiakas 000", "Asiakas 002"]


def test_a_bad_filter_kept_before_filters_were_checked_is_dropped_after_one_showing(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    _clients(db, world, 3)
    with connect(db) as conn:
        conn.execute(
            "INSERT INTO web_list_filters (user_id, list, query) VALUES (%s, 'clients', 'created_from=abc')",
            (world.user_ids[Role.CASEWORKER],),
        )
        conn.commit()
    browser = signed_in(Role.CASEWORKER)
    assert browser.get("/clients").headers["location"] == "/clients?created_from=abc"
    assert "Asiakkaaksi aikaisintaan: " in browser.get("/clients?created_from=abc").text
    assert _saved(db) == []
    fresh = _again(browser, Role.CASEWORKER).get("/clients")
    assert fresh.status_code == 200 and "3 asiakasta" in fresh.text
    rows = as_finnish_excel(browser.get("/clients.csv").content)
    assert len(rows) == 4  # the header and every client, the one with no name among them
    assert "Hakija-S001" in {r[0] for r in rows}


REVERSED_RANGES = (
    (Role.CASEWORKER, "/clients", "created_from", "created_to"),
    (Role.COORDINATOR, "/employers", "created_from", "created_to"),
    (Role.COORDINATOR, "/needs", "created_from", "created_to"),
    (Role.COORDINATOR, "/proposals", "proposed_from", "proposed_to"),
    (Role.COORDINATOR, "/placements", "start_from", "start_to"),
    (Role.COORDINATOR, "/events", "date_from", "date_to"),
)


def test_every_list_says_a_range_ending_before_it_starts_is_reversed_and_does_not_keep_it(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    _clients(db, world, 1)
    browser = signed_in(Role.COORDINATOR)
    for role, path, start, end in REVERSED_RANGES:
        browser = _again(browser, role)
        browser.get(f"{path}?reset=1")
        answer = browser.get(f"{path}?{start}=2026-03-10&{end}=2026-03-01")
        assert answer.status_code == 200, path
        assert REVERSED in answer.text and f'href="#f-{start}"' in answer.text, path
        results = answer.text.split('class="filters"', 1)[1]
        assert 'class="empty"' not in results, path  # not "nothing found": the range is the problem
        same_day = browser.get(f"{path}?{start}=2026-03-01&{end}=2026-03-01")
        assert REVERSED not in same_day.text, path
    assert REVERSED not in browser.get("/clients?created_from=2026-03-10").text  # an open range is fine
    assert all("2026-03-10" not in q for q in _saved(db)), _saved(db)


def test_a_page_past_the_end_of_a_list_is_its_last_page(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    _clients(db, world, 30)  # two pages of 25
    browser = signed_in(Role.CASEWORKER)
    past = browser.get("/clients?stage=&offset=999")
    assert past.status_code == 200
    assert "30 asiakasta" in past.text and NO_CLIENTS not in past.text
    assert len(re.findall(r'href="/clients/\d+"', past.text)) == 5  # the rows 26-30
    assert "26–30 / 30" in past.text
    empty = browser.get("/clients?q=olematon&offset=999")
    assert NO_CLIENTS in empty.text and "0 asiakasta" in empty.text  # nothing to page back to

    need = insert_need(db, world.area_id, world.employer_id, title="Keräilijä")
    with connect(db) as conn:
        for n in range(3):
            person = insert_jobseeker(db, world.area_id, pseudonym=f"Hakija-P{n}")
            insert_placement(conn, world, need, person, "open_job", date(2026, 1, 1) + timedelta(days=n))
        conn.commit()
    coordinator = _again(browser, Role.COORDINATOR)
    placements = coordinator.get("/placements?status=&offset=500")
    assert len(re.findall(r'href="/placements/\d+"', placements.text)) == 3
    assert 'class="empty"' not in placements.text
