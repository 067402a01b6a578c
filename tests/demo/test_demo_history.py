"""The demo area has a year behind it: every month of the last twelve has contacts, referrals, proposals
and placement starts, every placement form and service kind appears, and the bonus indicators move from
month to month. Loading again adds nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core import clock
from core.clock import add_months
from core.db import Conn
from demo.catalogue import COORDINATOR_EMAILS
from demo.load import DEMO_USERS, load_demo
from employers.schemas import EmployerKind, PlacementForm
from placements import indicators
from services.schemas import ServiceKind
from tests.interchange.conftest import counts, versions

BONUS = (
    "activation_rate",
    "rehabilitation_transition_rate",
    "subsidised_firm_start_rate",
    "bonus_score",
    "placement_start_rate",
)
HISTORY_TABLES = (
    "contacts",
    "needs",
    "proposals",
    "proposal_events",
    "placements",
    "placement_follow_ups",
    "referrals",
    "employers",
    "jobseekers",
    "consents",
)


def _by_month(conn: Conn, query: str, area_id: int) -> dict[str, int]:
    return {r["month"]: r["n"] for r in conn.execute(query, (area_id,)).fetchall()}


def _users(conn: Conn) -> dict[str, int]:
    return {r["email"]: r["id"] for r in conn.execute("SELECT id, email FROM users").fetchall()}


def test_every_month_of_the_demo_year_has_contacts_referrals_proposals_and_placement_starts(
    conn: Conn,
) -> None:
    report = load_demo(conn, progress=False)
    conn.commit()
    area = report.area_id
    today = clock.today()
    year = [label for label, _, _ in indicators.months(add_months(today.replace(day=1), -11), today)]
    assert len(year) == 12 and report.placements_made >= 40

    local = "to_char((%s AT TIME ZONE 'Europe/Helsinki')::date, 'YYYY-MM')"
    contacts = _by_month(
        conn,
        "SELECT to_char(contact_date, 'YYYY-MM') AS month, count(*) AS n FROM contacts"
        " WHERE area_id = %s GROUP BY 1",
        area,
    )
    referrals = _by_month(
        conn,
        "SELECT to_char(starts_on, 'YYYY-MM') AS month, count(*) AS n FROM referrals"
        " WHERE area_id = %s GROUP BY 1",
        area,
    )
    proposals = _by_month(
        conn,
        f"SELECT {local % 'created_at'} AS month, count(*) AS n FROM proposals WHERE area_id = %s GROUP BY 1",
        area,
    )
    starts = _by_month(
        conn,
        "SELECT to_char(start_date, 'YYYY-MM') AS month, count(*) AS n FROM placements"
        " WHERE area_id = %s GROUP BY 1",
        area,
    )
    for name, found in (
        ("contacts", contacts),
        ("referrals", referrals),
        ("proposals", proposals),
        ("starts", starts),
    ):
        assert [m for m in year if not found.get(m)] == [], name

    # Nothing of the history is dated in the future.
    future = conn.execute(
        "SELECT (SELECT count(*) FROM proposals WHERE created_at > now() OR answered_at > now())"
        " + (SELECT count(*) FROM proposal_events WHERE at > now())"
        " + (SELECT count(*) FROM placement_follow_ups WHERE recorded_at > now())"
        " + (SELECT count(*) FROM contacts WHERE created_at > now()) AS n"
    ).fetchone()
    assert future is not None and future["n"] == 0

    forms = {r["form"] for r in conn.execute("SELECT DISTINCT form FROM placements").fetchall()}
    assert forms == {f.value for f in PlacementForm}
    subsidies = conn.execute(
        "SELECT subsidy_percent, subsidy_months, decision_reference FROM placements"
        " WHERE form = 'pay_subsidy'"
    ).fetchall()
    assert all(s["subsidy_percent"] and s["subsidy_months"] and s["decision_reference"] for s in subsidies)
    optional = conn.execute(
        "SELECT count(*) FILTER (WHERE end_date IS NULL) AS open_ended,"
        " count(*) FILTER (WHERE ended_on IS NOT NULL) AS ended FROM placements"
    ).fetchone()
    assert optional is not None and optional["open_ended"] > 0 and optional["ended"] > 0
    services = {r["service"] for r in conn.execute("SELECT DISTINCT service FROM referrals").fetchall()}
    assert services == {s.value for s in ServiceKind}
    rehab = {
        r["outcome"]
        for r in conn.execute(
            "SELECT outcome FROM referrals WHERE service = 'rehabilitative_work'"
        ).fetchall()
    }
    assert rehab >= {"te_services", "education", "employment", "no_change"}
    kinds = {r["kind"] for r in conn.execute("SELECT DISTINCT kind FROM employers").fetchall()}
    assert kinds == {k.value for k in EmployerKind}
    third = conn.execute(
        "SELECT count(*) AS n FROM placements pl JOIN employers e ON e.id = pl.employer_id"
        " WHERE e.kind = 'third_sector'"
    ).fetchone()
    assert third is not None and third["n"] > 0

    follow_ups = {
        r["due_months"]
        for r in conn.execute("SELECT DISTINCT due_months FROM placement_follow_ups").fetchall()
    }
    assert follow_ups == {3, 6}
    hidden = conn.execute(
        "SELECT count(*) FILTER (WHERE visibility = 'hidden') AS hidden,"
        " count(*) FILTER (WHERE contact_id IS NOT NULL) AS from_contacts"
        " FROM needs WHERE external_id IS NULL"
    ).fetchone()
    assert hidden is not None and hidden["hidden"] > 0 and hidden["from_contacts"] > 0

    users = _users(conn)
    caseworker = next(users[u.email] for u in DEMO_USERS if u.role.value == "caseworker")
    employer_user = next(users[u.email] for u in DEMO_USERS if u.role.value == "employer")
    loggers = {r["user_id"] for r in conn.execute("SELECT DISTINCT user_id FROM contacts").fetchall()}
    assert loggers >= {users[COORDINATOR_EMAILS[0]], users[COORDINATOR_EMAILS[1]], caseworker}
    proposers = {
        r["proposed_by"] for r in conn.execute("SELECT DISTINCT proposed_by FROM proposals").fetchall()
    }
    assert proposers >= {users[COORDINATOR_EMAILS[0]], users[COORDINATOR_EMAILS[1]], caseworker}
    states = {r["state"] for r in conn.execute("SELECT DISTINCT state FROM proposals").fetchall()}
    assert states >= {"proposed", "interested", "declined", "not_hired", "placed", "ended"}
    # Every card was frozen as the product freezes it: the explanation's wording, the need and pseudonym.
    cards = conn.execute("SELECT card, explanation, model_id FROM proposals").fetchall()
    assert all(c["card"]["pseudonym"] and c["card"]["need"]["title"] for c in cards)
    assert all(c["explanation"]["wording"] and c["model_id"] for c in cards)

    # The demo employer user sees cards to their own organisation: some answered, some waiting.
    own = conn.execute(
        "SELECT p.answered_by, p.answer, p.created_at FROM proposals p"
        " JOIN users u ON u.employer_id = p.employer_id WHERE u.id = %s",
        (employer_user,),
    ).fetchall()
    assert any(p["answered_by"] == employer_user for p in own)
    waiting = [p for p in own if p["answer"] is None]
    assert waiting and any(p["created_at"] < clock.now() - timedelta(days=7) for p in waiting)
    # The demo caseworker's clients have the history: referrals, placements, proposals.
    for table in ("referrals", "placements", "proposals"):
        row = conn.execute(
            f"SELECT count(*) AS n FROM {table} t JOIN jobseekers j ON j.id = t.jobseeker_id"
            " WHERE j.caseworker_id = %s",
            (caseworker,),
        ).fetchone()
        assert row is not None and row["n"] > 0, table
    # Every hired candidate agreed at the interview that their employer may know who they are, before the
    # placement was confirmed: the employer's card of a placed candidate names them.
    hired = conn.execute(
        "SELECT pl.id, c.given_at, pl.created_at FROM placements pl LEFT JOIN consents c"
        " ON c.jobseeker_id = pl.jobseeker_id AND c.employer_id = pl.employer_id"
        " AND c.scope = 'disclose_identity' AND c.withdrawn_at IS NULL"
        " JOIN jobseekers j ON j.id = pl.jobseeker_id WHERE j.area_id = %s",
        (area,),
    ).fetchall()
    assert hired and all(h["given_at"] is not None and h["given_at"] < h["created_at"] for h in hired)


def _monthly(conn: Conn, area_id: int, name: str) -> list[Any]:
    today = clock.today()
    scope = indicators.Scope(
        area_id=area_id, area_name="demo", date_from=add_months(today.replace(day=1), -11), date_to=today
    )
    chart = indicators.over_time(conn, scope, indicators.indicator(name), "month")
    assert len(chart["months"]) == 12
    (line,) = chart["lines"].values()
    return list(line)


def test_the_bonus_indicators_have_a_trend_over_the_demo_year_and_loading_again_adds_nothing(
    conn: Conn,
) -> None:
    report = load_demo(conn, progress=False)
    conn.commit()
    for name in BONUS:
        values = _monthly(conn, report.area_id, name)
        assert sum(1 for v in values if v) >= 6, (name, values)
        assert len({v for v in values if v is not None}) > 1, (name, values)

    before = {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone() for t in HISTORY_TABLES}
    everything, rows = counts(conn), versions(conn)
    again = load_demo(conn, progress=False)
    conn.commit()
    assert again.placements_made == 0
    assert {t: conn.execute(f"SELECT count(*) AS n FROM {t}").fetchone() for t in HISTORY_TABLES} == before
    assert (counts(conn), versions(conn)) == (everything, rows)
    assert all(c.created == c.updated == 0 for c in again.imported.counts.values())
