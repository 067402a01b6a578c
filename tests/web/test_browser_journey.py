"""The whole journey in a real browser, at a phone's width: from a visit to a placement and the indicators.

A coordinator records a visit and the hidden need found on it, finds candidates and proposes one; the
employer sees the pseudonymous card and answers "interested"; the caseworker records the client's
consent; the employer sees who the candidate is; the coordinator confirms the placement; the indicators
change. Plus the role boundaries an address bar could cross.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.matching_api.conftest import insert_jobseeker
from tests.placements.conftest import share_profile
from tests.web.conftest import screenshot, sign_in_page

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser


def wage_subsidised_starts(page: Page) -> str:
    return page.locator('tr[data-indicator="wage_subsidised_starts"] td.value').first.inner_text()


def fits_the_screen(page: Page) -> bool:
    """Nothing is wider than the 360 px viewport (no sideways scrolling)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_visit_to_placement_journey(
    live_server: str,
    new_context: Callable[[], BrowserContext],
    world: AreaWorld,
    db: str,
    csp_violations: list[str],
) -> None:
    base = live_server
    client_id = insert_jobseeker(
        db,
        world.area_id,
        pseudonym="Hakija-JOURNEY",
        full_name="Maija Meikäläinen",
        email="maija@example.fi",
        phone="040 123 4567",
        skills=["varastoida tuotteita", "keräily"],
        profile_text="Varastotyötä ja keräilyä kolme vuotta.",
        placement_forms=["pay_subsidy", "work_trial"],
        desired_hours_per_week=30,
        caseworker_id=world.user_ids[Role.CASEWORKER],
    )
    share_profile(db, client_id)  # the client agreed to being proposed to employers
    with connect(db) as conn:  # the coordinator is the employer's face: it is among their own employers
        conn.execute(
            "UPDATE employers SET responsible_coordinator = %s WHERE id = %s",
            (world.user_ids[Role.COORDINATOR], world.employer_id),
        )

    # The coordinator, by keyboard where it matters: sign in, find the employer, record the visit.
    coordinator = new_context().new_page()
    sign_in_page(coordinator, base, Role.COORDINATOR)
    coordinator.keyboard.press("Tab")
    focused = coordinator.evaluate(
        "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
        " return [e.textContent.trim(), s.outlineStyle, s.outlineWidth]; })()"
    )
    assert focused == ["Siirry sisältöön", "solid", "3px"]
    screenshot(coordinator, "coordinator-today")
    coordinator.goto(f"{base}/search?searched=true&text=varasto")
    screenshot(coordinator, "match-search")
    # At a phone's width the main menu is folded behind its button.
    coordinator.locator("summary", has_text="Valikko").click()
    coordinator.get_by_role("link", name="Työnantajat").first.click()
    coordinator.get_by_label("Nimi tai Y-tunnus").fill("logisti")
    coordinator.get_by_role("link", name="a Logistiikka Oy").click()
    screenshot(coordinator, "employer-card")
    coordinator.get_by_role("link", name="Kirjaa käynti").click()
    coordinator.get_by_label("Mitä saatiin selville").fill("Tarvitsevat varastoon tekijän, ei ilmoiteta.")
    coordinator.locator("summary", has_text="Käynnillä löytyi tarve").click()
    coordinator.get_by_label("Otsikko").fill("Varastotyöntekijä")
    search = coordinator.get_by_label("Etsi osaamista")
    search.focus()
    search.press_sequentially("varastoida tuot", delay=20)
    suggestion = coordinator.get_by_role("button", name="varastoida tuotteita")
    suggestion.focus()
    coordinator.keyboard.press("Enter")
    assert coordinator.get_by_label("Vaadittu osaaminen").input_value() == "varastoida tuotteita"
    coordinator.get_by_label("Tunteja viikossa").fill("30")
    coordinator.get_by_label("Palkkatuki").check()
    assert coordinator.get_by_label("Näkyvyys").input_value() == "hidden"
    screenshot(coordinator, "record-visit")
    coordinator.get_by_role("button", name="Tallenna", exact=True).click()
    coordinator.wait_for_url(re.compile(r".*/needs/\d+"))
    need_url = coordinator.url
    assert coordinator.title() == "Varastotyöntekijä – Kohtaamo"
    assert "Käynti ja uusi piilotyöpaikka kirjattiin." in coordinator.content()

    # Ranked candidates with their explanation; propose the client.
    candidate = coordinator.locator("li.candidate", has_text="Hakija-JOURNEY")
    assert "varastoida tuotteita" in candidate.inner_text()
    candidate.locator("summary").click()
    assert "Osuvat taidot" in candidate.inner_text()
    assert fits_the_screen(coordinator)
    screenshot(coordinator, "need-candidates")
    candidate.get_by_role("link", name="Ehdota: Hakija-JOURNEY").click()
    # The intro card as the employer will see it, then the proposal; back at the candidate.
    assert "Hakija-JOURNEY" in coordinator.locator("article.card").inner_text()
    assert "Maija" not in coordinator.locator("article.card").inner_text()
    coordinator.get_by_role("button", name="Lähetä ehdotus").click()
    coordinator.wait_for_url(re.compile(rf"{need_url}\?proposed=\d+#candidate-{client_id}"))
    assert "Ehdokas ehdotettiin ja esittelykortti lähetettiin." in coordinator.content()

    coordinator.goto(f"{base}/indicators")
    before = wage_subsidised_starts(coordinator)

    # The employer sees the pseudonymous card and answers.
    employer = new_context().new_page()
    sign_in_page(employer, base, Role.EMPLOYER)
    employer.goto(f"{base}/cards")
    employer.get_by_role("link", name=re.compile("Hakija-JOURNEY")).click()
    card_text = employer.content()
    assert "Esittelykortti: Hakija-JOURNEY" in card_text
    assert "Maija" not in card_text and "040 123 4567" not in card_text
    screenshot(employer, "intro-card")
    employer.get_by_role("button", name="Kiinnostunut").click()
    employer.wait_for_url(re.compile(r".*/cards/\d+"))
    assert "Kiitos, vastauksesi lähetettiin." in employer.content()
    assert "Maija" not in employer.content()
    card_url = employer.url

    # The caseworker records the client's consent to disclose their identity to this employer.
    caseworker = new_context().new_page()
    sign_in_page(caseworker, base, Role.CASEWORKER)
    assert "Maija Meikäläinen" in caseworker.content()
    caseworker.get_by_role("link", name="Maija Meikäläinen").click()
    screenshot(caseworker, "client-profile")
    caseworker.get_by_label("Asiakas suostui siihen, että").select_option("disclose_identity")
    caseworker.get_by_label("Kenelle").select_option(label="a Logistiikka Oy")
    caseworker.get_by_role("button", name="Kirjaa suostumus").click()
    caseworker.wait_for_url(re.compile(rf".*/clients/{client_id}#consents"))
    assert "Suostumus kirjattiin." in caseworker.content()

    # The employer now sees who the candidate is.
    employer.goto(card_url)
    assert "Maija Meikäläinen" in employer.content()
    assert "maija@example.fi" in employer.content()
    screenshot(employer, "disclosed-candidate")

    # The coordinator moves the proposal to interview and confirms the placement.
    coordinator.goto(f"{base}/proposals")
    coordinator.get_by_role("link", name="Hakija-JOURNEY").click()
    coordinator.get_by_role("button", name="Haastattelu sovittu").click()
    coordinator.get_by_label("Sijoitusmuoto").select_option("pay_subsidy")
    screenshot(coordinator, "proposal")
    coordinator.get_by_role("button", name="Vahvista sijoitus").click()
    coordinator.wait_for_url(re.compile(r".*/placements/\d+"))
    assert "Sijoitus vahvistettiin." in coordinator.content()
    screenshot(coordinator, "placement")

    coordinator.goto(f"{base}/indicators")
    after = wage_subsidised_starts(coordinator)
    assert (before, after) == ("0", "1")
    chart = coordinator.locator("img.chart").first
    chart.scroll_into_view_if_needed()
    chart.evaluate("img => img.decode()")
    assert chart.evaluate("img => img.naturalWidth") > 0
    screenshot(coordinator, "indicators")
    with connect(db) as conn:
        row = conn.execute("SELECT count(*) AS n FROM placements").fetchone()
    assert row == {"n": 1}
    # Every page of the journey, htmx's searches and suggestions included, kept within the policy.
    assert csp_violations == []


