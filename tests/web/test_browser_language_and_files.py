"""In a real browser: a Swedish browser's first visit is in Swedish, and a list downloaded from its link
opens as Finnish Excel reads a CSV; the changed pages pass axe-core's accessibility checks."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from accounts.models import Role
from core.db import connect
from placements import charts
from tests.conftest import PASSWORD, AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import insert_placement
from tests.web.conftest import email, sign_in_page
from tests.web.test_exports import as_finnish_excel, excel_number

if TYPE_CHECKING:
    from playwright.sync_api import Browser as PwBrowser
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """What axe-core (the copy bundled with axe-playwright-python) finds wrong on the page, WCAG A/AA."""
    import axe_playwright_python

    source = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
    page.evaluate(source)  # evaluated by the driver, not injected as a script: the CSP stays as served
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})).violations"
        ".map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return found


def download(page: Page, link_text: str) -> bytes:
    with page.expect_download() as started:
        page.get_by_role("link", name=link_text).click()
    path = started.value.path()
    assert path is not None
    return Path(path).read_bytes()


@pytest.fixture
def swedish_context(chromium: PwBrowser) -> Any:
    ctx = chromium.new_context(viewport={"width": 1000, "height": 900}, locale="sv-FI", accept_downloads=True)
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


def test_a_swedish_browsers_first_visit_is_in_swedish_and_its_list_file_opens_in_excel(
    live_server: str, swedish_context: BrowserContext, world: AreaWorld, db: str
) -> None:
    insert_need(db, world.area_id, world.employer_id, title="Lagerarbetare", municipality="Lieto")
    page = swedish_context.new_page()
    page.goto(f"{live_server}/login")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert axe_violations(page) == []
    page.get_by_label("E-post").fill(email(Role.COORDINATOR))
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/needs?municipality=Lieto")
    assert page.get_by_role("heading", name="Behov").is_visible()
    assert axe_violations(page) == []

    rows = as_finnish_excel(download(page, "Ladda ner listan som CSV"))
    assert rows[0][:4] == ["Rubrik", "Arbetsgivare", "Kommun", "Läge"]
    assert [r[0] for r in rows[1:]] == ["Lagerarbetare"]
    assert rows[1][2] == "Lieto" and rows[1][3] == "Öppet"


def test_a_finnish_coordinator_downloads_placements_as_finnish_excel_reads_them(
    live_server: str, context: BrowserContext, world: AreaWorld, db: str
) -> None:
    need_id = insert_need(db, world.area_id, world.employer_id, title="Keräilijä")
    seeker = insert_jobseeker(db, world.area_id, pseudonym="Hakija-EXCEL1")
    with connect(db) as conn:
        placement = insert_placement(conn, world, need_id, seeker, "work_trial", date(2026, 2, 3))
        conn.execute("UPDATE placements SET hours_per_week = 22.5 WHERE id = %s", (placement,))
        conn.commit()
    page = context.new_page()
    sign_in_page(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server}/placements")
    assert axe_violations(page) == []
    rows = as_finnish_excel(download(page, "Lataa lista CSV-tiedostona"))
    header = rows[0]
    assert header[:3] == ["Ehdokas", "Työnantaja", "Sijoitusmuoto"]
    row = rows[1]
    assert row[0] == f"Hakija-{seeker}" and row[2] == "Työkokeilu"  # the pseudonym on the card
    assert row[header.index("Aloituspäivä")] == "3.2.2026"
    assert excel_number(row[header.index("Tunteja viikossa")]) == 22.5

    page.goto(f"{live_server}/indicators?date_from=2026-01-01&date_to=2026-03-31")
    assert axe_violations(page) == []
    # The chart the browser draws from the direct SVG: on this 360 px phone the narrow one, loaded at its
    # size, and its texts readable as text.
    chart = page.locator('img.chart[src*="wage_subsidised_starts"]')
    chart.scroll_into_view_if_needed()
    chart.evaluate("img => img.decode()")
    loaded = chart.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
    assert loaded == [True, *charts.SIZES["narrow"]]
    assert str(chart.evaluate("img => img.currentSrc")).endswith("&size=narrow")
    svg_page = context.new_page()
    svg_page.goto(f"{live_server}{chart.get_attribute('src')}")
    assert svg_page.locator("svg > title").text_content() == "Palkkatuetut aloitukset yrityksissä"
    assert svg_page.get_by_text("Kuukausi", exact=True).is_visible()
    svg_page.close()
    indicators = as_finnish_excel(download(page, "Lataa CSV"))
    assert indicators[0][0] == "Indikaattori"
