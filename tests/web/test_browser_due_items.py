"""In a real browser: the coordinator's front page tags a past-due next step as overdue and marks it done
with its button (which names the step it is for), and a proposal's placement form offers only the forms the
client has accepted, with the line that says why; axe-core finds no WCAG 2.1 AA violation there."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from accounts.models import Role
from core.clock import today
from core.db import connect
from tests.conftest import AreaWorld
from tests.web.conftest import screenshot, sign_in_page
from tests.web.test_browser_workday import axe_violations

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser


def test_the_coordinator_marks_an_overdue_next_step_done(
    live_server: str, context: BrowserContext, world: AreaWorld, db: str, csp_violations: list[str]
) -> None:
    with connect(db) as conn:
        for step, days in (("Lähetä ehdokasesittelyt", 30), ("Soita uudelleen", 0)):
            conn.execute(
                "INSERT INTO contacts (area_id, employer_id, user_id, kind, contact_date, summary, next_step,"
                " next_step_date) VALUES (%s, %s, %s, 'visit', %s, 'Käynti', %s, %s)",
                (
                    world.area_id,
                    world.employer_id,
                    world.user_ids[Role.COORDINATOR],
                    today() - timedelta(days=40),
                    step,
                    today() - timedelta(days=days),
                ),
            )
        conn.commit()
    page = context.new_page()
    sign_in_page(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server}/")
    steps = page.locator("#due-contacts + ul > li")
    assert steps.count() == 2
    assert "myöhässä" in steps.nth(0).inner_text() and "myöhässä" not in steps.nth(1).inner_text()
    done = steps.nth(0).get_by_role("button", name="Tehty")
    assert done.inner_text() == "Tehty"
    assert (done.get_attribute("aria-label") or "").endswith(" – Lähetä ehdokasesittelyt")
    checked = {"front page": axe_violations(page)}
    screenshot(page, "front-page-overdue")
    done.click()
    page.wait_for_url(f"{live_server}/")
    assert "Seuraava askel merkittiin tehdyksi: " in page.content()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'confirmation'")
    assert page.locator("#due-contacts + ul > li").count() == 1
    assert "Lähetä ehdokasesittelyt" not in page.locator("#due-contacts + ul").inner_text()
    checked["after done"] = axe_violations(page)
    assert checked == {name: [] for name in checked}
    assert csp_violations == []
