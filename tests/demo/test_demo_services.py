"""The demo area's actor map, employer kinds and a year of referrals: every new concept of services
beyond placements appears, and the bonus indicators that referrals feed have figures over the year."""

from __future__ import annotations

from datetime import timedelta

from accounts.models import operator
from core import clock
from core.db import Conn
from demo.load import load_demo
from placements import indicators
from services import providers


def test_the_demo_has_an_actor_map_referrals_with_outcomes_and_bonus_figures(conn: Conn) -> None:
    report = load_demo(conn, progress=False)
    conn.commit()
    area = report.area_id
    kinds = {p["kind"] for p in providers.list_providers(conn, operator(area))[0]}
    assert kinds == {"te_office", "kela", "typ", "municipality", "school", "association", "private"}
    employer_kinds = {r["kind"] for r in conn.execute("SELECT DISTINCT kind FROM employers").fetchall()}
    assert employer_kinds == {"firm", "public_body", "third_sector"}
    referrals = conn.execute(
        "SELECT service, starts_on, ends_on, outcome FROM referrals WHERE area_id = %s", (area,)
    ).fetchall()
    today = clock.today()
    assert len(referrals) >= 20
    assert min(r["starts_on"] for r in referrals) <= today - timedelta(days=300)
    assert any(r["ends_on"] is None for r in referrals), "some services go on"
    assert {r["outcome"] for r in referrals if r["service"] == "rehabilitative_work"} >= {
        "te_services",
        "education",
        "employment",
        "no_change",
    }
    scope = indicators.Scope(
        area_id=area, area_name="demo", date_from=today - timedelta(days=365), date_to=today
    )
    figures = {
        i["name"]: i["series"][0]["value"] for i in indicators.compute(conn, scope, "area")["indicators"]
    }
    for name in (
        "activation_rate",
        "rehabilitation_transition_rate",
        "subsidised_firm_start_rate",
        "bonus_score",
    ):
        assert figures[name] is not None and 0 < figures[name] <= 1, (name, figures[name])
