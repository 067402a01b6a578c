"""In a real browser: a coordinator edits a target group and is asked before removing it, the own
caseworker edits a client's plan; axe-core finds no WCAG 2.1 AA violation on these pages."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.web.conftest import sign_in_page
from tests.web.test_browser_workday import axe_violations
from tests.web.test_path_pages import _group

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser


def _client_with_a_plan(db: str, world: AreaWorld) -> tuple[int, int]:
    """A client of the caseworker's with a plan of one goal and no review date (optional fields empty)."""
    with connect(db) as conn:
        person = conn.execute(
            "INSERT INTO jobseekers (area_id, pseudonym, municipality, caseworker_id)"
            " VALUES (%s, 'Hakija-PLAN', 'Turku', %s) RETURNING id",
            (world.area_id, world.user_ids[Role.CASEWORKER]),
        ).fetchone()
        assert person is not None
        plan = conn.execute(
            "INSERT INTO plans (jobseeker_id, kind, drawn_up_on) VALUES (%s, 'activation', current_date)"
            " RETURNING id",
            (person["id"],),
        ).fetchone()
        assert plan is not None
        conn.execute(
            "INSERT INTO plan_items (plan_id, position, kind, text) VALUES (%s, 1, 'goal', 'Kuntouttava')",
            (plan["id"],),
        )
        conn.commit()
    return int(person["id"]), int(plan["id"])


def test_editing_target_groups_and_plans_in_the_browser(
    live_server: str, new_context: object, world: AreaWorld, db: str, csp_violations: list[str]
) -> None:
    base = live_server
    group = _group(db, world)
    client_id, plan_id = _client_with_a_plan(db, world)
    checked: dict[str, list[str]] = {}

    coordinator: BrowserContext = new_context()  # type: ignore[operator]
    page = coordinator.new_page()
    sign_in_page(page, base, Role.COORDINATOR)
    page.goto(f"{base}/target-groups/{group}/edit")
    checked["target group form"] = axe_violations(page)
    page.goto(f"{base}/target-groups/{group}/delete")
    assert page.get_by_text("Poistetaanko kohderyhmä Yli 500 päivää?").count() == 1
    assert page.get_by_role("button", name="Kyllä, poista kohderyhmä").count() == 1
    checked["target group removal question"] = axe_violations(page)

    caseworker: BrowserContext = new_context()  # type: ignore[operator]
    page = caseworker.new_page()
    sign_in_page(page, base, Role.CASEWORKER)
    page.goto(f"{base}/clients/{client_id}")
    page.get_by_role("link", name=re.compile("Muokkaa suunnitelmaa")).first.click()
    page.wait_for_url(re.compile(rf".*/clients/{client_id}/plans/{plan_id}/edit$"))
    checked["plan form"] = axe_violations(page)

    assert checked == {name: [] for name in checked}
    assert csp_violations == []
