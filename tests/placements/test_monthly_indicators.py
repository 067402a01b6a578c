"""A chart's months come from one query per indicator; its figures must be those of computing the
indicator over each month's part of the period, one month at a time, on data with every edge: moments
on both sides of Finnish midnight at month ends, the nights summer time starts and ends, empty months,
a period beginning and ending mid-month and running past today, and rows whose optional fields are
empty (no caseworker, no birth year, no answer, no contact, no follow-up, no recruitment event). The
same holds cut by a recruitment event (:func:`_event`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from psycopg import sql

from accounts.models import Role
from core import clock
from core.db import Conn, connect
from core.sql import insert_row
from placements import indicators
from tests.conftest import AreaWorld
from tests.placements.conftest import insert_placement, insert_proposal

# Period: mid-December 2025 to mid-March 2027, around the frozen today (2026-12-07).
PERIOD = (date(2025, 12, 15), date(2027, 3, 14))
TODAY = date(2026, 12, 7)
# (UTC moment, what it is in Helsinki)
EDGES = (
    "2025-12-14 21:59:59+00",  # 23:59:59 on 14 December: the day before the period
    "2025-12-14 22:00:00+00",  # 00:00 on 15 December: the period's first moment
    "2026-01-31 21:59:59+00",  # the last second of January
    "2026-01-31 22:00:00+00",  # 00:00 on 1 February
    "2026-03-29 00:59:59+00",  # 02:59:59 on 29 March, just before summer time starts
    "2026-03-29 01:00:00+00",  # 04:00 summer time on 29 March
    "2026-03-31 20:59:59+00",  # 23:59:59 summer time on 31 March
    "2026-03-31 21:00:00+00",  # 00:00 on 1 April
    "2026-10-24 20:59:59+00",  # 23:59:59 summer time on 24 October
    "2026-10-25 00:30:00+00",  # 03:30 on 25 October, the hour that comes twice
    "2026-10-31 21:59:59+00",  # 23:59:59 winter time on 31 October
    "2026-10-31 22:00:00+00",  # 00:00 on 1 November
    "2027-03-14 21:59:59+00",  # the period's last second
    "2027-03-14 22:00:00+00",  # the day after the period
)
# Placement start dates: month ends and starts, the period's bounds and the days outside them. No
# placement starts from May to September 2026: empty months.
STARTS = (
    date(2025, 12, 14),
    date(2025, 12, 15),
    date(2026, 1, 31),
    date(2026, 2, 1),
    date(2026, 3, 29),
    date(2026, 3, 31),
    date(2026, 4, 1),
    date(2026, 10, 25),
    date(2026, 11, 30),
    date(2026, 12, 1),
    date(2027, 3, 14),
    date(2027, 3, 15),
)
FORMS = ("work_trial", "assistive_task", "pay_subsidy", "open_job", "apprenticeship")
# Referrals to services: (service, starts, ends or None, outcome or None). Rehabilitative work ends at
# month edges, outside the period and not at all; no referral ends from May to September 2026.
REFERRALS = (
    ("rehabilitative_work", date(2025, 11, 1), date(2025, 12, 14), "employment"),
    ("rehabilitative_work", date(2025, 11, 1), date(2025, 12, 15), "education"),
    ("rehabilitative_work", date(2026, 1, 2), date(2026, 1, 31), "no_change"),
    ("rehabilitative_work", date(2026, 1, 2), date(2026, 2, 1), "te_services"),
    ("rehabilitative_work", date(2026, 2, 1), date(2026, 3, 31), None),
    ("rehabilitative_work", date(2026, 3, 1), None, None),
    ("job_search_coaching", date(2026, 3, 31), date(2026, 4, 1), None),
    ("start_up_grant", date(2026, 4, 30), None, None),
    ("training_agreement", date(2026, 2, 1), date(2026, 4, 30), "employment"),
    ("rehabilitative_work", date(2026, 10, 1), date(2026, 10, 31), "interrupted"),
    ("career_coaching", date(2026, 11, 1), date(2026, 12, 1), "employment"),
    ("rehabilitative_work", date(2026, 11, 2), date(2027, 3, 14), "employment"),
    ("rehabilitative_work", date(2027, 1, 1), date(2027, 3, 15), "education"),
)


def _end(i: int) -> date | None:
    """When jobseeker i's placement ends, if it does."""
    end = STARTS[(i + 1) % len(STARTS)]
    return end if i % 3 == 1 and end >= STARTS[i % len(STARTS)] else None


