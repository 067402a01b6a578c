"""In a real browser: the own caseworker is refused a proposal in a form the client has not accepted,
follows the link to the client's placement forms, records the client's decision there by the labels of
the form, and then sees the intro card; axe-core finds no WCAG 2.1 AA violation on these page states."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from accounts.models import Role
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import share_profile
from tests.web.conftest import sign_in_page
from tests.web.test_browser_workday import axe_violations

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser


def test_the_caseworker_records_the_clients_new_decision_and_then_proposes(
    live_server: str, context: BrowserContext, world: AreaWorld, db: str, csp_violations: list[str]
) -> None:
    base = live_server
    need_id = insert_need(
        db,
        world.area_id,
        world.employer_id,
        title="Varastotyöntekijä",
        skills=["keräily"],
        placement_forms=["work_trial"],
    )
    client_id = insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-CHOICE",
        skills=["keräily"],
        placement_forms=["open_job"],
        caseworker_id=world.user_ids[Role.CASEWORKER],
    )
    share_profile(db, client_id)
    page = context.new_page()
    sign_in_page(page, base, Role.CASEWORKER)
    checked: dict[str, list[object]] = {}

    page.goto(f"{base}/needs/{need_id}/propose?jobseeker_id={client_id}&back=client")
    assert "Asiakas ei ole hyväksynyt sijoitusmuotoa: Työkokeilu." in page.content()
    checked["refused preview"] = axe_violations(page)
    page.get_by_role("link", name="Siirry asiakkaan sijoitusmuotoihin").click()
    page.wait_for_url(f"{base}/clients/{client_id}#placement-forms")
    checked["client page"] = axe_violations(page)
    decision = page.locator('form[action$="/placement-forms"]')
    decision.get_by_label(re.compile("^Sijoitusmuoto")).select_option("work_trial")
    decision.get_by_label(re.compile("^Päätöspäivä")).fill("2026-01-15")
    decision.get_by_role("button", name="Kirjaa päätös").click()
    page.wait_for_url(re.compile(rf".*/clients/{client_id}#placement-forms"))
    assert "Hyväksyy – Työkokeilu" in page.locator("#placement-forms").locator("..").inner_text()
    checked["decision recorded"] = axe_violations(page)

    page.goto(f"{base}/needs/{need_id}/propose?jobseeker_id={client_id}&back=client")
    assert page.locator("article.card").is_visible()
    assert checked == {name: [] for name in checked}
    assert csp_violations == []
