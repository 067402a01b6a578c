"""Employer contacts post and manage their own needs; administrators manage the area's users."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from core.sql import insert_row
from tests.conftest import AreaWorld
from tests.web.conftest import Browser, SignIn, statements_run


def post_need(browser: Browser, title: str = "Kesätyöntekijä puistoon") -> str:
    saved = browser.post(
        "/needs/new",
        {"title": title, "description": "Puistotöitä kesällä.", "hours_per_week": "37,5", "positions": "3"},
        csrf_from="/needs/new",
    )
    assert saved.status_code == 303, saved.text
    assert re.fullmatch(r"/needs/\d+", saved.headers["location"])
    return str(saved.headers["location"])


def test_employer_posts_edits_and_closes_an_own_need(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    browser = signed_in(Role.EMPLOYER)
    assert "Et ole vielä ilmoittanut tarpeita" in browser.get("/").text
    location = post_need(browser)
    page = browser.get(location)
    assert "Kesätyöntekijä puistoon" in page.text and "37,5" in page.text
    assert "Ehdokkaat paremmuusjärjestyksessä" not in page.text
    edit = browser.get(f"{location}/edit")
    assert 'value="Kesätyöntekijä puistoon"' in edit.text
    saved = browser.post(
        f"{location}/edit",
        {"title": "Puistotyöntekijä", "municipality": "Turku", "positions": "2", "version": "1"},
        csrf_from=f"{location}/edit",
    )
    assert saved.status_code == 303, saved.text
    stale = browser.post(
        f"{location}/edit",
        {"title": "Vanha", "municipality": "Turku", "positions": "2", "version": "1"},
        csrf_from=f"{location}/edit",
    )
    assert stale.status_code == 412
    assert "Joku muu ehti muuttaa" in stale.text
    closed = browser.post(f"{location}/close", {"status": "filled", "version": "2"}, csrf_from=location)
    assert closed.status_code == 303
    with connect(db) as conn:
        need = conn.execute("SELECT title, status, employer_id FROM needs").fetchone()
    assert need == {"title": "Puistotyöntekijä", "status": "filled", "employer_id": world.employer_id}
    assert "Puistotyöntekijä" in browser.get("/").text


def test_an_employer_cannot_open_another_employers_need_by_address(
    signed_in: SignIn, world: AreaWorld, db: str
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
            " VALUES (%s, %s, 'Salainen', 'Turku') RETURNING id",
            (world.area_id, other["id"]),
        ).fetchone()
        conn.commit()
    assert need is not None
    browser = signed_in(Role.EMPLOYER)
    for url in (f"/needs/{need['id']}", f"/needs/{need['id']}/edit"):
        response = browser.get(url)
        assert response.status_code == 404
        assert "Salainen" not in response.text
    forged = browser.post(f"/needs/{need['id']}/close", {"status": "cancelled", "version": "1"})
    assert forged.status_code == 404


def test_an_employers_front_page_lists_every_open_need_however_old_then_the_latest_closed(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    """One open need posted long ago and 105 closed since (no description, hours or dates: the optional
    fields empty): the open one stays on the front page, with the ten latest closed ones, and a link
    leads to all 106."""
    start = datetime(2024, 1, 1, 9, tzinfo=UTC)
    with connect(db) as conn:
        base = {"area_id": world.area_id, "employer_id": world.employer_id, "municipality": "Turku"}
        insert_row(conn, "needs", {**base, "title": "Vanha avoin tarve", "created_at": start})
        for i in range(105):
            status = ("filled", "cancelled", "expired")[i % 3]
            when = start + timedelta(days=1 + i)
            insert_row(
                conn, "needs", {**base, "title": f"Suljettu-{i:03}", "status": status, "created_at": when}
            )
        conn.commit()
    browser = signed_in(Role.EMPLOYER)

    page = browser.get("/").text
    titles = re.findall(r">(Vanha avoin tarve|Suljettu-\d{3})</a>", page)
    assert titles == ["Vanha avoin tarve", *(f"Suljettu-{i:03}" for i in range(104, 94, -1))]
    assert 'href="/needs?status="' in page and "Näytä kaikki tarpeemme (106)" in page
    every = browser.get("/needs?status=")
    assert every.status_code == 200 and "1–" in every.text and "/ 106" in every.text


def test_an_employer_with_few_needs_sees_them_all_and_no_link_to_more(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.EMPLOYER)
    post_need(browser, "Ainoa tarve")
    page = browser.get("/").text
    assert "Ainoa tarve" in page and "Näytä kaikki tarpeemme" not in page


def _needs(db: str, world: AreaWorld, prefix: str, count: int, since: datetime, **fields: Any) -> None:
    """``count`` needs of the world's employer, one a day from ``since`` (optional fields empty)."""
    with connect(db) as conn:
        base = {"area_id": world.area_id, "employer_id": world.employer_id, "municipality": "Turku"}
        for i in range(count):
            when = since + timedelta(days=i)
            insert_row(conn, "needs", {**base, "title": f"{prefix}-{i:03}", "created_at": when, **fields})
        conn.commit()