def test_role_boundaries_hold_against_typed_addresses(
    live_server: str,
    new_context: Callable[[], BrowserContext],
    world: AreaWorld,
    other_world: AreaWorld,
    db: str,
) -> None:
    with connect(db) as conn:
        other = conn.execute(
            "INSERT INTO employers (area_id, business_id, name, municipality)"
            " VALUES (%s, '1572860-0', 'Kilpailija Oy', 'Turku') RETURNING id",
            (world.area_id,),
        ).fetchone()
        assert other is not None
        need = conn.execute(
            "INSERT INTO needs (area_id, employer_id, title, municipality)"
            " VALUES (%s, %s, 'Kilpailijan tarve', 'Turku') RETURNING id",
            (world.area_id, other["id"]),
        ).fetchone()
        conn.commit()
    assert need is not None
    admin = new_context().new_page()
    sign_in_page(admin, live_server, Role.ADMIN)
    admin.goto(f"{live_server}/admin/users")
    assert "coordinator@a.example" in admin.content()
    screenshot(admin, "admin-users")
    page = new_context().new_page()
    sign_in_page(page, live_server, Role.EMPLOYER)
    screenshot(page, "employer-own-needs")
    response = page.goto(f"{live_server}/needs/{need['id']}")
    assert response is not None and response.status == 404
    assert "Sivua ei löytynyt" in page.content() and "Kilpailijan tarve" not in page.content()
    screenshot(page, "not-found")
    response = page.goto(f"{live_server}/employers/{other['id']}")
    assert response is not None and response.status == 403
    response = page.goto(f"{live_server}/employers/{other_world.employer_id}")
    assert response is not None and response.status == 403
    # A coordinator of the other area cannot open this area's employer either.
    other_page = new_context().new_page()
    sign_in_page(other_page, live_server, Role.COORDINATOR, "b")
    response = other_page.goto(f"{live_server}/employers/{world.employer_id}")
    assert response is not None and response.status == 404
    assert "a Logistiikka Oy" not in other_page.content()
