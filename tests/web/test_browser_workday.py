"""A caseworker's working day in a real browser, at a phone's width: finding a client by name, proposing
them from their matches after seeing the intro card, the confirmation in view, and closing a need only
once asked; axe-core finds no WCAG 2.1 AA violation on any of these page states."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

import pytest

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker, insert_need
from tests.placements.conftest import share_profile
from tests.web.conftest import screenshot, sign_in_page

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """What axe-core (run in the page) finds against WCAG 2.1 A and AA: rule id and the nodes."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_21_AA)
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in results.response["violations"]
    ]


def _until_listed(page: Page, url: str, text: str, timeout: float = 15.0) -> None:
    """Open ``url`` until it shows ``text`` (the served index takes in new rows in the background)."""
    deadline = time.monotonic() + timeout
    while True:
        page.goto(url)
        if text in page.content() or time.monotonic() > deadline:
            return
        time.sleep(0.3)


def test_caseworker_finds_a_client_by_name_and_proposes_them_from_their_matches(
    live_server: str, context: BrowserContext, world: AreaWorld, db: str, csp_violations: list[str]
) -> None:
    base = live_server
    need_id = insert_need(
        db,
        world.area_id,
        world.employer_id,
        title="Varastotyöntekijä",
        skills=["keräily", "varastoida tuotteita"],
        description="Keräilyä ja lähettämötyötä.",
        municipality="Lieto",
    )
    client_id = insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-BROWSE",
        full_name="Maija Meikäläinen",
        external_id="AS-1001",
        skills=["keräily", "varastoida tuotteita"],
        profile_text="Varastotyötä ja keräilyä kolme vuotta.",
        caseworker_id=world.user_ids[Role.CASEWORKER],
    )
    share_profile(db, client_id)
    page = context.new_page()
    sign_in_page(page, base, Role.CASEWORKER)
    checked: dict[str, list[dict[str, Any]]] = {}

    # Name search, by keyboard.
    page.get_by_label("Nimi, pseudonyymi tai asiakasnumero").fill("meikä")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/clients\?.*who=meik"))
    assert page.get_by_role("link", name="Maija Meikäläinen").is_visible()
    checked["client search"] = axe_violations(page)
    page.get_by_label("Nimi, pseudonyymi tai asiakasnumero").fill("AS-1001")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*who=AS-1001"))
    page.get_by_role("link", name="Maija Meikäläinen").click()
    page.wait_for_url(f"{base}/clients/{client_id}")

    # The client's matches: propose from there, seeing the card first.
    _until_listed(page, f"{base}/clients/{client_id}/matches", "Varastotyöntekijä")
    checked["client matches"] = axe_violations(page)
    page.get_by_role("link", name="Ehdota tarpeeseen Varastotyöntekijä").click()
    page.wait_for_url(re.compile(rf".*/needs/{need_id}/propose\?jobseeker_id={client_id}.*"))
    card = page.locator("article.card")
    assert "Hakija-BROWSE" in card.inner_text() and "Maija" not in card.inner_text()
    checked["propose preview"] = axe_violations(page)
    screenshot(page, "propose-preview")
    page.get_by_label("Muistiinpano").fill("Kokenut keräilijä, aamuvuorot sopivat.")
    page.get_by_role("button", name="Lähetä ehdotus").click()
    page.wait_for_url(re.compile(rf".*/clients/{client_id}/matches\?proposed=\d+#need-{need_id}"))
    # The confirmation is beside the need, focused and in view.
    confirmation = page.locator("#confirmation")
    assert "Ehdokas ehdotettiin" in confirmation.inner_text()
    assert page.evaluate("document.activeElement.id") == "confirmation"
    box = confirmation.bounding_box()
    assert box is not None and 0 <= box["y"] < 780
    checked["proposed"] = axe_violations(page)
    screenshot(page, "proposed-confirmation")
    with connect(db) as conn:
        row = conn.execute("SELECT need_id, jobseeker_id, note FROM proposals").fetchone()
    assert row == {
        "need_id": need_id,
        "jobseeker_id": client_id,
        "note": "Kokenut keräilijä, aamuvuorot sopivat.",
    }

    # The need page marks the caseworker's own client.
    page.goto(f"{base}/needs/{need_id}")
    assert "Oma asiakkaasi" in page.content() and "Maija Meikäläinen" in page.content()
    checked["need page"] = axe_violations(page)

    assert checked == {name: [] for name in checked}
    assert csp_violations == []


def test_closing_a_need_asks_first_and_lists_remember_their_filter(
    live_server: str, context: BrowserContext, world: AreaWorld, db: str, csp_violations: list[str]
) -> None:
    base = live_server
    need_id = insert_need(db, world.area_id, world.employer_id, title="Kausityö", municipality="Lieto")
    page = context.new_page()
    sign_in_page(page, base, Role.COORDINATOR)
    checked: dict[str, list[dict[str, Any]]] = {}

    page.goto(f"{base}/needs")
    page.get_by_label("Kunta").fill("Lieto")
    page.get_by_label("Kirjattu aikaisintaan").fill("2020-01-01")
    page.get_by_role("button", name="Hae").click()
    page.wait_for_url(re.compile(r".*created_from=2020-01-01.*"))
    checked["needs filtered"] = axe_violations(page)
    page.goto(f"{base}/needs")  # opened again: the last filter is back
    assert page.get_by_label("Kunta").input_value() == "Lieto"
    page.get_by_role("link", name="Tyhjennä rajaukset").click()
    page.wait_for_url(f"{base}/needs")
    assert page.get_by_label("Kunta").input_value() == ""

    page.goto(f"{base}/needs/{need_id}")
    page.get_by_role("button", name="Sulje tarve…").click()
    page.wait_for_url(re.compile(rf".*/needs/{need_id}/close\?status=filled"))
    assert page.get_by_role("heading", name="Suljetaanko tarve Kausityö?").is_visible()
    checked["close confirmation"] = axe_violations(page)
    page.get_by_role("link", name="Ei, pidä avoinna").click()
    with connect(db) as conn:
        status = conn.execute("SELECT status FROM needs WHERE id = %s", (need_id,)).fetchone()
    assert status == {"status": "open"}
    page.get_by_role("button", name="Sulje tarve…").click()
    page.get_by_role("button", name="Kyllä, sulje tarve").click()
    page.wait_for_url(f"{base}/needs/{need_id}")
    assert "Tarve suljettiin." in page.content()

    # A bad filter: the summary names the field.
    page.goto(f"{base}/needs?created_from=eilen")
    assert "Kirjattu aikaisintaan: " in page.locator("#error-summary").inner_text()
    checked["needs bad filter"] = axe_violations(page)

    assert checked == {name: [] for name in checked}
    assert csp_violations == []
