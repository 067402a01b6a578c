"""Shared outcome indicators of an employment area, for a chosen period, per area, municipality,
coordinator or month.

Each indicator is a function whose docstring is its definition; the API, the CLI and the exports give
that text with the figures. Periods are inclusive Finnish calendar dates. ``by=month`` computes the
indicator over each calendar month's part of the period, as if that part were the period.

Dimensions: for placement and proposal indicators the municipality is where the work is (the need's
municipality) and the coordinator is whoever proposed the candidate; for the placement start rate and
the bonus indicators of the 2012-2015 experiment (activation rate, rehabilitation transition rate,
subsidised firm start rate and their weighted bonus score) they are the jobseeker's home municipality and
responsible caseworker, so that the three parts of the score count the same people.

A target group (:mod:`jobseekers.target_groups`) narrows every indicator to its members: the jobseekers
counted, placed or proposed who meet its rule on the period's last day (today, for a period not yet
over).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any, Literal

from psycopg import sql
from psycopg.types.json import Jsonb

from core import clock
from core.db import Conn
from core.errors import NotFound
from core.i18n import LANGUAGES, N_, translate
from jobseekers import target_groups
from placements.ledger import HIDDEN_NEED, check_period, local_date

By = Literal["area", "municipality", "coordinator", "month"]
Unit = Literal["ratio", "count", "days"]
NO_ONE = "(none)"


@dataclass(frozen=True)
class Scope:
    """Whose figures and for which inclusive period."""

    area_id: int
    area_name: str
    date_from: date
    date_to: date
    target_group: tuple[str, dict[str, Any]] | None = None
    """The name and rule of the target group the figures are narrowed to, if any."""

    def params(self) -> dict[str, Any]:
        return {
            "area": self.area_id,
            "area_name": self.area_name,
            "from": self.date_from,
            "to": self.date_to,
            "tg": Jsonb(self.target_group[1]) if self.target_group else None,
            "tg_on": min(self.date_to, clock.today()),
            "activating_forms": list(ACTIVATING_FORMS),
            "activating_services": list(ACTIVATING_SERVICES),
            "transitions": list(TRANSITION_OUTCOMES),
        }


def narrowed(conn: Conn, scope: Scope, target_group_id: int | None) -> Scope:
    """``scope`` narrowed to the members of a target group of its area (422 naming
    ``target_group_id`` when the area has no such group), or as it is when none is named."""
    if target_group_id is None:
        return scope
    return replace(scope, target_group=target_groups.named_rule(conn, scope.area_id, target_group_id))


def _members(id_column: str) -> str:
    return target_groups.member_sql(id_column, "tg", "tg_on")


Row = dict[str, Any]

# Group key and label of each dimension, for queries over jobseekers (alias a, caseworker u) and over
# placements or proposals (need n, proposer u). Whitelisted SQL: never built from input.
_JOBSEEKER_GROUPS: dict[str, tuple[str, str]] = {
    "area": ("%(area_name)s", "%(area_name)s"),
    "municipality": ("a.municipality", "a.municipality"),
    "coordinator": ("a.caseworker_id::text", f"coalesce(u.display_name, '{NO_ONE}')"),
}
_WORK_GROUPS: dict[str, tuple[str, str]] = {
    "area": ("%(area_name)s", "%(area_name)s"),
    "municipality": ("n.municipality", "n.municipality"),
    "coordinator": ("p.proposed_by::text", f"coalesce(u.display_name, '{NO_ONE}')"),
}
_PLACEMENTS_IN_PERIOD = (
    "FROM placements pl JOIN proposals p ON p.id = pl.proposal_id JOIN needs n ON n.id = pl.need_id"
    " JOIN employers e ON e.id = pl.employer_id LEFT JOIN users u ON u.id = p.proposed_by"
    " WHERE pl.area_id = %(area)s AND pl.start_date BETWEEN %(from)s AND %(to)s AND "
    + _members("pl.jobseeker_id")
)


def _rows(conn: Conn, query: str, groups: dict[str, tuple[str, str]], scope: Scope, by: str) -> list[Row]:
    key, label = groups[by]
    composed = sql.SQL(query).format(key=sql.SQL(key), label=sql.SQL(label))
    return conn.execute(composed, scope.params()).fetchall()


def placement_start_rate(conn: Conn, scope: Scope, by: str) -> list[Row]:
    """Placement start rate: jobseekers with a placement starting in the period / jobseekers of the area
    active in the period. Active: registered on or before the last day of the period and not archived,
    or starting a placement in the period (so the rate is at most 1). Grouped by the jobseeker's home
    municipality and responsible caseworker."""
    query = (
        "WITH started AS (SELECT DISTINCT jobseeker_id FROM placements"
        " WHERE area_id = %(area)s AND start_date BETWEEN %(from)s AND %(to)s)"
        " SELECT {key} AS key, {label} AS label,"
        " count(*) FILTER (WHERE a.id IN (SELECT jobseeker_id FROM started)) AS numerator,"
        " count(*) AS denominator, NULL::float8 AS median"
        " FROM jobseekers a LEFT JOIN users u ON u.id = a.caseworker_id"
        " WHERE a.area_id = %(area)s AND ((NOT a.archived AND " + local_date("a.created_at") + " <= %(to)s)"
        " OR a.id IN (SELECT jobseeker_id FROM started)) AND " + _members("a.id") + " GROUP BY 1, 2"
    )
    return _rows(conn, query, _JOBSEEKER_GROUPS, scope, by)


ACTIVATING_FORMS = ("pay_subsidy", "work_trial")
"""Placement forms that count as activating services (wage subsidy, work trial)."""
ACTIVATING_SERVICES = (
    "start_up_grant",
    "job_search_coaching",
    "career_coaching",
    "working_life_trial",
    "labour_market_training",
    "self_motivated_study",
    "rehabilitative_work",
)
"""Referred services that count as activating (services.schemas.ServiceKind values)."""
TRANSITION_OUTCOMES = ("te_services", "education", "employment")
"""Where a rehabilitative work activity ends as a transition (services.schemas.ReferralOutcome)."""

_ACTIVATED = (
    "activated AS (SELECT jobseeker_id FROM placements WHERE area_id = %(area)s"
    " AND form = ANY(%(activating_forms)s) AND start_date <= %(to)s"
    " AND coalesce(ended_on, end_date, 'infinity'::date) >= %(from)s"
    " UNION SELECT jobseeker_id FROM referrals WHERE area_id = %(area)s"
    " AND service = ANY(%(activating_services)s) AND starts_on <= %(to)s"
    " AND coalesce(ends_on, 'infinity'::date) >= %(from)s)"
)


def activation_rate(conn: Conn, scope: Scope, by: str) -> list[Row]:
    """Activation rate (bonus indicator of the 2012-2015 experiment, weighted 0.6 in bonus_score): of the
    target group's jobseekers active in the period, the share in an activating service on at least one day of
    it: a pay_subsidy or work_trial placement, or a referral to start_up_grant, job_search_coaching,
    career_coaching, working_life_trial, labour_market_training, self_motivated_study or rehabilitative_work
    (started on or before the last day, not ended before the first). Active: registered on or before the last
    day and not archived, or in an activating service or starting a placement in the period. Grouped by the
    jobseeker's home municipality and responsible caseworker."""
    query = (
        "WITH " + _ACTIVATED + " SELECT {key} AS key, {label} AS label,"
        " count(*) FILTER (WHERE a.id IN (SELECT jobseeker_id FROM activated)) AS numerator,"
        " count(*) AS denominator, NULL::float8 AS median"
        " FROM jobseekers a LEFT JOIN users u ON u.id = a.caseworker_id"
        " WHERE a.area_id = %(area)s AND ((NOT a.archived AND " + local_date("a.created_at") + " <= %(to)s)"
        " OR a.id IN (SELECT jobseeker_id FROM activated) OR a.id IN (SELECT jobseeker_id FROM placements"
        " WHERE area_id = %(area)s AND start_date BETWEEN %(from)s AND %(to)s)) AND "
        + _members("a.id")
        + " GROUP BY 1, 2"
    )
    return _rows(conn, query, _JOBSEEKER_GROUPS, scope, by)


