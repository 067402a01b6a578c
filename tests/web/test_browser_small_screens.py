"""Small screens and print in a real browser: at 360 px the header folds into a menu (with and without
JavaScript, by keyboard) and the main content starts in the first screen; every target is at least 24 px;
intro cards, employer cards and placements print without the menu and buttons; axe-core's WCAG 2.1 AA
rules hold on these pages and on the account pages, at a phone's width and a desktop's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.foundation.test_authorization_matrix import add_proposal, make_objects
from tests.web.accessibility import axe_violations, main_top, small_targets, target_count
from tests.web.conftest import screenshot, sign_in_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser as PwBrowser
    from playwright.sync_api import BrowserContext

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


@dataclass(frozen=True)
class Records:
    employer_id: int
    proposal_id: int
    placement_id: int


@pytest.fixture
def records(world: AreaWorld, db: str) -> Records:
    """An employer with a need, a jobseeker proposed for it and placed; the area's employer user speaks
    for that employer."""
    with connect(db) as conn:
        objects = make_objects(
            conn, world.area_id, world.user_ids[Role.CASEWORKER], "Tulostus", 7, announce=False
        )
        placed = add_proposal(conn, objects, world.user_ids[Role.COORDINATOR], "placed")
        conn.execute(
            "UPDATE users SET employer_id = %s WHERE id = %s",
            (objects.employer_id, world.user_ids[Role.EMPLOYER]),
        )
        conn.commit()
    return Records(objects.employer_id, placed.proposal_id, placed.placement_id)


def pages_of(records: Records, world: AreaWorld) -> dict[Role, list[str]]:
    """The key pages of each role, the changed ones among them."""
    return {
        Role.COORDINATOR: [
            "/",
            "/employers",
            f"/employers/{records.employer_id}",
            "/needs",
            f"/proposals/{records.proposal_id}",
            f"/placements/{records.placement_id}",
            "/account/password",
        ],
        Role.EMPLOYER: ["/", f"/cards/{records.proposal_id}", f"/placements/{records.placement_id}"],
        Role.ADMIN: ["/admin/users", f"/admin/users/{world.user_ids[Role.COORDINATOR]}", "/account/password"],
    }


def context_at(chromium: PwBrowser, viewport: dict[str, int], javascript: bool = True) -> BrowserContext:
    ctx = chromium.new_context(viewport=viewport, locale="fi-FI", java_script_enabled=javascript)  # type: ignore[arg-type]
    ctx.set_default_timeout(10_000)
    return ctx


def test_the_header_folds_into_a_menu_on_a_phone_and_opens_by_keyboard(
    live_server: str, chromium: PwBrowser, world: AreaWorld
) -> None:
    ctx = context_at(chromium, PHONE)
    page = ctx.new_page()
    sign_in_page(page, live_server, Role.COORDINATOR)
    employers = page.get_by_role("link", name="Työnantajat", exact=True)
    assert not employers.is_visible()
    assert main_top(page) < PHONE["height"] / 4  # the content starts high in the first screen
    # Skip link, brand, then the menu button: Enter opens it, and the links follow in the tab order.
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    screenshot(page, "phone-menu-closed")
    page.keyboard.press("Enter")
    assert employers.is_visible()
    screenshot(page, "phone-menu-open")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Työnantajat"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/employers")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    ctx.close()

    wide = context_at(chromium, DESKTOP).new_page()
    sign_in_page(wide, live_server, Role.COORDINATOR)
    assert wide.get_by_role("link", name="Työnantajat", exact=True).is_visible()
    assert not wide.locator("summary", has_text="Valikko").is_visible()
    screenshot(wide, "desktop-header")
    wide.context.close()


def test_the_menu_opens_without_javascript(live_server: str, chromium: PwBrowser, world: AreaWorld) -> None:
    ctx = context_at(chromium, PHONE, javascript=False)
    page = ctx.new_page()
    sign_in_page(page, live_server, Role.ADMIN)
    users = page.get_by_role("link", name="Käyttäjät", exact=True)
    assert not users.is_visible()
    page.locator("summary", has_text="Valikko").click()
    assert users.is_visible()
    users.click()
    page.wait_for_url(f"{live_server}/admin/users")
    ctx.close()


def test_every_target_is_at_least_24_px_and_main_starts_in_the_first_screen(
    live_server: str, chromium: PwBrowser, world: AreaWorld, records: Records
) -> None:
    too_small: list[str] = []
    measured = 0
    for role, paths in pages_of(records, world).items():
        ctx = context_at(chromium, PHONE)
        page = ctx.new_page()
        sign_in_page(page, live_server, role)
        for path in paths:
            page.goto(f"{live_server}{path}")
            assert main_top(page) < PHONE["height"], f"{path}: the main content starts below the first screen"
            page.locator("summary", has_text="Valikko").click()  # the menu's links are measured too
            measured += target_count(page)
            too_small += [f"{role.value} {path}: {t}" for t in small_targets(page)]
        ctx.close()
    login = context_at(chromium, PHONE).new_page()
    login.goto(f"{live_server}/login")
    login.locator("summary", has_text="Valikko").click()
    measured += target_count(login)
    too_small += [f"/login: {t}" for t in small_targets(login)]
    login.context.close()
    assert measured > 100
    assert too_small == [], "\n".join(too_small)


def test_cards_and_placements_print_without_the_menu_and_buttons(
    live_server: str, chromium: PwBrowser, world: AreaWorld, records: Records
) -> None:
    printed = {
        Role.EMPLOYER: [f"/cards/{records.proposal_id}"],
        Role.COORDINATOR: [f"/employers/{records.employer_id}", f"/placements/{records.placement_id}"],
    }
    for role, paths in printed.items():
        ctx = context_at(chromium, DESKTOP)
        page = ctx.new_page()
        sign_in_page(page, live_server, role)
        for path in paths:
            page.goto(f"{live_server}{path}")
            assert page.locator("header.top").is_visible()
            page.emulate_media(media="print")
            assert not page.locator("header.top").is_visible(), path
            assert page.locator("main h1").is_visible(), path
            assert page.locator("main button:visible, main form:visible").count() == 0, path
            colours = page.evaluate(
                "[getComputedStyle(document.querySelector('main h1')).color,"
                " getComputedStyle(document.body).backgroundColor]"
            )
            assert colours[0] == "rgb(0, 0, 0)" and colours[1] in (
                "rgb(255, 255, 255)",
                "rgba(0, 0, 0, 0)",
            ), colours
            pdf = page.pdf(format="A4")
            assert pdf.startswith(b"%PDF") and len(pdf) > 1000, path
            page.emulate_media(media="screen")
        ctx.close()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_axe_finds_no_wcag_21_aa_violation_on_the_changed_pages(
    live_server: str,
    chromium: PwBrowser,
    world: AreaWorld,
    records: Records,
    db: str,
    viewport: dict[str, int],
) -> None:
    found: list[str] = []
    for role, paths in pages_of(records, world).items():
        ctx = context_at(chromium, viewport)
        page = ctx.new_page()
        sign_in_page(page, live_server, role)
        for path in paths:
            page.goto(f"{live_server}{path}")
            found += [f"{role.value} {path}: {v}" for v in axe_violations(page)]
            if viewport is PHONE:
                page.locator("summary", has_text="Valikko").click()
                found += [f"{role.value} {path} (menu open): {v}" for v in axe_violations(page)]
        if role is Role.ADMIN:
            # The user page with a reset link shown, and a form with its errors.
            page.goto(f"{live_server}/admin/users/{world.user_ids[Role.COORDINATOR]}")
            page.get_by_role("button", name="Luo salasanalinkki").click()
            assert page.locator("#reset-url").is_visible()
            screenshot(page, f"user-reset-link-{viewport['width']}")
            found += [f"reset link shown: {v}" for v in axe_violations(page)]
            link = page.locator("#reset-url").input_value()
            page.goto(f"{live_server}/account/password")
            page.get_by_role("button", name="Vaihda salasana").click()
            assert page.locator("#error-summary").is_visible()
            found += [f"password errors: {v}" for v in axe_violations(page)]
            reset = context_at(chromium, viewport).new_page()
            reset.goto(link)
            assert reset.locator("#f-new_password").is_visible()
            found += [f"reset page: {v}" for v in axe_violations(reset)]
            reset.goto(f"{live_server}/login")
            found += [f"login: {v}" for v in axe_violations(reset)]
            reset.context.close()
        ctx.close()
    assert found == []


def test_no_new_page_breaks_the_content_security_policy(
    live_server: str, new_context: Callable[[], BrowserContext], world: AreaWorld, csp_violations: list[str]
) -> None:
    page = new_context().new_page()
    sign_in_page(page, live_server, Role.ADMIN)
    for path in ("/admin/users", f"/admin/users/{world.user_ids[Role.CASEWORKER]}", "/account/password"):
        page.goto(f"{live_server}{path}")
    page.emulate_media(media="print")
    assert csp_violations == []
