"""In a real browser: a coordinator adds a provider to the area's actor map and records an employer's
kind, the own caseworker refers a client to the provider's service and records its end and outcome, by
the labels of the forms; axe-core finds no WCAG 2.1 AA violation on these page states, in Finnish and
Swedish."""

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


def test_the_actor_map_and_a_referral_from_start_to_outcome(
    live_server: str, new_context: object, world: AreaWorld, db: str, csp_violations: list[str]
) -> None:
    base = live_server
    client_id = insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-REF",
        skills=["keräily"],
        caseworker_id=world.user_ids[Role.CASEWORKER],
    )
    checked: dict[str, list[object]] = {}
    coordinator: BrowserContext = new_context()  # type: ignore[operator]
    page = coordinator.new_page()
    sign_in_page(page, base, Role.COORDINATOR)
    page.goto(f"{base}/service-providers")
    checked["empty map"] = axe_violations(page)
    adding = page.locator('form[action="/service-providers"]')
    adding.get_by_label(re.compile("^Nimi")).fill("Turun TYP")
    adding.get_by_label(re.compile("^Tyyppi")).select_option("typ")
    adding.get_by_label("Kuntouttava työtoiminta").check()
    adding.get_by_label("Uravalmennus").check()
    adding.get_by_role("button", name="Tallenna toimija").click()
    page.wait_for_url(f"{base}/service-providers")
    row = page.locator("tr", has_text="Turun TYP")
    assert "Uravalmennus, Kuntouttava työtoiminta" in row.inner_text()
    assert "Koko alue" in row.inner_text()
    checked["map with a provider"] = axe_violations(page)
    row.get_by_role("link", name="Turun TYP").click()
    checked["provider form"] = axe_violations(page)

    page.goto(f"{base}/employers/{world.employer_id}")
    assert "Ei kirjattu" in page.locator("dl.facts").inner_text()
    page.locator("summary", has_text="organisaation tyyppiä").click()
    page.locator('form[action$="/kind"]').get_by_label(re.compile("^Organisaation tyyppi")).select_option(
        "firm"
    )
    page.get_by_role("button", name="Tallenna tyyppi").click()
    page.wait_for_url(f"{base}/employers/{world.employer_id}")
    assert "Yritys" in page.locator("dl.facts").inner_text()
    checked["employer with its kind"] = axe_violations(page)

    caseworker: BrowserContext = new_context()  # type: ignore[operator]
    page = caseworker.new_page()
    sign_in_page(page, base, Role.CASEWORKER)
    page.goto(f"{base}/clients/{client_id}#referrals")
    refer = page.locator('form[action$="/referrals"]')
    refer.get_by_label(re.compile("^Toimija ja palvelu")).select_option(
        label="Turun TYP – Kuntouttava työtoiminta"
    )
    refer.get_by_label(re.compile("^Alkaa")).fill("2026-03-01")
    refer.get_by_label(re.compile("^Päättyy")).fill("2026-02-01")
    refer.get_by_role("button", name="Tallenna ohjaus").click()
    assert "Päättyminen ei voi olla ennen alkamista." in page.content()
    checked["refused referral"] = axe_violations(page)
    refer = page.locator('form[action$="/referrals"]')
    refer.get_by_label(re.compile("^Päättyy")).fill("")
    refer.get_by_role("button", name="Tallenna ohjaus").click()
    page.wait_for_url(re.compile(rf".*/clients/{client_id}#referrals"))
    table = page.locator("section", has=page.locator("#referrals"))
    assert "Kuntouttava työtoiminta" in table.inner_text() and "käynnissä" in table.inner_text()
    checked["referral made"] = axe_violations(page)
    ending = page.locator('form[action$="/referral-end"]')
    ending.get_by_label(re.compile("^Päättyi")).fill("2026-06-30")
    ending.get_by_label(re.compile("^Tulos")).select_option("education")
    ending.get_by_role("button", name="Kirjaa päättyminen").click()
    page.wait_for_url(re.compile(rf".*/clients/{client_id}#referrals"))
    assert "Koulutukseen" in page.locator("section", has=page.locator("#referrals")).inner_text()
    checked["referral ended"] = axe_violations(page)
    page.goto(f"{base}/service-providers")
    assert page.get_by_role("link", name="Turun TYP").count() == 0  # a caseworker reads the map only
    caseworker.add_cookies([{"name": "kohtaamo_lang", "value": "sv", "url": base}])
    page.goto(f"{base}/service-providers")
    assert "Arbetsverksamhet i rehabiliteringssyfte" in page.content()
    checked["map for a caseworker, in Swedish"] = axe_violations(page)
    assert checked == {name: [] for name in checked}
    assert csp_violations == []
