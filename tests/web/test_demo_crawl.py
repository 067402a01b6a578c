"""Every page a user can reach by following links answers without a server error, on the demo's own data
and on an area whose records leave every optional field empty.

Hand-made fixtures fill every field; the demo's records do not (its contact persons have no phone, most
needs no start date…). This walks the pages as each role sees them, so a template that treats an optional
field as present fails here.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from fastapi.testclient import TestClient
from psycopg.types.json import Jsonb

from accounts.models import Role
from core import clock
from core.db import connect
from demo.load import DEMO_PASSWORD, DEMO_USERS, load_demo
from matching.follower import embed_stale_and_load
from notifications.reminders import remind_due
from notifications.schemas import NoticeKind
from placements.cards import build_card
from tests.conftest import AreaWorld
from tests.placements.conftest import insert_placement
from tests.web.conftest import Browser, email
from web import labels

HREF = re.compile(r'href="([^"#][^"]*)"')
NOT_PAGES = ("/static/", "/api/", "/docs", "/redoc", "/openapi.json", "/logout")
PER_SHAPE = 4
"""Addresses visited per shape (ids replaced): enough to meet records of several kinds, few enough to be
quick. The demo's records differ in which optional fields they fill."""


EXPLAINED = {"score": 0.5, "explanation": "Sopii tehtävään.", "constraints": [], "components": {}}
"""What a proposal freezes of its ranking, at its barest."""


def _shape(path: str) -> str:
    return re.sub(r"\d+", "{id}", urlsplit(path).path)


def crawl(browser: Browser, start: str = "/", limit: int = 200) -> dict[str, int]:
    """Follow same-site links breadth first from ``start``; the status of every address visited."""
    seen: dict[str, int] = {}
    shapes: Counter[str] = Counter()
    queue = deque([start])
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        response = browser.get(url)
        seen[url] = response.status_code
        if response.status_code in (301, 302, 303, 307) and "location" in response.headers:
            queue.append(response.headers["location"])
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for raw in HREF.findall(response.text):
            link = urldefrag(raw.replace("&amp;", "&")).url
            if not link.startswith("/") or link.startswith("//") or link.startswith(NOT_PAGES):
                continue
            if link in seen or shapes[_shape(link)] >= PER_SHAPE:
                continue
            shapes[_shape(link)] += 1
            queue.append(link)
    return seen


def _failures(seen: dict[str, int]) -> list[str]:
    return [f"{status} {url}" for url, status in seen.items() if status >= 500]


@pytest.fixture
def demo_client(client: TestClient, db: str) -> TestClient:
    """The application over the demo area, embedded with the test embedder and loaded into the index."""
    with connect(db) as conn:
        load_demo(conn, progress=False)
        conn.commit()
        remind_due(conn, clock.today())  # the demo's due contacts as the inbox shows them
        conn.commit()
        embed_stale_and_load(conn, client.app.state.engine)  # type: ignore[attr-defined]
    return client


def test_no_page_a_demo_user_reaches_fails(demo_client: TestClient) -> None:
    failures: dict[Role, list[str]] = {}
    for user in DEMO_USERS:  # one test for all roles: loading the demo is most of its time
        demo_client.cookies.clear()
        browser = Browser(demo_client)
        assert browser.sign_in(user.email, DEMO_PASSWORD).status_code == 303
        seen = crawl(browser)
        assert len(seen) > 5, (user.role, seen)  # the walk reached beyond the front page
        assert {"/inbox", "/inbox/preferences"} <= set(seen), user.role
        failures[user.role] = _failures(seen)

    assert failures == {user.role: [] for user in DEMO_USERS}


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_no_page_fails_on_records_with_only_their_required_fields(
    client: TestClient, db: str, world: AreaWorld, role: Role
) -> None:
    with connect(db) as conn:
        need = conn.execute(
            "INSERT INTO needs (area_id, employer_id, title, municipality)"
            " VALUES (%s, %s, 'Apulainen', 'Turku') RETURNING id",
            (world.area_id, world.employer_id),
        ).fetchone()
        conn.execute(  # a contact person needs only a name
            "INSERT INTO employers (area_id, business_id, name, municipality, contact_persons)"
            " VALUES (%s, '2331972-7', 'Pieni Oy', 'Lieto', '[{\"name\": \"Maija\"}]')",
            (world.area_id,),
        )
        placed = conn.execute(
            "INSERT INTO jobseekers (area_id, pseudonym, municipality, caseworker_id)"
            " VALUES (%s, 'AS-MINIMI', 'Turku', %s) RETURNING id",
            (world.area_id, world.user_ids[Role.CASEWORKER]),
        ).fetchone()
        assert need is not None and placed is not None
        # A carved job of that need and a task of its own, and an open task: only the required fields.
        conn.execute(
            "INSERT INTO carved_jobs (need_id, area_id) VALUES (%s, %s)", (need["id"], world.area_id)
        )
        conn.execute(
            "INSERT INTO carving_tasks"
            " (area_id, employer_id, title, hours_per_week, municipality, status, need_id)"
            " VALUES (%s, %s, 'Tiskit', 5, 'Turku', 'bundled', %s),"
            " (%s, %s, 'Siivous', 5, 'Turku', 'open', NULL)",
            (world.area_id, world.employer_id, need["id"], world.area_id, world.employer_id),
        )
        # The card as the product builds it from a bare profile (the fixture card has too few keys).
        profile = conn.execute("SELECT * FROM jobseekers WHERE id = %s", (placed["id"],)).fetchone()
        card = build_card(
            {**(profile or {}), "certificates": []}, {**need, "title": "Apulainen"}, [], clock.today()
        )
        insert_placement(
            conn,
            world,
            need["id"],
            placed["id"],
            "work_trial",
            clock.today(),
            card=Jsonb(card),
            explanation=Jsonb(EXPLAINED),
        )
        for kind in NoticeKind:  # a notice of every kind that names nothing but its kind
            conn.execute(
                "INSERT INTO notifications (area_id, user_id, kind, subject_key, link)"
                " VALUES (%s, %s, %s, 'bare', '/')",
                (world.area_id, world.user_ids[role], kind.value),
            )
        conn.commit()
        embed_stale_and_load(conn, client.app.state.engine)  # type: ignore[attr-defined]
    client.cookies.clear()
    browser = Browser(client)

    assert browser.sign_in(email(role)).status_code == 303
    seen = crawl(browser)
    # Reached by a form, not a link: the step that asks before a need is closed.
    seen[f"/needs/{need['id']}/close"] = browser.get(f"/needs/{need['id']}/close").status_code
    # Reached by a filter form: every placement status and the other list filters, over bare records.
    for url in (
        *(f"/placements?status={status}&start_from=2000-01-01" for status in labels.PLACEMENT_STATUS),
        "/placements?municipality=Turku&owner=me",
        "/proposals?municipality=Turku&owner=me&proposed_from=2000-01-01",
        "/employers?partnership_status=none&created_from=2000-01-01",
    ):
        seen[url] = browser.get(url).status_code
    assert seen["/placements?status=active&start_from=2000-01-01"] == 200

    assert _failures(seen) == []
    assert len(seen) > 3, seen
    # The account pages are reached through the header (every role) and the list of users (admins).
    assert seen.get("/account/password") == 200
    if role is Role.ADMIN:
        users = [url for url in seen if _shape(url) == "/admin/users/{id}"]
        assert users and all(seen[url] == 200 for url in users), seen
    assert seen["/inbox"] == 200