def rehabilitation_transition_rate(conn: Conn, scope: Scope, by: str) -> list[Row]:
    """Rehabilitation transition rate (bonus indicator of the 2012-2015 experiment, weighted 0.3 in
    bonus_score): of the target group's referrals to rehabilitative_work (kuntouttava työtoiminta) ending in
    the period, the share whose recorded outcome is a transition to TE services (te_services), education or
    work (employment); an ending without a recorded outcome is no transition. Grouped by the jobseeker's home
    municipality and responsible caseworker."""
    query = (
        "SELECT {key} AS key, {label} AS label,"
        " count(*) FILTER (WHERE r.outcome = ANY(%(transitions)s)) AS numerator,"
        " count(*) AS denominator, NULL::float8 AS median"
        " FROM referrals r JOIN jobseekers a ON a.id = r.jobseeker_id"
        " LEFT JOIN users u ON u.id = a.caseworker_id"
        " WHERE r.area_id = %(area)s AND r.service = 'rehabilitative_work'"
        " AND r.ends_on BETWEEN %(from)s AND %(to)s AND " + _members("a.id") + " GROUP BY 1, 2"
    )
    return _rows(conn, query, _JOBSEEKER_GROUPS, scope, by)


def subsidised_firm_start_rate(conn: Conn, scope: Scope, by: str) -> list[Row]:
    """Subsidised firm start rate (bonus indicator of the 2012-2015 experiment, weighted 0.1 in bonus_score):
    of the target group's pay_subsidy placements starting in the period, the share at employers recorded as
    firms (kind firm; public bodies, third-sector organisations and employers whose kind is not recorded are
    not firms). Grouped by the jobseeker's home municipality and responsible caseworker."""
    query = (
        "SELECT {key} AS key, {label} AS label,"
        " count(*) FILTER (WHERE e.kind = 'firm') AS numerator, count(*) AS denominator,"
        " NULL::float8 AS median"
        " FROM placements pl JOIN jobseekers a ON a.id = pl.jobseeker_id"
        " JOIN employers e ON e.id = pl.employer_id LEFT JOIN users u ON u.id = a.caseworker_id"
        " WHERE pl.area_id = %(area)s AND pl.form = 'pay_subsidy'"
        " AND pl.start_date BETWEEN %(from)s AND %(to)s AND " + _members("a.id") + " GROUP BY 1, 2"
    )
    return _rows(conn, query, _JOBSEEKER_GROUPS, scope, by)


