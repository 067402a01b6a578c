"""In a real browser: a coordinator records a task by the labels of its form, sees the bundle Kohtaamo
suggests with its reason, bundles it into a carved job and opens it; axe-core finds no WCAG 2.1 AA
violation on the job carving pages, their error states included, nor on the carved job's need page
whose candidates are explained task by task."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker
from tests.web.conftest import sign_in_page
from tests.web.test_browser_workday import _until_listed, axe_violations

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser


def test_the_coordinator_records_a_task_and_bundles_the_suggested_carved_job(
    live_server: str, context: BrowserContext, world: AreaWorld, db: str, csp_violations: list[str]
) -> None:
    base = live_server
    with connect(db) as conn:
        conn.execute(
            "INSERT INTO carving_tasks"
            " (area_id, employer_id, title, hours_per_week, municipality, schedule, skills)"
            " VALUES (%s, %s, 'Aamiaisen valmistelu', 12.5, 'Kaarina',"
            ' \'[{"day": "mon", "start": "07:00", "end": "09:30"}]\', \'{siivous}\')',
            (world.area_id, world.employer_id),
        )
        conn.commit()
    page = context.new_page()
    sign_in_page(page, base, Role.COORDINATOR)
    checked: dict[str, list[object]] = {}

    page.goto(f"{base}/carving")
    checked["carving, nothing to suggest"] = axe_violations(page)
    page.get_by_role("link", name="Kirjaa tehtävä").click()
    page.wait_for_url(f"{base}/carving/tasks/new")
    form = page.locator('form[action="/carving/tasks/new"]')
    form.get_by_label(re.compile("^Työnantaja")).select_option(str(world.employer_id))
    form.get_by_label(re.compile("^Tehtävä")).fill("Siivous")
    form.get_by_label(re.compile("^Tunteja viikossa")).fill("kymmenen")
    form.get_by_role("button", name="Tallenna").click()
    page.wait_for_load_state()
    assert page.locator("#error-summary").is_visible()
    checked["task form with an error"] = axe_violations(page)
    form.get_by_label(re.compile("^Tunteja viikossa")).fill("10")
    form.get_by_label(re.compile("^Viikkoaikataulu")).fill("ma 10.00-14.00\nto 10.00-14.00")
    form.get_by_role("button", name="Tallenna").click()
    page.wait_for_url(f"{base}/carving")
    assert "Tehtävä kirjattiin." in page.content()
    suggestion = page.locator("ol.suggestions > li").first
    assert "22,5 tuntia viikossa 2 tehtävästä" in suggestion.inner_text()
    assert "Kaarina" in suggestion.inner_text()
    checked["carving with a suggestion"] = axe_violations(page)

    suggestion.get_by_role("link", name="Kokoa nämä tehtävät").click()
    page.wait_for_url(re.compile(r".*/carving/jobs/new\?task=\d+&task=\d+"))
    checked["bundle form"] = axe_violations(page)
    page.get_by_label(re.compile("^Silpputyön nimike")).fill("Palveluavustaja")
    page.get_by_role("button", name="Tallenna silpputyö").click()
    page.wait_for_url(re.compile(r".*/carving/jobs/\d+$"))
    assert "Silpputyö tallennettiin." in page.content()
    assert page.get_by_role("heading", name="Palveluavustaja").is_visible()
    checked["carved job"] = axe_violations(page)
    need_id = int(page.url.rsplit("/", 1)[1])

    insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-SILPPU",
        skills=["siivous"],
        municipality="Kaarina",
        profile_text="Siivoustöitä kouluissa ja toimistoissa.",
        placement_forms=["open_job"],
    )
    _until_listed(page, f"{base}/needs/{need_id}", "Hakija-SILPPU")
    candidate = page.locator("li.candidate").filter(has_text="Hakija-SILPPU")
    tasks = candidate.get_by_role("list", name="Tehtävä kerrallaan").get_by_role("listitem")
    assert tasks.count() == 2
    assert (
        "Aamiaisen valmistelu · Kaarina (0 km kotoa) · 12,5 h/vko · Osaa: siivous" in tasks.all_inner_texts()
    )
    checked["need page of a carved job"] = axe_violations(page)
    page.goto(f"{base}/carving/jobs/{need_id}")

    page.get_by_role("link", name="Silpputyöt").first.click()
    page.wait_for_url(f"{base}/carving")
    checked["carving with a carved job"] = axe_violations(page)
    assert checked == {name: [] for name in checked}
    assert csp_violations == []
