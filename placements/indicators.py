"""Shared outcome indicators of an employment area, for a chosen period, per area, municipality,
coordinator or month.

Each indicator is a function whose docstring is its definition; the API, the CLI and the exports give
that text with the figures, translated by the catalogue (the docstring is its message id) into the
reader's language. Periods are inclusive Finnish calendar dates. ``by=month`` computes the
indicator over each calendar month's part of the period, as if that part were the period.

Dimensions: for placement and proposal indicators the municipality is where the work is (the need's
municipality) and the coordinator is whoever proposed the candidate; for the placement start rate and
the bonus indicators of the 2012-2015 experiment (activation rate, rehabilitation transition rate,
subsidised firm start rate and their weighted bonus score) they are the jobseeker's home municipality and
responsible caseworker, so that the three parts of the score count the same people.

A target group (:mod:`jobseekers.target_groups`) narrows every indicator to its members: the jobseekers
counted, placed or proposed who meet its rule on the period's last day (today, for a period not yet
over).

A recruitment event (:mod:`recruitment`) cuts them too: placements and proposals made at the event (the
proposal names it, or its need was found there; the subsidised firm start rate among them), and for the
rates over jobseekers (placement start, activation, rehabilitation transition) the jobseekers invited to it.
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
from placements.ledger import HIDDEN_NEED, check_period, local_date, local_day_start
from recruitment import service as recruitment

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
    event: tuple[int, str] | None = None
    """The id and title of the recruitment event the figures are cut by, if any."""

    def params(self, per_month: bool) -> dict[str, Any]:
        """The query parameters: the periods the figures are computed over (the whole period, or each
        month's part of it), the target group's rule and the recruitment event."""
        periods: list[tuple[str | None, date, date]] = (
            [*months(self.date_from, self.date_to)] if per_month else [(None, self.date_from, self.date_to)]
        )
        return {
            "area": self.area_id,
            "area_name": self.area_name,
            "months": [label for label, _, _ in periods],
            "firsts": [first for _, first, _ in periods],
            "lasts": [last for _, _, last in periods],
            "today": clock.today(),
            "tg": Jsonb(self.target_group[1]) if self.target_group else None,
            "event": self.event[0] if self.event else None,
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


def at_event(conn: Conn, scope: Scope, event_id: int | None) -> Scope:
    """``scope`` cut by a recruitment event of its area (422 naming ``event_id`` when the area has no such
    event), or as it is when none is named."""
    if event_id is None:
        return scope
    return replace(scope, event=(event_id, recruitment.event_title(conn, scope.area_id, event_id)))


# Cut by a recruitment event (parameter ``event``, null for no cut): placements and proposals made at
# it (the proposal names it, or its need was found there); for the rates over jobseekers, the
# jobseekers invited to it.
_AT_EVENT = "(%(event)s::bigint IS NULL OR p.event_id = %(event)s OR n.event_id = %(event)s)"
_INVITED = recruitment.attendee_sql("a.id", "event")


def _members(id_column: str) -> str:
    return target_groups.member_sql(id_column, "tg", "m.tg_on")


Row = dict[str, Any]

# The periods an indicator is computed over, as the relation m: the whole period (one row, month null)
# or each calendar month's part of it, computed in one query as if each part were the period. Its
# columns: month (YYYY-MM), i (its place, from 1), first_day and last_day (inclusive Finnish dates),
# tg_on (the day target group members are judged on: the last day, or today for a period not yet
# over), starts and ends (the moments the first day begins and the day after the last begins, so that
# timestamps are compared with them rather than converted to Finnish time row by row). OFFSET 0 keeps
# the planner from folding the relation into the query, which would compute the bounds again for every
# row joined to a month.
_PERIODS = (
    "(SELECT u.month, u.i, u.first_day, u.last_day, least(u.last_day, %(today)s::date) AS tg_on, "
    + local_day_start("u.first_day")
    + " AS starts, "
    + local_day_start("u.last_day + 1")
    + " AS ends FROM unnest(%(months)s::text[], %(firsts)s::date[], %(lasts)s::date[])"
    " WITH ORDINALITY AS u(month, first_day, last_day, i) OFFSET 0) m"
)

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
    "FROM placements pl JOIN " + _PERIODS + " ON pl.start_date BETWEEN m.first_day AND m.last_day"
    " JOIN proposals p ON p.id = pl.proposal_id JOIN needs n ON n.id = pl.need_id"
    " JOIN employers e ON e.id = pl.employer_id LEFT JOIN users u ON u.id = p.proposed_by"
    " WHERE pl.area_id = %(area)s AND " + _members("pl.jobseeker_id") + " AND " + _AT_EVENT
)


def _rows(
    conn: Conn, query: str, groups: dict[str, tuple[str, str]], scope: Scope, by: str, per_month: bool
) -> list[Row]:
    key, label = groups[by]
    composed = sql.SQL(query).format(key=sql.SQL(key), label=sql.SQL(label))
    return conn.execute(composed, scope.params(per_month)).fetchall()


def placement_start_rate(conn: Conn, scope: Scope, by: str, per_month: bool = False) -> list[Row]:
    """Placement start rate: jobseekers with a placement starting in the period / jobseekers of the area
    active in the period. Active: registered on or before the last day of the period and not archived,
    or starting a placement in the period (so the rate is at most 1). Grouped by the jobseeker's home
    municipality and responsible caseworker."""
    return _rows(conn, _active_share(scope, _STARTED), _JOBSEEKER_GROUPS, scope, by, per_month)


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

# The jobseekers of each period (m.i) an active share counts beyond the registered, as hits(i,
# jobseeker_id, counts): counts when they are in its numerator. _STARTED: those starting a placement in
# the period, all counted. _ACTIVATED: those in an activating service on at least one day of the period
# (counted), and those starting a placement in it (active, so in the denominator, but not counted).
_STARTED = (
    "hits AS (SELECT DISTINCT m.i, s.jobseeker_id, true AS counts FROM placements s"
    " JOIN m ON s.start_date BETWEEN m.first_day AND m.last_day WHERE s.area_id = %(area)s)"
)
_ACTIVATED = (
    "hits AS (SELECT m.i, x.jobseeker_id, bool_or(x.counts) AS counts FROM ("
    "SELECT jobseeker_id, start_date AS first_day,"
    " coalesce(ended_on, end_date, 'infinity'::date) AS last_day, true AS counts FROM placements"
    " WHERE area_id = %(area)s AND form = ANY(%(activating_forms)s)"
    " UNION ALL SELECT jobseeker_id, starts_on, coalesce(ends_on, 'infinity'::date), true FROM referrals"
    " WHERE area_id = %(area)s AND service = ANY(%(activating_services)s)"
    " UNION ALL SELECT jobseeker_id, start_date, start_date, false FROM placements WHERE area_id = %(area)s"
    ") x JOIN m ON x.first_day <= m.last_day AND x.last_day >= m.first_day GROUP BY 1, 2)"
)


def _active_share(scope: Scope, hits: str) -> str:
    """The query of a share of the jobseekers active in each period: the numerator those of ``hits``
    that count, the denominator the registered (on or before the last day and not archived) and those of
    ``hits`` not registered."""
    if scope.target_group is None:
        return _ACTIVE_BY_REGISTRATION.replace("{hits}", hits)
    # With a target group, who is a member depends on each month's last day: every jobseeker is
    # judged for every month.
    return (
        "WITH m AS MATERIALIZED (SELECT * FROM "
        + _PERIODS
        + "), "
        + hits
        + " SELECT m.month, {key} AS key, {label} AS label,"
        " count(*) FILTER (WHERE h.counts) AS numerator,"
        " count(*) AS denominator, NULL::float8 AS median"
        " FROM jobseekers a CROSS JOIN m"
        " LEFT JOIN hits h ON h.i = m.i AND h.jobseeker_id = a.id"
        " LEFT JOIN users u ON u.id = a.caseworker_id"
        " WHERE a.area_id = %(area)s AND ((NOT a.archived AND a.created_at < m.ends)"
        " OR h.jobseeker_id IS NOT NULL) AND "
        + _members("a.id")
        + " AND "
        + _INVITED
        + " GROUP BY m.i, m.month, 2, 3"
    )


# An active share without a target group, counted without pairing every jobseeker with every month: a
# jobseeker not archived is registered in every period from the first that ends after they registered
# (width_bucket: how many periods end by then), so the registered are counted once per group and first
# period and summed over the periods; the hits of a period count in its numerator when they count, and
# in its denominator too when they are not registered in it. Cut by an event, both the registered
# and the hits are only the jobseekers invited to it (_INVITED).
_ACTIVE_BY_REGISTRATION = (
    "WITH m AS MATERIALIZED (SELECT * FROM " + _PERIODS + "), {hits},"
    " registered AS (SELECT {key} AS key, {label} AS label,"
    " width_bucket(a.created_at, (SELECT array_agg(ends ORDER BY i) FROM m)) AS b, count(*) AS n"
    " FROM jobseekers a LEFT JOIN users u ON u.id = a.caseworker_id"
    " WHERE a.area_id = %(area)s AND NOT a.archived AND " + _INVITED + " GROUP BY 1, 2, 3),"
    " counted AS (SELECT m.i, r.key, r.label, 0 AS numerator, r.n AS denominator"
    " FROM registered r JOIN m ON r.b < m.i"
    " UNION ALL SELECT m.i, {key}, {label}, CASE WHEN h.counts THEN 1 ELSE 0 END,"
    " CASE WHEN NOT a.archived AND a.created_at < m.ends THEN 0 ELSE 1 END"
    " FROM hits h JOIN m ON m.i = h.i JOIN jobseekers a ON a.id = h.jobseeker_id"
    " LEFT JOIN users u ON u.id = a.caseworker_id WHERE a.area_id = %(area)s AND " + _INVITED + ")"
    " SELECT m.month, c.key, c.label, sum(c.numerator)::bigint AS numerator,"
    " sum(c.denominator)::bigint AS denominator, NULL::float8 AS median"
    " FROM counted c JOIN m ON m.i = c.i GROUP BY m.i, m.month, c.key, c.label"
)


def activation_rate(conn: Conn, scope: Scope, by: str, per_month: bool = False) -> list[Row]:
    """Activation rate (bonus indicator of the 2012-2015 experiment, weighted 0.6 in bonus_score): of the
    target group's jobseekers active in the period, the share in an activating service on at least one day of
    it: a pay_subsidy or work_trial placement, or a referral to start_up_grant, job_search_coaching,
    career_coaching, working_life_trial, labour_market_training, self_motivated_study or rehabilitative_work
    (started on or before the last day, not ended before the first). Active: registered on or before the last
    day and not archived, or in an activating service or starting a placement in the period. Grouped by the
    jobseeker's home municipality and responsible caseworker."""
    return _rows(conn, _activation_query(scope), _JOBSEEKER_GROUPS, scope, by, per_month)


def _activation_query(scope: Scope) -> str:
    return _active_share(scope, _ACTIVATED)


def rehabilitation_transition_rate(conn: Conn, scope: Scope, by: str, per_month: bool = False) -> list[Row]:
    """Rehabilitation transition rate (bonus indicator of the 2012-2015 experiment, weighted 0.3 in
    bonus_score): of the target group's referrals to rehabilitative_work (kuntouttava työtoiminta) ending in
    the period, the share whose recorded outcome is a transition to TE services (te_services), education or
    work (employment); an ending without a recorded outcome is no transition. Grouped by the jobseeker's home
    municipality and responsible caseworker."""
    return _rows(conn, _rehabilitation_query(scope), _JOBSEEKER_GROUPS, scope, by, per_month)


def _rehabilitation_query(scope: Scope) -> str:
    return (
        "SELECT m.month, {key} AS key, {label} AS label,"
        " count(*) FILTER (WHERE r.outcome = ANY(%(transitions)s)) AS numerator,"
        " count(*) AS denominator, NULL::float8 AS median"
        " FROM referrals r JOIN " + _PERIODS + " ON r.ends_on BETWEEN m.first_day AND m.last_day"
        " JOIN jobseekers a ON a.id = r.jobseeker_id LEFT JOIN users u ON u.id = a.caseworker_id"
        " WHERE r.area_id = %(area)s AND r.service = 'rehabilitative_work' AND "
        + _members("a.id")
        + " AND "
        + _INVITED
        + " GROUP BY 1, 2, 3"
    )


def subsidised_firm_start_rate(conn: Conn, scope: Scope, by: str, per_month: bool = False) -> list[Row]:
    """Subsidised firm start rate (bonus indicator of the 2012-2015 experiment, weighted 0.1 in bonus_score):
    of the target group's pay_subsidy placements starting in the period, the share at employers recorded as
    firms (kind firm; public bodies, third-sector organisations and employers whose kind is not recorded are
    not firms). Grouped by the jobseeker's home municipality and responsible caseworker."""
    return _rows(conn, _subsidised_query(scope), _JOBSEEKER_GROUPS, scope, by, per_month)


def _subsidised_query(scope: Scope) -> str:
    return (
        "SELECT m.month, {key} AS key, {label} AS label,"
        " count(*) FILTER (WHERE e.kind = 'firm') AS numerator, count(*) AS denominator,"
        " NULL::float8 AS median"
        " FROM placements pl JOIN " + _PERIODS + " ON pl.start_date BETWEEN m.first_day AND m.last_day"
        " JOIN jobseekers a ON a.id = pl.jobseeker_id JOIN proposals p ON p.id = pl.proposal_id"
        " JOIN needs n ON n.id = pl.need_id"
        " JOIN employers e ON e.id = pl.employer_id LEFT JOIN users u ON u.id = a.caseworker_id"
        " WHERE pl.area_id = %(area)s AND pl.form = 'pay_subsidy' AND "
        + _members("a.id")
        + " AND "
        + _AT_EVENT
        + " GROUP BY 1, 2, 3"
    )


BONUS_WEIGHTS: tuple[tuple[Callable[[Scope], str], float], ...] = (
    (_activation_query, 0.6),
    (_rehabilitation_query, 0.3),
    (_subsidised_query, 0.1),
)


def bonus_score(conn: Conn, scope: Scope, by: str, per_month: bool = False) -> list[Row]:
    """Bonus score of the 2012-2015 experiment: 0.6 × activation_rate + 0.3 × rehabilitation_transition_rate +
    0.1 × subsidised_firm_start_rate, each a share between 0 and 1, for the same target group, period and
    group; no score for a group where any of the three has no figure (nothing to count)."""
    # The three parts in one query, each row tagged with its part's place in BONUS_WEIGHTS.
    query = " UNION ALL ".join(
        f"SELECT {i} AS part, q{i}.* FROM ({part(scope)}) q{i}" for i, (part, _) in enumerate(BONUS_WEIGHTS)
    )
    parts: dict[tuple[str | None, str], dict[str, Any]] = {}
    for row in _rows(conn, query, _JOBSEEKER_GROUPS, scope, by, per_month):
        found = (row["month"], str(row["key"]))
        part = parts.setdefault(
            found, {"month": row["month"], "key": row["key"], "label": row["label"], "sum": 0.0}
        )
        if row["denominator"]:
            part["sum"] += BONUS_WEIGHTS[row["part"]][1] * row["numerator"] / row["denominator"]
            part["parts"] = part.get("parts", 0) + 1
    return [
        {
            "month": p["month"],
            "key": p["key"],
            "label": p["label"],
            "numerator": None,
            "denominator": None,
            "median": None,
            "value": round(p["sum"], 4) if p.get("parts") == len(BONUS_WEIGHTS) else None,
        }
        for p in parts.values()
    ]


def assistive_transitions(conn: Conn, scope: Scope, by: str, per_month: bool = False) -> list[Row]:
    """Transitions from assistive or rehabilitative placements: of the work trials and assistive tasks
    starting in the period, the share followed by employment or training: a 3- or 6-month follow-up
    outcome open_labour_market or studies, or a later placement (starting after it, at any time up to
    now) of the same jobseeker as open_job, pay_subsidy, apprenticeship or recruitment_training."""
    query = (
        "SELECT m.month, {key} AS key, {label} AS label,"
        " count(*) FILTER (WHERE EXISTS (SELECT 1 FROM placement_follow_ups f WHERE f.placement_id = pl.id"
        " AND f.outcome IN ('open_labour_market', 'studies'))"
        " OR EXISTS (SELECT 1 FROM placements later WHERE later.jobseeker_id = pl.jobseeker_id"
        " AND later.form IN ('open_job', 'pay_subsidy', 'apprenticeship', 'recruitment_training')"
        " AND later.start_date > pl.start_date)) AS numerator,"
        " count(*) AS denominator, NULL::float8 AS median "
        + _PLACEMENTS_IN_PERIOD
        + " AND pl.form IN ('work_trial', 'assistive_task') GROUP BY 1, 2, 3"
    )
    return _rows(conn, query, _WORK_GROUPS, scope, by, per_month)


def wage_subsidised_starts(conn: Conn, scope: Scope, by: str, per_month: bool = False) -> list[Row]:
    """Wage-subsidised starts in firms: pay_subsidy placements starting in the period at employers that
    are not municipal (count)."""
    query = (
        "SELECT m.month, {key} AS key, {label} AS label, count(*) AS numerator,"
        " NULL::bigint AS denominator, NULL::float8 AS median "
        + _PLACEMENTS_IN_PERIOD
        + " AND pl.form = 'pay_subsidy' AND NOT e.is_municipal GROUP BY 1, 2, 3"
    )
    return _rows(conn, query, _WORK_GROUPS, scope, by, per_month)


def median_days_to_placement(conn: Conn, scope: Scope, by: str, per_month: bool = False) -> list[Row]:
    """Median days from proposal to placement: over placements starting in the period, the median of
    days from the Finnish date the candidate was proposed to the placement's start date (numerator: the
    number of placements)."""
    query = (
        "SELECT m.month, {key} AS key, {label} AS label, count(*) AS numerator,"
        " NULL::bigint AS denominator, percentile_cont(0.5) WITHIN GROUP (ORDER BY (pl.start_date - "
        + local_date("p.created_at")
        + ")::float8) AS median "
        + _PLACEMENTS_IN_PERIOD
        + " GROUP BY 1, 2, 3"
    )
    return _rows(conn, query, _WORK_GROUPS, scope, by, per_month)


def employer_response_rate(conn: Conn, scope: Scope, by: str, per_month: bool = False) -> list[Row]:
    """Employer response rate: of the intro cards sent (proposals made) in the period, the share the
    employer answered (interested, not now or not suitable) on or before the last day of the period."""
    query = (
        "SELECT m.month, {key} AS key, {label} AS label,"
        " count(*) FILTER (WHERE p.answered_at IS NOT NULL AND p.answered_at < m.ends) AS numerator,"
        " count(*) AS denominator, NULL::float8 AS median"
        " FROM proposals p JOIN " + _PERIODS + " ON p.created_at >= m.starts AND p.created_at < m.ends"
        " JOIN needs n ON n.id = p.need_id LEFT JOIN users u ON u.id = p.proposed_by"
        " WHERE p.area_id = %(area)s AND "
        + _members("p.jobseeker_id")
        + " AND "
        + _AT_EVENT
        + " GROUP BY 1, 2, 3"
    )
    return _rows(conn, query, _WORK_GROUPS, scope, by, per_month)


def hidden_need_share(conn: Conn, scope: Scope, by: str, per_month: bool = False) -> list[Row]:
    """Share of placements from hidden needs: of the placements starting in the period, those on a
    hidden need (recorded as hidden, or found through the contact log: the need cites a contact)."""
    query = (
        "SELECT m.month, {key} AS key, {label} AS label, count(*) FILTER (WHERE "
        + HIDDEN_NEED
        + ") AS numerator, count(*) AS denominator, NULL::float8 AS median "
        + _PLACEMENTS_IN_PERIOD
        + " GROUP BY 1, 2, 3"
    )
    return _rows(conn, query, _WORK_GROUPS, scope, by, per_month)


@dataclass(frozen=True)
class Indicator:
    name: str
    title: str
    """A message id: the replies and files give it in Finnish, the pages in the reader's language."""
    unit: Unit
    compute: Callable[[Conn, Scope, str, bool], list[Row]]
    """The figures over the scope's period, grouped by a dimension; with ``per_month``, over each month's
    part of it (rows carry their ``month``)."""

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
        Indicator("bonus_score", N_("Weighted bonus rate (60 / 30 / 10)"), "ratio", bonus_score),
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
            "hidden_need_share", N_("Share of placements from hidden needs"), "ratio", hidden_need_share
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


def by_month(conn: Conn, scope: Scope, ind: Indicator, dimension: str) -> dict[str, list[Row]]:
    """The indicator's rows for each month of the period, grouped by ``dimension``, computed in one
    query: the same rows as computing it over each month's part of the period, month by month."""
    out: dict[str, list[Row]] = {label: [] for label, _, _ in months(scope.date_from, scope.date_to)}
    for row in ind.compute(conn, scope, dimension, True):
        out[row["month"]].append(row)
    return out


def series(conn: Conn, scope: Scope, ind: Indicator, by: By) -> list[dict[str, Any]]:
    """The indicator's figures per group (every month of the period for ``month``, the area always)."""
    if by == "month":
        return [
            _point(ind.unit, label, label, rows[0] if rows else None)
            for label, rows in by_month(conn, scope, ind, "area").items()
        ]
    rows = sorted(ind.compute(conn, scope, by, False), key=lambda r: (str(r["label"]), str(r["key"])))
    if by == "area" and not rows:
        return [_point(ind.unit, scope.area_name, scope.area_name, None)]
    return [_point(ind.unit, r["key"], r["label"], r) for r in rows]


def compute(conn: Conn, scope: Scope, by: By, language: str = "fi") -> dict[str, Any]:
    """Every indicator for the scope, each with its title and definition in ``language`` (fi, sv, en) and
    its definition in each of them (``definitions``)."""
    check_period(scope.date_from, scope.date_to)
    return {
        "area": scope.area_name,
        "from": scope.date_from,
        "to": scope.date_to,
        "by": by,
        "target_group": scope.target_group[0] if scope.target_group else None,
        "event": scope.event[1] if scope.event else None,
        "language": language,
        "indicators": [
            {
                "name": ind.name,
                "title": translate(ind.title, language),
                "unit": ind.unit,
                "definition": translate(ind.definition, language),
                "definitions": {lang: translate(ind.definition, lang) for lang in LANGUAGES},
                "series": series(conn, scope, ind, by),
            }
            for ind in INDICATORS.values()
        ],
    }


def over_time(conn: Conn, scope: Scope, ind: Indicator, by: By) -> dict[str, Any]:
    """The indicator month by month, one line per group of ``by`` (one line for ``area`` or ``month``)."""
    check_period(scope.date_from, scope.date_to)
    dimension = "area" if by == "month" else by
    per_month = by_month(conn, scope, ind, dimension)
    empty: int | None = 0 if ind.unit == "count" else None
    lines: dict[str, list[float | int | None]] = {}
    for i, rows in enumerate(per_month.values()):
        for row in sorted(rows, key=lambda r: str(r["key"])):
            lines.setdefault(str(row["label"]), [empty] * len(per_month))[i] = _value(ind.unit, row)
    if not lines:
        lines[scope.area_name] = [empty] * len(per_month)
    return {
        "name": ind.name,
        "title": translate(ind.title),
        "unit": ind.unit,
        "months": list(per_month),
        "lines": dict(sorted(lines.items())),
    }
