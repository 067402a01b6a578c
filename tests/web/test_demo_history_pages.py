"""The pages the demo's year of history shows: the indicator page and its month-by-month charts drawn from
twelve months of figures, the demo employer's intro cards and the demo caseworker's clients."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from demo.load import DEMO_PASSWORD, DEMO_USERS, load_demo
from matching.follower import embed_stale_and_load
from tests.demo.test_demo_history import BONUS
from tests.web.conftest import Browser

CHART = re.compile(r'src="(/indicators/[a-z_]+/chart\.svg\?[^"]*)"')


@pytest.fixture
def demo(client: TestClient, db: str) -> TestClient:
    with connect(db) as conn:
        load_demo(conn, progress=False)
        conn.commit()
        embed_stale_and_load(conn, client.app.state.engine)  # type: ignore[attr-defined]
    return client


def _signed_in(client: TestClient, role: Role) -> Browser:
    client.cookies.clear()
    browser = Browser(client)
    user = next(u for u in DEMO_USERS if u.role is role)
    assert browser.sign_in(user.email, DEMO_PASSWORD).status_code == 303
    return browser


def test_the_demo_indicator_page_draws_a_year_of_every_bonus_indicator(demo: TestClient) -> None:
    browser = _signed_in(demo, Role.COORDINATOR)
    page = browser.get("/indicators?by=month")
    assert page.status_code == 200
    # The weighted score has no "of" counts: a dash, not "None / None".
    assert "None" not in page.text
    charts = {url.split("/")[2]: url.replace("&amp;", "&") for url in CHART.findall(page.text)}
    assert set(BONUS) <= set(charts)
    for name in BONUS:
        drawn = browser.get(charts[name])
        assert drawn.status_code == 200, name
        assert drawn.headers["content-type"].startswith("image/svg+xml")
        assert "<polyline" in drawn.text, name  # a line of figures, not "no data yet"
        assert drawn.text.count("<circle") + drawn.text.count("<polyline") >= 1
    png = browser.get(charts["bonus_score"].replace("chart.svg", "chart.png"))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")


def test_the_demo_employer_sees_cards_and_the_caseworker_a_client_history(demo: TestClient) -> None:
    employer = _signed_in(demo, Role.EMPLOYER)
    cards = employer.get("/cards")
    assert cards.status_code == 200
    assert len(set(re.findall(r'href="/cards/(\d+)"', cards.text))) >= 3
    caseworker = _signed_in(demo, Role.CASEWORKER)
    clients = caseworker.get("/clients")
    assert clients.status_code == 200
    placed = re.findall(r'href="/clients/(\d+)"', clients.text)
    assert placed
    assert all(caseworker.get(f"/clients/{c}").status_code == 200 for c in placed[:5])