BONUS_WEIGHTS: tuple[tuple[Callable[[Conn, Scope, str], list[Row]], float], ...] = (
    (activation_rate, 0.6),
    (rehabilitation_transition_rate, 0.3),
    (subsidised_firm_start_rate, 0.1),
)


def bonus_score(conn: Conn, scope: Scope, by: str) -> list[Row]:
    """Bonus score of the 2012-2015 experiment: 0.6 × activation_rate + 0.3 × rehabilitation_transition_rate +
    0.1 × subsidised_firm_start_rate, each a share between 0 and 1, for the same target group, period and
    group; no score for a group where any of the three has no figure (nothing to count)."""
    parts: dict[str, dict[str, Any]] = {}
    for compute, weight in BONUS_WEIGHTS:
        for row in compute(conn, scope, by):
            part = parts.setdefault(str(row["key"]), {"key": row["key"], "label": row["label"], "sum": 0.0})
            if row["denominator"]:
                part["sum"] += weight * row["numerator"] / row["denominator"]
                part["parts"] = part.get("parts", 0) + 1
    return [
        {
            "key": p["key"],
            "label": p["label"],
            "numerator": None,
            "denominator": None,
            "median": None,
            "value": round(p["sum"], 4) if p.get("parts") == len(BONUS_WEIGHTS) else None,
        }
        for p in parts.values()
    ]


def assistive_transitions(conn: Conn, scope: Scope, by: str) -> list[Row]:
    """Transitions from assistive or rehabilitative placements: of the work trials and assistive tasks
    starting in the period, the share followed by employment or training: a 3- or 6-month follow-up
    outcome open_labour_market or studies, or a later placement (starting after it, at any time up to
    now) of the same jobseeker as open_job, pay_subsidy, apprenticeship or recruitment_training."""
    query = (
        "SELECT {key} AS key, {label} AS label,"
        " count(*) FILTER (WHERE EXISTS (SELECT 1 FROM placement_follow_ups f WHERE f.placement_id = pl.id"
        " AND f.outcome IN ('open_labour_market', 'studies'))"
        " OR EXISTS (SELECT 1 FROM placements later WHERE later.jobseeker_id = pl.jobseeker_id"
        " AND later.form IN ('open_job', 'pay_subsidy', 'apprenticeship', 'recruitment_training')"
        " AND later.start_date > pl.start_date)) AS numerator,"
        " count(*) AS denominator, NULL::float8 AS median "
        + _PLACEMENTS_IN_PERIOD
        + " AND pl.form IN ('work_trial', 'assistive_task') GROUP BY 1, 2"
    )
    return _rows(conn, query, _WORK_GROUPS, scope, by)