def _scenario(conn: Conn, world: AreaWorld) -> None:
    municipal = insert_row(
        conn,
        "employers",
        {
            "area_id": world.area_id,
            "business_id": "1572860-0",
            "name": "Liedon kunta",
            "municipality": "Lieto",
        },
    )
    conn.execute("UPDATE employers SET is_municipal = true WHERE id = %s", (municipal["id"],))
    # The municipality is recorded as a public body; the world's employer is a firm.
    conn.execute("UPDATE employers SET kind = 'public_body' WHERE id = %s", (municipal["id"],))
    conn.execute("UPDATE employers SET kind = 'firm' WHERE id = %s", (world.employer_id,))
    provider = insert_row(
        conn,
        "service_providers",
        {
            "area_id": world.area_id,
            "name": "Palveluntuottaja",
            "kind": "association",
            "services": [service for service, _, _, _ in REFERRALS],
        },
    )
    contact = insert_row(
        conn,
        "contacts",
        {
            "area_id": world.area_id,
            "employer_id": world.employer_id,
            "user_id": world.user_ids[Role.COORDINATOR],
            "kind": "visit",
            "contact_date": date(2026, 1, 3),
            "summary": "Käynti",
        },
    )
    employers = (world.employer_id, int(municipal["id"]))
    proposers = (world.user_ids[Role.COORDINATOR], world.user_ids[Role.ADMIN])
    for i, moment in enumerate(EDGES):
        person = insert_row(
            conn,
            "jobseekers",
            {
                "area_id": world.area_id,
                "pseudonym": f"Hakija-{i}",
                "municipality": ("Turku", "Lieto", "Raisio")[i % 3],
                "caseworker_id": None if i % 4 == 0 else world.user_ids[Role.CASEWORKER],
                "birth_year": None if i % 5 == 0 else 1995 + i,
                "archived": i % 7 == 6,
                "created_at": moment,
            },
        )["id"]
        employer = employers[i % 2]
        need = insert_row(
            conn,
            "needs",
            {
                "area_id": world.area_id,
                "employer_id": employer,
                "title": "Tehtävä",
                "municipality": ("Turku", "Lieto")[i % 2],
                "visibility": "hidden" if i % 3 == 0 else "public",
                "contact_id": contact["id"] if i % 5 == 2 else None,
            },
        )["id"]
        # A proposal sent at the edge, answered at the next edge (a month later or not), or never.
        answered = EDGES[i + 1] if i % 3 and i + 1 < len(EDGES) else None
        insert_proposal(
            conn,
            world,
            need,
            person,
            employer_id=employer,
            proposed_by=proposers[i % 2],
            created_at=moment,
            answer="interested" if answered else None,
            answered_at=answered,
        )
        # A placement starting at an edge day, proposed some days before it.
        other_need = insert_row(
            conn,
            "needs",
            {"area_id": world.area_id, "employer_id": employer, "title": "Toinen", "municipality": "Turku"},
        )["id"]
        start = STARTS[i % len(STARTS)]
        placement = insert_placement(
            conn,
            world,
            other_need,
            person,
            FORMS[i % len(FORMS)],
            start,
            employer_id=employer,
            proposed_by=proposers[(i + 1) % 2],
            created_at=EDGES[max(0, i - 2)],
        )
        end = _end(i)
        if end is not None:
            # Ended (or planned to end) at a month's edge.
            column = sql.Identifier("ended_on" if i % 2 else "end_date")
            conn.execute(
                sql.SQL("UPDATE placements SET {} = %s WHERE id = %s").format(column), (end, placement)
            )
        if i < len(REFERRALS):
            service, starts, ends, outcome = REFERRALS[i]
            insert_row(
                conn,
                "referrals",
                {
                    "area_id": world.area_id,
                    "jobseeker_id": person,
                    "provider_id": provider["id"],
                    "service": service,
                    "starts_on": starts,
                    "ends_on": ends,
                    "outcome": outcome,
                },
            )
        if i % 4 == 1:
            insert_row(
                conn,
                "placement_follow_ups",
                {"placement_id": placement, "due_months": 3, "outcome": ("studies", "unemployed")[i % 2]},
            )


# Jobseeker i was invited to the event when i % 3 != 0 (archived ones among them); the placement of
# jobseeker i was on a need found at the event when i % 4 == 2 (at the firm: i is even); every proposal
# of jobseeker i was made at the event when i % 3 == 1.
INVITED = frozenset(i for i in range(len(EDGES)) if i % 3)


