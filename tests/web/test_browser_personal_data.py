"""In a real browser: the admin finds a client on the personal-data page by pseudonym, erases them by the
labels of the form (reason, the pseudonym typed), and sees the result; the caseworker's client page then
says the data was erased and offers no form. axe-core finds no WCAG 2.1 AA violation on these states."""

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


def test_the_admin_finds_and_erases_a_client_and_the_client_page_says_so(
    live_server: str, context: BrowserContext, world: AreaWorld, db: str, csp_violations: list[str]
) -> None:
    base = live_server
    client_id = insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-ERASE2",
        full_name="Maija Meikäläinen",
        caseworker_id=world.user_ids[Role.CASEWORKER],
    )
    page = context.new_page()
    sign_in_page(page, base, Role.ADMIN)
    checked: dict[str, list[object]] = {}

    page.goto(f"{base}/admin/personal-data")
    page.get_by_label(re.compile("^Nimi, pseudonyymi tai asiakkaan tunniste")).fill("Hakija-ERASE2")
    page.get_by_role("button", name="Hae").click()
    page.wait_for_url(re.compile(r".*/admin/personal-data\?who=Hakija-ERASE2"))
    checked["found"] = axe_violations(page)
    page.get_by_role("link", name="Hakija-ERASE2").click()
    page.wait_for_url(f"{base}/admin/personal-data/{client_id}")
    checked["person"] = axe_violations(page)
    page.get_by_label(re.compile("^Poiston syy")).fill("Pyyntö 7.12.2026")
    page.get_by_label(re.compile("^Vahvista kirjoittamalla pseudonyymi")).fill("Hakija-ERASE2")
    page.get_by_role("button", name="Poista henkilön tiedot").click()
    page.wait_for_url(f"{base}/admin/personal-data/{client_id}")
    assert "Henkilön tiedot poistettiin." in page.content()
    assert "Maija" not in page.content()
    checked["erased"] = axe_violations(page)

    page.goto(f"{base}/clients/{client_id}")
    notice = page.locator("#erased-notice")
    assert notice.is_visible() and "Henkilön tiedot on poistettu pyynnöstä" in notice.inner_text()
    assert page.locator('form[method="post"][action^="/clients/"]').count() == 0
    checked["client page"] = axe_violations(page)
    assert checked == {name: [] for name in checked}
    assert csp_violations == []
