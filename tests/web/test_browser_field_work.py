"""In a real browser: the coordinator names the employer's responsible coordinator on the employer card,
the employer's user sees whom to contact, a job coach records a visit and the hidden need found on it
from the register, and the admin's settings page switches that off; axe-core finds no WCAG 2.1 AA
violation on these page states."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from accounts.models import Role
from core.clock import today
from tests.conftest import AreaWorld
from tests.web.conftest import sign_in_page
from tests.web.test_browser_workday import axe_violations

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser


def test_a_named_coordinator_and_a_job_coachs_visit_in_the_browser(
    live_server: str, new_context: object, world: AreaWorld, csp_violations: list[str]
) -> None:
    base = live_server
    make = new_context
    assert callable(make)
    checked: dict[str, list[object]] = {}

    coordinator: BrowserContext = make()
    page = coordinator.new_page()
    sign_in_page(page, base, Role.COORDINATOR)
    page.goto(f"{base}/employers/{world.employer_id}")
    checked["card without a coordinator"] = axe_violations(page)
    form = page.locator('form[action$="/coordinator"]')
    assert not form.is_visible()  # folded away under one summary until wanted
    page.locator("summary", has_text="Muuta vastuukoordinaattoria").click()
    checked["card, its change unfolded"] = axe_violations(page)
    form.get_by_label("Vastuukoordinaattori").select_option(label="a coordinator")
    form.get_by_role("button", name="Tallenna koordinaattori").click()
    page.wait_for_url(f"{base}/employers/{world.employer_id}")
    assert "Vastuukoordinaattori tallennettiin." in page.content()
    assert "Ei kukaan → a coordinator" in page.content()
    checked["card with its coordinator"] = axe_violations(page)
    page.goto(f"{base}/employers")
    assert page.get_by_label("Vastuukoordinaattori").input_value() == "me"
    assert page.get_by_role("link", name="a Logistiikka Oy").is_visible()
    checked["register, my employers"] = axe_violations(page)

    employer = make()
    page = employer.new_page()
    sign_in_page(page, base, Role.EMPLOYER)
    coordinator_box = page.locator("aside", has=page.get_by_role("heading", name="Koordinaattorinne"))
    assert "a coordinator on nimetty yhteyshenkilönne" in coordinator_box.inner_text()
    assert coordinator_box.get_by_role("link", name="coordinator@a.example").is_visible()
    checked["employer's front page"] = axe_violations(page)

    coach = make()
    page = coach.new_page()
    sign_in_page(page, base, Role.CASEWORKER)
    assert page.locator('nav a[href="/employers"]').count() == 1  # in the job coach's menu
    page.goto(f"{base}/employers")
    checked["register for a job coach"] = axe_violations(page)
    page.locator(f'a[href="/employers/{world.employer_id}/visit"]').click()
    page.wait_for_url(f"{base}/employers/{world.employer_id}/visit")
    page.get_by_label(re.compile("^Päivämäärä")).fill(today().isoformat())
    page.get_by_label(re.compile("^Mitä saatiin selville")).fill("Varastolle tarvitaan keräilijä aamuvuoroon")
    page.get_by_text("Käynnillä löytyi tarve").click()
    page.get_by_label(re.compile("^Otsikko")).fill("Keräilijä")
    checked["visit form"] = axe_violations(page)
    page.get_by_role("button", name="Tallenna", exact=True).click()
    page.wait_for_url(re.compile(rf"{base}/needs/\d+"))
    assert "kirjannut a caseworker" in page.content()
    checked["the need found"] = axe_violations(page)

    admin = make()
    page = admin.new_page()
    sign_in_page(page, base, Role.ADMIN)
    assert page.locator('nav a[href="/admin/settings"]').count() == 1
    page.goto(f"{base}/admin/settings")
    checked["settings"] = axe_violations(page)
    page.get_by_label(re.compile("^Omavirkailijat saavat")).select_option("no")
    page.get_by_role("button", name="Tallenna asetukset").click()
    page.wait_for_url(f"{base}/admin/settings")
    assert "Asetukset tallennettiin." in page.content()

    page = coach.new_page()
    answer = page.goto(f"{base}/employers/{world.employer_id}/visit")
    assert answer is not None and answer.status == 403
    assert page.locator('nav a[href="/employers"]').count() == 0
    checked["refused"] = axe_violations(page)

    assert checked == {name: [] for name in checked}
    assert csp_violations == []