def test_many_open_needs_leave_room_on_the_front_page_for_the_latest_closed_ones(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    """105 open needs, all newer than the 12 filled ones: the 100 newest open ones are listed, then the
    ten latest filled ones (not pushed out by the open ones), and the link counts all 117; an archived
    need is neither listed nor counted."""
    start = datetime(2024, 1, 1, 9, tzinfo=UTC)
    _needs(db, world, "Täytetty", 12, start, status="filled")
    _needs(db, world, "Avoin", 105, start + timedelta(days=100))
    _needs(db, world, "Arkistoitu", 1, start + timedelta(days=400), archived=True)
    browser = signed_in(Role.EMPLOYER)

    page = browser.get("/").text
    titles = re.findall(r">((?:Avoin|Täytetty|Arkistoitu)-\d{3})</a>", page)
    assert titles == [
        *(f"Avoin-{i:03}" for i in range(104, 4, -1)),
        *(f"Täytetty-{i:03}" for i in range(11, 1, -1)),
    ]
    assert "Näytä kaikki tarpeemme (117)" in page


def test_the_employers_front_page_reads_the_needs_once(
    client: TestClient, signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    """The open needs and the closed ones, and how many there are, come from one statement; the
    employer's optional fields (kind, coordinator, industry, contact persons) are empty."""
    start = datetime(2025, 1, 1, 9, tzinfo=UTC)
    _needs(db, world, "Suljettu", 3, start, status="cancelled")
    _needs(db, world, "Avoin", 2, start + timedelta(days=10))
    browser = signed_in(Role.EMPLOYER)

    with statements_run(client) as statements:
        page = browser.get("/")
    assert page.status_code == 200
    assert re.findall(r">((?:Avoin|Suljettu)-\d{3})</a>", page.text) == [
        "Avoin-001",
        "Avoin-000",
        "Suljettu-002",
        "Suljettu-001",
        "Suljettu-000",
    ]
    assert "Teille ei ole vielä nimetty koordinaattoria." in page.text
    assert sum(1 for s in statements if re.search(r"\bFROM \"?needs\b", s)) == 1, statements


def test_admin_lists_and_creates_users_with_errors_in_the_users_language(signed_in: SignIn, db: str) -> None:
    browser = signed_in(Role.ADMIN)
    listing = browser.get("/admin/users")
    assert "coordinator@a.example" in listing.text
    browser.client.cookies.set("kohtaamo_lang", "en")
    bad = browser.post(
        "/admin/users",
        {"display_name": "Uusi", "email": "uusi", "role": "employer", "password": "lyhyt"},
        csrf_from="/admin/users",
    )
    assert bad.status_code == 422
    assert "An employer contact needs an employer." in bad.text
    assert "The password needs at least 8 characters." in bad.text
    assert 'value="lyhyt"' not in bad.text
    made = browser.post(
        "/admin/users",
        {
            "display_name": "Uusi Koordinaattori",
            "email": "uusi@a.example",
            "role": "coordinator",
            "password": "pitkä-salasana",
        },
        csrf_from="/admin/users",
    )
    assert made.status_code == 303
    assert "uusi@a.example" in browser.get("/admin/users").text
    again = browser.post(
        "/admin/users",
        {
            "display_name": "Toinen",
            "email": "uusi@a.example",
            "role": "coordinator",
            "password": "pitkä-salasana",
        },
        csrf_from="/admin/users",
    )
    assert again.status_code == 409
    assert "A user with this email already exists." in again.text


def test_only_admins_manage_users(signed_in: SignIn) -> None:
    browser = signed_in(Role.COORDINATOR)
    assert browser.get("/admin/users").status_code == 403


def test_an_employers_need_pages_lead_back_to_the_front_page_where_their_needs_are(
    signed_in: SignIn, world: AreaWorld
) -> None:
    browser = signed_in(Role.EMPLOYER)
    back = '<p class="crumbs"><a href="/">Omat tarpeet</a>'
    assert back in browser.get("/needs/new").text
    location = post_need(browser, "Kausityöntekijä")
    assert back in browser.get(location).text
    assert '<a href="/needs">' not in browser.get(location).text  # the menu has no needs list for them
    browser.post("/logout", {})
    coordinator = signed_in(Role.COORDINATOR)
    assert '<p class="crumbs"><a href="/needs">Tarpeet</a>' in coordinator.get(location).text
    assert '<p class="crumbs"><a href="/needs">Tarpeet</a>' in coordinator.get("/needs/new").text
