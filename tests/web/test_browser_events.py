"""In a real browser: a coordinator plans a recruitment fair, adds an employer and invites a jobseeker,
marks who came, and finds the event in the list, the employer's contact log and the client's page;
axe-core finds no WCAG 2.1 AA violation on these pages, the empty list included."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from accounts.models import Role
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker
from tests.web.conftest import sign_in_page
from tests.web.test_browser_workday import axe_violations

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser


def test_the_coordinator_plans_a_fair_and_marks_who_came(
    live_server: str, context: BrowserContext, world: AreaWorld, db: str, csp_violations: list[str]
) -> None:
    base = live_server
    client_id = insert_jobseeker(
        db, world.area_id, pseudonym="Hakija-FAIR", caseworker_id=world.user_ids[Role.CASEWORKER]
    )
    page = context.new_page()
    sign_in_page(page, base, Role.COORDINATOR)
    checked: dict[str, list[object]] = {}

    assert page.locator('nav a[href="/events"]').text_content() == "Tapahtumat"
    page.goto(f"{base}/events")
    assert "Haulla ei löytynyt rekrytointitapahtumia." in page.content()
    checked["empty list"] = axe_violations(page)

    page.get_by_role("link", name="Uusi tapahtuma").click()
    checked["new event form"] = axe_violations(page)
    form = page.locator('form[action="/events/new"]')
    form.get_by_label(re.compile("^Tapahtuman tyyppi")).select_option("fair")
    form.get_by_label(re.compile("^Tapahtuman nimi")).fill("MegaRekry Turku")
    form.get_by_label(re.compile("^Päivämäärä")).fill("2026-03-12")
    form.get_by_label(re.compile("^Kunta")).fill("Turku")
    form.get_by_role("button", name="Tallenna tapahtuma").click()
    page.wait_for_url(re.compile(rf"{base}/events/\d+$"))
    assert "Tapahtuma tallennettiin." in page.content()
    checked["new event"] = axe_violations(page)

    adding = page.locator('form[action$="/participants"]')
    adding.get_by_label("Osallistuva työnantaja").select_option(str(world.employer_id))
    adding.get_by_label("Kutsuttava työnhakija").select_option(str(client_id))
    adding.get_by_role("button", name="Lisää").click()
    page.wait_for_url(re.compile(r".*#participants"))
    marking = page.locator('form[action$="/attendance"]')
    marking.get_by_label("Osallistuminen: a Logistiikka Oy").select_option("attended")
    marking.get_by_label("Osallistuminen: Hakija-FAIR").select_option("attended")
    marking.get_by_role("button", name="Tallenna osallistuminen").click()
    page.wait_for_url(re.compile(r".*#attendance"))
    assert "Osallistuminen tallennettiin." in page.content()
    checked["attendance marked"] = axe_violations(page)

    page.goto(f"{base}/events")
    row = page.locator("tbody tr")
    assert row.count() == 1 and "MegaRekry Turku" in row.inner_text() and "1 / 1" in row.inner_text()
    checked["list"] = axe_violations(page)

    page.goto(f"{base}/employers/{world.employer_id}")
    assert "MegaRekry Turku (Turku)" in page.content()

    page.goto(f"{base}/events/new")
    page.locator('form[action="/events/new"]').get_by_role("button", name="Tallenna tapahtuma").click()
    assert page.locator(".error-summary").is_visible()
    checked["refused form"] = axe_violations(page)
    assert checked == {name: [] for name in checked}
    assert csp_violations == []


def test_the_caseworker_sees_the_clients_events_on_the_client_page(
    live_server: str, context: BrowserContext, world: AreaWorld, db: str
) -> None:
    from core.db import connect

    client_id = insert_jobseeker(
        db, world.area_id, pseudonym="Hakija-KAHVI", caseworker_id=world.user_ids[Role.CASEWORKER]
    )
    with connect(db) as conn:
        event = conn.execute(
            "INSERT INTO recruitment_events (area_id, kind, title, event_date, municipality, organiser_id)"
            " VALUES (%s, 'morning_coffee', 'Aamukahvit Liedossa', '2026-02-03', 'Lieto', %s) RETURNING id",
            (world.area_id, world.user_ids[Role.COORDINATOR]),
        ).fetchone()
        assert event is not None
        conn.execute(
            "INSERT INTO event_jobseekers (event_id, jobseeker_id, attendance) VALUES (%s, %s, 'absent')",
            (event["id"], client_id),
        )
        conn.commit()
    page = context.new_page()
    sign_in_page(page, live_server, Role.CASEWORKER)
    page.goto(f"{live_server}/clients/{client_id}")
    events = page.locator("#events").locator("..")
    assert "Aamukahvit Liedossa" in events.inner_text() and "Ei osallistunut" in events.inner_text()
    assert axe_violations(page) == []
