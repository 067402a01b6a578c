"""In the real browser: the placements list filtered by status, municipality and start date, remembered and
cleared; the proposals and the employer register filtered; the employer's own placements filtered. axe-core
finds no WCAG 2.1 AA violation on any of these states."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from accounts.models import Role
from tests.conftest import AreaWorld
from tests.web.accessibility import axe_violations
from tests.web.conftest import sign_in_page
from tests.web.test_list_filters import _employers, _placements, _proposals

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser


def test_placement_proposal_and_employer_lists_filter_in_the_browser_without_axe_violations(
    live_server: str,
    context: BrowserContext,
    world: AreaWorld,
    db: str,
    csp_violations: list[str],
) -> None:
    base = live_server
    ids = _placements(db, world)
    _proposals(db, world)
    _employers(db, world)
    page = context.new_page()
    sign_in_page(page, base, Role.COORDINATOR)
    checked: dict[str, list[str]] = {}

    page.goto(f"{base}/placements")
    page.get_by_label("Tila").select_option("active")
    page.get_by_label("Kunta").fill("Lieto")
    page.get_by_label("Alkaa viimeistään").fill("2099-01-01")
    page.get_by_role("button", name="Rajaa").click()
    page.wait_for_url(re.compile(r".*status=active.*municipality=Lieto.*"))
    assert page.locator(f'a[href="/placements/{ids["due"]}"]').count() == 1
    assert page.locator(f'a[href="/placements/{ids["other"]}"]').count() == 0
    checked["placements filtered"] = axe_violations(page)
    page.goto(f"{base}/placements")  # opened again: the last filter is back
    assert page.get_by_label("Kunta").input_value() == "Lieto"
    page.get_by_role("link", name="Tyhjennä rajaukset").click()
    page.wait_for_url(f"{base}/placements")
    assert page.get_by_label("Kunta").input_value() == ""
    page.goto(f"{base}/placements?start_from=eilen")
    assert "Alkaa aikaisintaan: " in page.locator("#error-summary").inner_text()
    checked["placements bad filter"] = axe_violations(page)

    page.goto(f"{base}/proposals?owner=me&municipality=Lieto")
    assert page.get_by_label("Ehdottaja").input_value() == "me"
    checked["proposals filtered"] = axe_violations(page)
    page.goto(f"{base}/employers?partnership_status=partner")
    assert "Kumppani Oy" in page.content()
    checked["employers filtered"] = axe_violations(page)

    employer = context.browser.new_context(locale="fi-FI") if context.browser else context
    own = employer.new_page()
    sign_in_page(own, base, Role.EMPLOYER)
    own.goto(f"{base}/placements?status=ended")
    assert own.locator(f'a[href="/placements/{ids["ended"]}"]').count() == 1
    assert own.get_by_label("Kunta").count() == 0
    checked["employer's placements filtered"] = axe_violations(own)
    if employer is not context:
        employer.close()

    assert checked == {name: [] for name in checked}
    assert csp_violations == []