def wage_subsidised_starts(conn: Conn, scope: Scope, by: str) -> list[Row]:
    """Wage-subsidised starts in firms: pay_subsidy placements starting in the period at employers that
    are not municipal (count)."""
    query = (
        "SELECT {key} AS key, {label} AS label, count(*) AS numerator, NULL::bigint AS denominator,"
        " NULL::float8 AS median "
        + _PLACEMENTS_IN_PERIOD
        + " AND pl.form = 'pay_subsidy' AND NOT e.is_municipal GROUP BY 1, 2"
    )
    return _rows(conn, query, _WORK_GROUPS, scope, by)


def median_days_to_placement(conn: Conn, scope: Scope, by: str) -> list[Row]:
    """Median days from proposal to placement: over placements starting in the period, the median of
    days from the Finnish date the candidate was proposed to the placement's start date (numerator: the
    number of placements)."""
    query = (
        "SELECT {key} AS key, {label} AS label, count(*) AS numerator, NULL::bigint AS denominator,"
        " percentile_cont(0.5) WITHIN GROUP (ORDER BY (pl.start_date - "
        + local_date("p.created_at")
        + ")::float8) AS median "
        + _PLACEMENTS_IN_PERIOD
        + " GROUP BY 1, 2"
    )
    return _rows(conn, query, _WORK_GROUPS, scope, by)


def employer_response_rate(conn: Conn, scope: Scope, by: str) -> list[Row]:
    """Employer response rate: of the intro cards sent (proposals made) in the period, the share the
    employer answered (interested, not now or not suitable) on or before the last day of the period."""
    query = (
        "SELECT {key} AS key, {label} AS label,"
        " count(*) FILTER (WHERE p.answered_at IS NOT NULL AND "
        + local_date("p.answered_at")
        + " <= %(to)s) AS numerator, count(*) AS denominator, NULL::float8 AS median"
        " FROM proposals p JOIN needs n ON n.id = p.need_id LEFT JOIN users u ON u.id = p.proposed_by"
        " WHERE p.area_id = %(area)s AND "
        + local_date("p.created_at")
        + " BETWEEN %(from)s AND %(to)s AND "
        + _members("p.jobseeker_id")
        + " GROUP BY 1, 2"
    )
    return _rows(conn, query, _WORK_GROUPS, scope, by)


def hidden_need_share(conn: Conn, scope: Scope, by: str) -> list[Row]:
    """Share of placements from hidden needs: of the placements starting in the period, those on a
    hidden need (recorded as hidden, or found through the contact log: the need cites a contact)."""
    query = (
        "SELECT {key} AS key, {label} AS label, count(*) FILTER (WHERE "
        + HIDDEN_NEED
        + ") AS numerator, count(*) AS denominator, NULL::float8 AS median "
        + _PLACEMENTS_IN_PERIOD
        + " GROUP BY 1, 2"
    )
    return _rows(conn, query, _WORK_GROUPS, scope, by)


@dataclass(frozen=True)
class Indicator:
    name: str
    title: str
    """A message id: the replies and files give it in Finnish, the pages in the reader's language."""
    unit: Unit
    compute: Callable[[Conn, Scope, str], list[Row]]

    @property
    def definition(self) -> str:
        return " ".join((inspect.getdoc(self.compute) or "").split())


INDICATORS: dict[str, Indicator] = {
    i.name: i
    for i in (
        Indicator("activation_rate", N_("Activation rate"), "ratio", activation_rate),
        Indicator(
            "rehabilitation_transition_rate",
            N_("Transitions from rehabilitative work activity"),
            "ratio",
            rehabilitation_transition_rate,
        ),
        Indicator(
            "subsidised_firm_start_rate",
            N_("Share of wage-subsidised starts in firms"),
            "ratio",
            subsidised_firm_start_rate,
        ),
        Indicator("bonus_score", N_("Bonus score (60 / 30 / 10)"), "ratio", bonus_score),
        Indicator("placement_start_rate", N_("Placement start rate"), "ratio", placement_start_rate),
        Indicator(
            "assistive_transitions", N_("Transitions from assistive tasks"), "ratio", assistive_transitions
        ),
        Indicator(
            "wage_subsidised_starts", N_("Wage-subsidised starts in firms"), "count", wage_subsidised_starts
        ),
        Indicator(
            "median_days_to_placement",
            N_("Median days from proposal to placement"),
            "days",
            median_days_to_placement,
        ),
        Indicator("employer_response_rate", N_("Employer response rate"), "ratio", employer_response_rate),
        Indicator(
            "hidden_need_share", N_("Share of placements from hidden jobs"), "ratio", hidden_need_share
        ),
    )
}


