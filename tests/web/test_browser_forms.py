"""Forms in a real browser: field errors that keep what was typed, double clicks, expired sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.web.conftest import screenshot, sign_in_page

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser


def test_visit_form_errors_keep_input_and_a_double_click_saves_once(
    live_server: str, context: BrowserContext, world: AreaWorld, db: str, csp_violations: list[str]
) -> None:
    page = context.new_page()
    sign_in_page(page, live_server, Role.COORDINATOR)
    page.goto(f"{live_server}/employers/{world.employer_id}/visit")
    page.get_by_label("Mitä saatiin selville").fill("Tarvitsevat keräilijöitä aamuun.")
    page.locator("summary", has_text="Käynnillä löytyi tarve").click()
    page.get_by_label("Otsikko").fill("Keräilijä")
    page.get_by_label("Tunteja viikossa").fill("kolmekymmentä")
    page.get_by_role("button", name="Tallenna").click()
    # The form comes back with the error on the field, in Finnish, and what was typed is still there.
    error = page.locator("#hours_per_week-error")
    assert error.inner_text() == "Kirjoita luku."
    assert page.get_by_label("Tunteja viikossa").input_value() == "kolmekymmentä"
    assert page.get_by_label("Mitä saatiin selville").input_value() == "Tarvitsevat keräilijöitä aamuun."
    assert page.evaluate("document.activeElement.id") == "error-summary"
    screenshot(page, "visit-form-errors")
    page.get_by_label("Tunteja viikossa").fill("37,5")
    page.get_by_role("button", name="Tallenna").dblclick()
    page.wait_for_url(f"{live_server}/needs/*")
    with connect(db) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM contacts) AS c, (SELECT count(*) FROM needs) AS n,"
            " (SELECT hours_per_week FROM needs LIMIT 1) AS h"
        ).fetchone()
    assert row is not None and (row["c"], row["n"], float(row["h"])) == (1, 1, 37.5)
    assert "37,5" in page.content()
    assert csp_violations == []


def test_an_expired_session_returns_to_sign_in_and_back_to_the_page(
    live_server: str, context: BrowserContext, world: AreaWorld, db: str
) -> None:
    page = context.new_page()
    sign_in_page(page, live_server, Role.COORDINATOR)
    with connect(db) as conn:
        conn.execute("UPDATE web_sessions SET expires_at = now() - interval '1 second'")
        conn.commit()
    page.goto(f"{live_server}/employers?q=logisti")
    assert page.url.startswith(f"{live_server}/login")
    assert "Istuntosi on päättynyt" in page.content()
    page.get_by_label("Sähköposti").fill("coordinator@a.example")
    page.get_by_label("Salasana").fill("salasana-123")
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url(f"{live_server}/employers?q=logisti")
    assert "a Logistiikka Oy" in page.content()
