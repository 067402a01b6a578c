"""The inbox in a real browser: the start page's count, marking a notice read, the e-mail choices, each
page checked by axe-core against WCAG 2.1 A and AA."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from accounts.models import Role
from tests.conftest import AreaWorld
from tests.notifications.conftest import proposed
from tests.web.conftest import screenshot, sign_in_page

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """What axe-core finds against WCAG 2.1 A and AA on the page as it is now (each rule with the
    elements that break it)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={**WCAG_21_AA, "resultTypes": ["violations"]})
    violations: list[dict[str, Any]] = results.response["violations"]
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in violations]


def test_employer_marks_a_notice_read_in_the_inbox(
    live_server: str,
    context: BrowserContext,
    client: TestClient,
    db: str,
    world: AreaWorld,
    csp_violations: list[str],
) -> None:
    proposed(client, db, world)
    page = context.new_page()
    sign_in_page(page, live_server, Role.EMPLOYER)
    summary = page.get_by_role("region", name="Saapuneet")
    assert "1 lukematon ilmoitus" in summary.inner_text()
    assert axe_violations(page) == []
    summary.get_by_role("link", name="1 lukematon ilmoitus").click()
    page.wait_for_url(f"{live_server}/inbox?unread=1")
    notice = page.get_by_role("link", name="Uusi esittelykortti odottaa vastaustasi: Varastotyöntekijä")
    assert notice.is_visible()
    assert axe_violations(page) == []
    screenshot(page, "inbox-unread")
    page.get_by_role("button", name="Merkitse luetuksi: Uusi esittelykortti").click()
    page.wait_for_url(f"{live_server}/inbox")
    assert page.get_by_role("status").inner_text() == "Ilmoitus merkittiin luetuksi."
    assert page.get_by_role("button", name="Merkitse luetuksi: Uusi esittelykortti").count() == 0
    assert axe_violations(page) == []
    page.get_by_role("link", name="Ilmoitukset sähköpostiin").click()
    page.get_by_label("Uudet esittelykortit").uncheck()
    page.get_by_role("button", name="Tallenna").click()
    page.wait_for_url(f"{live_server}/inbox/preferences")
    assert not page.get_by_label("Uudet esittelykortit").is_checked()
    # An employer is offered intro cards only: no answers to proposals, no plan reviews.
    assert page.get_by_role("checkbox").count() == 1
    assert page.get_by_label("Vastaukset ehdotuksiin").count() == 0
    assert axe_violations(page) == []
    page.goto(f"{live_server}/")
    assert "Ei lukemattomia ilmoituksia." in page.get_by_role("region", name="Saapuneet").inner_text()
    assert csp_violations == []


def test_admin_outbox_passes_the_accessibility_check(
    live_server: str, context: BrowserContext, client: TestClient, db: str, world: AreaWorld
) -> None:
    proposed(client, db, world)
    page = context.new_page()
    sign_in_page(page, live_server, Role.ADMIN)
    # At a phone's width the main menu is folded behind its button.
    page.locator("summary", has_text="Valikko").click()
    page.get_by_role("link", name="Lähtevä posti").click()
    page.wait_for_url(f"{live_server}/admin/outbox")
    page.locator("main summary").first.click()
    assert "employer@a.example" in page.content()
    assert axe_violations(page) == []
    # The check can fail: an image without a text alternative is found.
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    assert [v["id"] for v in axe_violations(page)] == ["image-alt"]