def indicator(name: str) -> Indicator:
    """The indicator called ``name``, or 404."""
    found = INDICATORS.get(name)
    if found is None:
        raise NotFound(f"no indicator {name!r}; one of {', '.join(INDICATORS)}", field="name")
    return found


def months(date_from: date, date_to: date) -> Iterator[tuple[str, date, date]]:
    """Each calendar month touching the period, as (``YYYY-MM``, first day, last day) clipped to it."""
    start = date_from.replace(day=1)
    while start <= date_to:
        following = (start + timedelta(days=32)).replace(day=1)
        yield start.strftime("%Y-%m"), max(start, date_from), min(following - timedelta(days=1), date_to)
        start = following


def _value(unit: Unit, row: Row) -> float | int | None:
    if "value" in row:
        return row["value"]  # type: ignore[no-any-return]
    if unit == "count":
        return int(row["numerator"])
    if unit == "days":
        return None if row["median"] is None else round(float(row["median"]), 1)
    return round(row["numerator"] / row["denominator"], 4) if row["denominator"] else None


def _point(unit: Unit, key: str | None, label: str, row: Row | None) -> dict[str, Any]:
    row = row or {"numerator": 0, "denominator": 0, "median": None}
    return {
        "group": key,
        "label": label,
        "value": _value(unit, row),
        "numerator": None if "value" in row else int(row["numerator"]),
        "denominator": None if unit != "ratio" or "value" in row else int(row["denominator"] or 0),
    }


def series(conn: Conn, scope: Scope, ind: Indicator, by: By) -> list[dict[str, Any]]:
    """The indicator's figures per group (every month of the period for ``month``, the area always)."""
    if by == "month":
        out = []
        for label, first, last in months(scope.date_from, scope.date_to):
            rows = ind.compute(conn, replace(scope, date_from=first, date_to=last), "area")
            out.append(_point(ind.unit, label, label, rows[0] if rows else None))
        return out
    rows = sorted(ind.compute(conn, scope, by), key=lambda r: (str(r["label"]), str(r["key"])))
    if by == "area" and not rows:
        return [_point(ind.unit, scope.area_name, scope.area_name, None)]
    return [_point(ind.unit, r["key"], r["label"], r) for r in rows]


def compute(conn: Conn, scope: Scope, by: By) -> dict[str, Any]:
    """Every indicator for the scope, each with its definition."""
    check_period(scope.date_from, scope.date_to)
    return {
        "area": scope.area_name,
        "from": scope.date_from,
        "to": scope.date_to,
        "by": by,
        "target_group": scope.target_group[0] if scope.target_group else None,
        "indicators": [
            {
                "name": ind.name,
                "title": translate(ind.title),
                "unit": ind.unit,
                "definition": ind.definition,
                "definitions": {language: translate(ind.definition, language) for language in LANGUAGES},
                "series": series(conn, scope, ind, by),
            }
            for ind in INDICATORS.values()
        ],
    }


def over_time(conn: Conn, scope: Scope, ind: Indicator, by: By) -> dict[str, Any]:
    """The indicator month by month, one line per group of ``by`` (one line for ``area`` or ``month``)."""
    check_period(scope.date_from, scope.date_to)
    dimension = "area" if by == "month" else by
    periods = list(months(scope.date_from, scope.date_to))
    empty: int | None = 0 if ind.unit == "count" else None
    lines: dict[str, list[float | int | None]] = {}
    for i, (_, first, last) in enumerate(periods):
        for row in ind.compute(conn, replace(scope, date_from=first, date_to=last), dimension):
            lines.setdefault(str(row["label"]), [empty] * len(periods))[i] = _value(ind.unit, row)
    if not lines:
        lines[scope.area_name] = [empty] * len(periods)
    return {
        "name": ind.name,
        "title": translate(ind.title),
        "unit": ind.unit,
        "months": [label for label, _, _ in periods],
        "lines": dict(sorted(lines.items())),
    }
