"""Long words in a real browser: an employer whose contact person has a long e-mail address does not
widen a phone's page past its screen, and a business id or a pseudonym in a list stays on one line
rather than breaking at its hyphen when the columns are tight."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from psycopg.types.json import Jsonb

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.foundation.test_authorization_matrix import add_proposal, make_objects
from tests.web.conftest import screenshot, sign_in_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser as PwBrowser
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

LONG_MAIL = "henkilostopaallikko.tuomas.tuominen@naantalinsatamahuolintajalogistiikka.example"


def lines_of(page: Page, selector: str) -> int:
    """How many lines the first text of the first element matching ``selector`` takes."""
    return int(
        page.evaluate(
            """(selector) => { const cell = document.querySelector(selector);
            const text = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT).nextNode();
            const range = document.createRange(); range.selectNodeContents(text);
            return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }""",
            selector,
        )
    )


def test_a_long_address_stays_on_a_phones_screen_and_ids_stay_on_one_line(
    live_server: str, chromium: PwBrowser, world: AreaWorld, db: str
) -> None:
    coordinator = world.user_ids[Role.COORDINATOR]
    with connect(db) as conn:
        objects = make_objects(
            conn, world.area_id, world.user_ids[Role.CASEWORKER], "Pitkat", 91, announce=False
        )
        objects = add_proposal(conn, objects, coordinator, "placed")
        conn.execute(
            "UPDATE employers SET name = %s, sector = 'N', responsible_coordinator = %s,"
            " contact_persons = %s WHERE id = %s",
            (
                "Naantalin Satamahuolinta ja Logistiikkapalvelut Oy",
                coordinator,
                Jsonb([{"name": "Tuomas Tuominen", "title": "henkilöstöpäällikkö", "email": LONG_MAIL}]),
                objects.employer_id,
            ),
        )
        conn.execute(
            "UPDATE employers SET responsible_coordinator = %s WHERE area_id = %s",
            (coordinator, world.area_id),
        )
        conn.commit()

    phone = chromium.new_context(viewport={"width": 360, "height": 740}, locale="fi-FI")
    page = phone.new_page()
    sign_in_page(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server}/employers/{objects.employer_id}")
    assert page.get_by_role("link", name=LONG_MAIL).is_visible()
    screenshot(page, "phone-long-address")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    phone.close()

    narrow = chromium.new_context(viewport={"width": 700, "height": 800}, locale="fi-FI")
    page = narrow.new_page()
    sign_in_page(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server}/employers")
    assert page.get_by_role("cell", name=objects.business_id).is_visible()
    assert lines_of(page, "tbody tr td:nth-child(2)") == 1
    page.goto(f"{live_server}/placements")
    assert page.get_by_role("link", name=objects.pseudonym).is_visible()
    assert lines_of(page, "tbody tr td:nth-child(1)") == 1
    page.goto(f"{live_server}/proposals")
    assert lines_of(page, "tbody tr td:nth-child(1)") == 1
    narrow.close()