def _event(conn: Conn, world: AreaWorld) -> tuple[int, str]:
    """A recruitment event of the area that the firm took part in, with the jobseekers of ``INVITED``
    invited, needs found at it (the need names it) and proposals made at it (the proposal names it)."""
    event = insert_row(
        conn,
        "recruitment_events",
        {
            "area_id": world.area_id,
            "kind": "fair",
            "title": "MegaRekry",
            "event_date": date(2026, 3, 31),
            "municipality": "Turku",
            "organiser_id": world.user_ids[Role.COORDINATOR],
        },
    )["id"]
    conn.execute(
        "INSERT INTO event_employers (event_id, employer_id) VALUES (%s, %s)", (event, world.employer_id)
    )
    index = "substr(j.pseudonym, 8)::int"  # Hakija-i
    conn.execute(
        "INSERT INTO event_jobseekers (event_id, jobseeker_id) SELECT %s, j.id FROM jobseekers j"
        f" WHERE j.area_id = %s AND {index} %% 3 <> 0",
        (event, world.area_id),
    )
    conn.execute(
        "UPDATE needs n SET event_id = %s FROM placements pl JOIN jobseekers j ON j.id = pl.jobseeker_id"
        f" WHERE pl.need_id = n.id AND n.area_id = %s AND {index} %% 4 = 2",
        (event, world.area_id),
    )
    conn.execute(
        "UPDATE proposals p SET event_id = %s FROM jobseekers j"
        f" WHERE j.id = p.jobseeker_id AND p.area_id = %s AND {index} %% 3 = 1",
        (event, world.area_id),
    )
    return int(event), "MegaRekry"


ACTIVE_SHARES = ("placement_start_rate", "activation_rate", "bonus_score")


def _figures(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        ((r["key"], r["label"], r["numerator"], r["denominator"], r["median"], r.get("value")) for r in rows),
        key=repr,
    )


@pytest.mark.parametrize("at_event", [False, True], ids=["whole", "event"])
@pytest.mark.parametrize("target_group", [None, ("Alle 25-vuotiaat", {"age_under": 25})])
def test_one_query_gives_each_month_what_computing_it_month_by_month_gives(
    db: str, world: AreaWorld, target_group: tuple[str, dict[str, Any]] | None, at_event: bool
) -> None:
    with connect(db) as conn:
        _scenario(conn, world)
        event = _event(conn, world) if at_event else None
        conn.commit()
        scope = indicators.Scope(world.area_id, "Alue", *PERIOD, target_group=target_group, event=event)
        compared = 0
        with clock.frozen(TODAY):
            for ind in indicators.INDICATORS.values():
                for dimension in ("area", "municipality", "coordinator"):
                    at_once = indicators.by_month(conn, scope, ind, dimension)
                    months = list(indicators.months(*PERIOD))
                    assert list(at_once) == [label for label, _, _ in months]
                    for label, first, last in months:
                        one_by_one = ind.compute(
                            conn, replace(scope, date_from=first, date_to=last), dimension, False
                        )
                        assert _figures(at_once[label]) == _figures(one_by_one), (ind.name, dimension, label)
                        compared += len(one_by_one)
                    # Nothing starts, ends or is sent from May to September; only the active jobseekers
                    # remain (and the bonus score's groups, with its activation part).
                    empty = [at_once[m] for m in ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09")]
                    assert any(empty) == (ind.name in ACTIVE_SHARES), ind.name
    assert {ind.name for ind in indicators.INDICATORS.values()} >= {
        "activation_rate",
        "rehabilitation_transition_rate",
        "subsidised_firm_start_rate",
        "bonus_score",
        "placement_start_rate",
    }
    assert compared > (50 if at_event else 100)  # the months compared had figures, not only empty ones


def test_an_event_cuts_every_indicator_to_what_came_of_it(db: str, world: AreaWorld) -> None:
    """Cut by the event, every indicator still counts something (the bonus score: its groups), none more
    than without the cut, and the rates over jobseekers, the response rate and the placements counted
    fewer."""
    with connect(db) as conn:
        _scenario(conn, world)
        event = _event(conn, world)
        conn.commit()
        whole = indicators.Scope(world.area_id, "Alue", *PERIOD)
        with clock.frozen(TODAY):
            for ind in indicators.INDICATORS.values():

                def total(scope: indicators.Scope, ind: indicators.Indicator = ind) -> int:
                    rows = ind.compute(conn, scope, "area", False)
                    return sum(1 if "value" in r else int(r["denominator"] or r["numerator"]) for r in rows)

                cut, uncut = total(replace(whole, event=event)), total(whole)
                assert 0 < cut <= uncut, (ind.name, cut, uncut)
                if ind.name in (
                    "placement_start_rate",
                    "activation_rate",
                    "rehabilitation_transition_rate",
                    "employer_response_rate",
                    "hidden_need_share",
                ):
                    assert cut < uncut, (ind.name, cut, uncut)


def test_a_chart_s_months_start_and_end_with_the_period(db: str, world: AreaWorld) -> None:
    with connect(db) as conn:
        _scenario(conn, world)
        conn.commit()
        scope = indicators.Scope(world.area_id, "Alue", *PERIOD)
        with clock.frozen(TODAY):
            chart = indicators.over_time(conn, scope, indicators.indicator("wage_subsidised_starts"), "area")
    assert chart["months"][0] == "2025-12" and chart["months"][-1] == "2027-03" and len(chart["months"]) == 16
    # Pay-subsidy starts (i % 5 == 2) at the firm (i even): i = 2 on 2026-01-31 and i = 12 on 2025-12-14,
    # the day before the period; other months are 0, not missing.
    assert chart["lines"] == {"Alue": [0, 1] + [0] * 14}


def test_the_months_count_proposals_by_their_finnish_day(db: str, world: AreaWorld) -> None:
    """The response rate's months worked out apart from the SQL: each edge moment converted to its
    Finnish date in Python."""
    helsinki = ZoneInfo("Europe/Helsinki")
    day = [datetime.fromisoformat(m).astimezone(helsinki).date() for m in EDGES]
    expected: dict[str, tuple[int, int]] = {}
    for label, first, last in indicators.months(*PERIOD):
        sent = [i for i in range(len(EDGES)) if first <= day[i] <= last]
        answered = [i for i in sent if i % 3 and i + 1 < len(EDGES) and day[i + 1] <= last]
        # Each placement's proposal: sent two edges before it starts, never answered.
        placed = [i for i in range(len(EDGES)) if first <= day[max(0, i - 2)] <= last]
        if sent or placed:
            expected[label] = (len(answered), len(sent) + len(placed))
    with connect(db) as conn:
        _scenario(conn, world)
        conn.commit()
        scope = indicators.Scope(world.area_id, "Alue", *PERIOD)
        with clock.frozen(TODAY):
            rows = indicators.by_month(conn, scope, indicators.indicator("employer_response_rate"), "area")
    got = {label: (r[0]["numerator"], r[0]["denominator"]) for label, r in rows.items() if r}
    assert got == expected
    # March: sent on 29 March (twice) and 31 March, two answered in March; October: 24, 25 and 31
    # October, the last answered on 1 November; three placements' proposals in each.
    assert expected["2026-03"] == (2, 6) and expected["2026-10"] == (1, 6)


@pytest.mark.parametrize("at_event", [False, True], ids=["whole", "event"])
@pytest.mark.parametrize("per_month", [True, False])
def test_the_placement_start_rate_counts_the_registered_and_the_started_of_each_month(
    db: str, world: AreaWorld, per_month: bool, at_event: bool
) -> None:
    """Worked out apart from the SQL: jobseeker i registered at edge i (archived when i % 7 == 6) and
    started a placement on STARTS[i % 12]; cut by the event, only the jobseekers invited to it count
    (the quick query without a target group)."""
    helsinki = ZoneInfo("Europe/Helsinki")
    day = [datetime.fromisoformat(m).astimezone(helsinki).date() for m in EDGES]
    start = [STARTS[i % len(STARTS)] for i in range(len(EDGES))]
    periods = list(indicators.months(*PERIOD)) if per_month else [("all", *PERIOD)]
    expected: dict[str, tuple[int, int]] = {}
    counted = INVITED if at_event else range(len(EDGES))
    for label, first, last in periods:
        started = [i for i in counted if first <= start[i] <= last]
        active = [i for i in counted if (i % 7 != 6 and day[i] <= last) or i in started]
        if active:
            expected[label] = (len(started), len(active))
    with connect(db) as conn:
        _scenario(conn, world)
        event = _event(conn, world) if at_event else None
        conn.commit()
        scope = indicators.Scope(world.area_id, "Alue", *PERIOD, event=event)
        ind = indicators.indicator("placement_start_rate")
        with clock.frozen(TODAY):
            if per_month:
                rows = indicators.by_month(conn, scope, ind, "area")
            else:
                rows = {"all": ind.compute(conn, scope, "area", False)}
    got = {label: (r[0]["numerator"], r[0]["denominator"]) for label, r in rows.items() if r}
    assert got == expected
    if per_month and not at_event:
        # Registered at 23:59:59 on 31 January: active in January; at 00:00 on 1 February: not yet.
        assert expected["2026-01"] == (1, 3) and expected["2026-02"] == (1, 4)
    if per_month and at_event:
        # Jobseekers 0 and 3 (who started on 1 February) were not invited.
        assert expected["2026-01"] == (1, 2) and expected["2026-02"] == (0, 2)


@pytest.mark.parametrize("at_event", [False, True], ids=["whole", "event"])
@pytest.mark.parametrize("per_month", [True, False])
def test_the_bonus_indicators_count_the_activated_and_the_transitions_of_each_month(
    db: str, world: AreaWorld, per_month: bool, at_event: bool
) -> None:
    """Worked out apart from the SQL: jobseeker i registered at edge i (archived when i % 7 == 6),
    started a placement of FORMS[i % 5] on STARTS[i % 12] ending on _end(i), and was referred to
    REFERRALS[i]. Cut by the event, the activation and transition rates count only the jobseekers
    invited to it, the firm start rate only the placements made at it (need found there: i % 4 == 2;
    proposal made there: i % 3 == 1)."""
    helsinki = ZoneInfo("Europe/Helsinki")
    day = [datetime.fromisoformat(m).astimezone(helsinki).date() for m in EDGES]
    start = [STARTS[i % len(STARTS)] for i in range(len(EDGES))]
    forever = date.max
    counted = INVITED if at_event else frozenset(range(len(EDGES)))
    at_it = {i for i in range(len(EDGES)) if i % 4 == 2 or i % 3 == 1} if at_event else counted
    periods = list(indicators.months(*PERIOD)) if per_month else [("all", *PERIOD)]
    activation: dict[str, tuple[int, int]] = {}
    transitions: dict[str, tuple[int, int]] = {}
    firms: dict[str, tuple[int, int]] = {}
    for label, first, last in periods:
        started = {i for i in counted if first <= start[i] <= last}
        activated = {
            i
            for i in counted
            if FORMS[i % len(FORMS)] in indicators.ACTIVATING_FORMS
            and start[i] <= last
            and (_end(i) or forever) >= first
        } | {
            i
            for i, (service, starts, ends, _) in enumerate(REFERRALS)
            if i in counted
            and service in indicators.ACTIVATING_SERVICES
            and starts <= last
            and (ends or forever) >= first
        }
        active = {i for i in counted if i % 7 != 6 and day[i] <= last} | started | activated
        if active:
            activation[label] = (len(activated), len(active))
        ending = [
            outcome
            for i, (service, _, ends, outcome) in enumerate(REFERRALS)
            if i in counted
            and service == "rehabilitative_work"
            and ends is not None
            and first <= ends <= last
        ]
        if ending:
            transitions[label] = (sum(o in indicators.TRANSITION_OUTCOMES for o in ending), len(ending))
        subsidised = [
            i
            for i in range(len(EDGES))
            if i in at_it and first <= start[i] <= last and FORMS[i % len(FORMS)] == "pay_subsidy"
        ]
        if subsidised:
            # The world's employer (a firm) for even i, the municipality (a public body) for odd.
            firms[label] = (sum(i % 2 == 0 for i in subsidised), len(subsidised))
    with connect(db) as conn:
        _scenario(conn, world)
        event = _event(conn, world) if at_event else None
        conn.commit()
        scope = indicators.Scope(world.area_id, "Alue", *PERIOD, event=event)
        got: dict[str, dict[str, tuple[int, int]]] = {}
        scores: dict[str, float | None] = {}
        with clock.frozen(TODAY):
            for name in ("activation_rate", "rehabilitation_transition_rate", "subsidised_firm_start_rate"):
                ind = indicators.indicator(name)
                rows = (
                    indicators.by_month(conn, scope, ind, "area")
                    if per_month
                    else {"all": ind.compute(conn, scope, "area", False)}
                )
                got[name] = {k: (r[0]["numerator"], r[0]["denominator"]) for k, r in rows.items() if r}
            bonus = indicators.indicator("bonus_score")
            rows = (
                indicators.by_month(conn, scope, bonus, "area")
                if per_month
                else {"all": bonus.compute(conn, scope, "area", False)}
            )
            scores = {k: r[0]["value"] for k, r in rows.items() if r}
    assert got["activation_rate"] == activation
    assert got["rehabilitation_transition_rate"] == transitions
    assert got["subsidised_firm_start_rate"] == firms
    expected_scores: dict[str, float | None] = {}
    for label in activation:
        if label in transitions and label in firms:
            shares = [(activation, 0.6), (transitions, 0.3), (firms, 0.1)]
            expected_scores[label] = round(sum(w * f[label][0] / f[label][1] for f, w in shares), 4)
        else:
            expected_scores[label] = None
    assert scores == expected_scores
    assert any(v is not None for v in scores.values())
    if not per_month:
        assert activation["all"][0] > 0 and transitions["all"][0] > 0 and firms["all"][0] > 0
