"""The coordinator's registers: the employer card, what is due, and the hidden-job ledger."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from psycopg import sql

from accounts.models import Principal
from core.clock import add_months, today
from core.db import Conn
from core.errors import ValidationFailed
from core.i18n import N_, translate
from core.paging import PageParams
from employers import service as employers
from employers.schemas import ContactFilters, NeedFilters
from jobseekers.audit import record_access
from placements.placed import pending_follow_ups, placement_view
from placements.proposals import proposal_view
from placements.settings import PlacementSettings
from placements.workflow import trial_guard
from recruitment import service as recruitment

HIDDEN_NEED = "(n.visibility = 'hidden' OR n.contact_id IS NOT NULL)"
HIDDEN_NEED_DEFINITION = N_(
    "A hidden need is one the open market never saw: recorded as hidden (not advertised), or found through"
    " the contact log (the need cites the contact it came from). It is counted in the period by the"
    " Finnish date it was recorded, archived or not. A hidden need is filled when at least one placement"
    " has been confirmed on it; positions and positions_filled add up its positions."
)
LOCAL_DATE = "(({}) AT TIME ZONE 'Europe/Helsinki')::date"
MAX_LIST = 200
MY_EMPLOYERS = "SELECT id FROM employers WHERE responsible_coordinator = %(me)s"
"""The employers whose responsible coordinator the principal (``%(me)s``) is: "my employers"."""

LedgerGroup = Literal["coordinator", "sector", "month"]


def local_date(column: str) -> str:
    """SQL for the Finnish calendar date of a timestamptz column (a whitelisted name from code)."""
    return LOCAL_DATE.format(column)


def local_day_start(day: str) -> str:
    """SQL for the moment (timestamptz) the Finnish date of the SQL expression ``day`` (from code) begins."""
    return f"(({day})::date::timestamp AT TIME ZONE 'Europe/Helsinki')"


def on_or_before_local_day(column: str, day: str) -> str:
    """SQL true when the timestamptz ``column`` falls on or before the Finnish date in the named parameter
    ``day``: the same as ``local_date(column) <= day``, but comparing the column itself, so that a
    query reads no time zone rules per row."""
    return f"{column} < {local_day_start(f'%({day})s::date + 1')}"


def on_local_days(column: str, first: str, last: str) -> str:
    """SQL true when the timestamptz ``column`` falls on a Finnish date from the named parameter ``first``
    to ``last``, inclusive (``local_date(column) BETWEEN first AND last``, compared as in
    :func:`on_or_before_local_day`)."""
    return f"{column} >= {local_day_start(f'%({first})s::date')} AND " + on_or_before_local_day(column, last)


def check_period(date_from: date, date_to: date, max_days: int = 3700) -> None:
    """422 unless ``date_from`` <= ``date_to`` and the period is at most about ten years."""
    if date_from > date_to:
        raise ValidationFailed("from must not be after to", field="from")
    if (date_to - date_from).days > max_days:
        raise ValidationFailed("the period may be at most ten years", field="to")


def default_period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """A report's period with each missing end as the API gives it: from the first day of the month
    eleven months back (twelve calendar months, this one included) to today."""
    day = today()
    return date_from or add_months(day.replace(day=1), -11), date_to or day


# The employer card ---------------------------------------------------------------------------------


def employer_card(
    conn: Conn, principal: Principal, employer_id: int, settings: PlacementSettings
) -> dict[str, Any]:
    """Everything the area knows of one employer: contacts, needs, proposals, placements, response rate.

    The response rate is answered proposals / proposals sent to the employer, over all time. ``warnings``
    carries the work-trial guard (see :func:`placements.workflow.trial_guard`).
    """
    employer = employers.get_employer(conn, principal, employer_id)
    first_page = PageParams(limit=MAX_LIST, offset=0)
    contacts, contact_total = employers.list_contacts(
        conn, principal, ContactFilters(employer_id=employer_id), first_page
    )
    needs, _ = employers.list_needs(
        conn, principal, NeedFilters(employer_id=employer_id, include_archived=True), first_page
    )
    need_items = [
        {
            "id": n["id"],
            "title": n["title"],
            "status": n["status"],
            "visibility": n["visibility"],
            "hidden": n["visibility"] == "hidden" or n["contact_id"] is not None,
            "contact_id": n["contact_id"],
            "positions": n["positions"],
            "positions_filled": n["positions_filled"],
            "is_assistive": n["is_assistive"],
            "archived": n["archived"],
            "created_at": n["created_at"],
        }
        for n in needs
    ]
    proposals = conn.execute(
        "SELECT * FROM proposals WHERE employer_id = %s AND area_id = %s ORDER BY created_at DESC LIMIT %s",
        (employer_id, principal.area_id, MAX_LIST),
    ).fetchall()
    placements = conn.execute(
        "SELECT pl.*, p.card ->> 'pseudonym' AS pseudonym FROM placements pl"
        " JOIN proposals p ON p.id = pl.proposal_id"
        " WHERE pl.employer_id = %s AND pl.area_id = %s ORDER BY pl.start_date DESC LIMIT %s",
        (employer_id, principal.area_id, MAX_LIST),
    ).fetchall()
    rate = conn.execute(
        "SELECT count(*) AS sent, count(answered_at) AS answered FROM proposals"
        " WHERE employer_id = %s AND area_id = %s",
        (employer_id, principal.area_id),
    ).fetchone()
    assert rate is not None
    record_access(
        conn,
        principal,
        [p["jobseeker_id"] for p in proposals] + [p["jobseeker_id"] for p in placements],
        "list",
        "employer card",
    )
    return {
        "employer": employer,
        "contacts": {"items": contacts, "total": contact_total},
        "open_needs": [n for n in need_items if n["status"] == "open" and not n["archived"]],
        "past_needs": [n for n in need_items if n["status"] != "open" or n["archived"]],
        "proposals": [proposal_view(principal, p, settings) for p in proposals],
        "placements": [placement_view(principal, p) for p in placements],
        "response_rate": {
            "sent": rate["sent"],
            "answered": rate["answered"],
            "rate": round(rate["answered"] / rate["sent"], 4) if rate["sent"] else None,
            "definition": "answered intro cards / intro cards sent to the employer, over all time",
        },
        "warnings": trial_guard(conn, employer_id, settings, today()),
    }


# What is due ---------------------------------------------------------------------------------------


def due_list(
    conn: Conn,
    principal: Principal,
    settings: PlacementSettings,
    *,
    whole_area: bool,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """What a coordinator should do today: contacts whose next step is due (next_step_date <= today),
    proposals unanswered for longer than the setting, and placement follow-ups due. Own by default
    (contacts logged, proposals made and placements confirmed by the principal, and all of these with
    the employers whose responsible coordinator the principal is), or the whole area."""
    day = today()
    contacts, total = employers.list_contacts(
        conn,
        principal,
        ContactFilters(due_before=day, mine=not whole_area, sort="next_step_date"),
        PageParams(limit=limit, offset=offset),
    )
    names = {
        e: employers.get_employer(conn, principal, e)["name"] for e in {c["employer_id"] for c in contacts}
    }
    for c in contacts:
        c["employer_name"] = names[c["employer_id"]]
    own_proposals = sql.SQL(
        "" if whole_area else f" AND (proposed_by = %(me)s OR employer_id IN ({MY_EMPLOYERS}))"
    )
    own_placements = sql.SQL(
        "" if whole_area else f" AND (pl.confirmed_by = %(me)s OR pl.employer_id IN ({MY_EMPLOYERS}))"
    )
    params: dict[str, Any] = {
        "area": principal.area_id,
        "me": principal.user_id,
        "days": settings.unanswered_after_days,
        "limit": MAX_LIST,
    }
    unanswered = conn.execute(
        sql.SQL(
            "SELECT * FROM proposals WHERE area_id = %(area)s AND answered_at IS NULL AND state = 'proposed'"
            " AND created_at < now() - make_interval(days => %(days)s){} ORDER BY created_at LIMIT %(limit)s"
        ).format(own_proposals),
        params,
    ).fetchall()
    placements = conn.execute(
        sql.SQL(
            "SELECT pl.*, p.card ->> 'pseudonym' AS pseudonym,"
            " array(SELECT due_months FROM placement_follow_ups f WHERE f.placement_id = pl.id) AS done"
            " FROM placements pl JOIN proposals p ON p.id = pl.proposal_id"
            " WHERE pl.area_id = %(area)s AND pl.start_date <= %(since)s{} ORDER BY pl.start_date"
        ).format(own_placements),
        {**params, "since": add_months(day, -3)},
    ).fetchall()
    follow_ups: list[dict[str, Any]] = []
    for pl in placements:
        for months, due_on in pending_follow_ups(pl["start_date"], pl["done"], day):
            follow_ups.append({"placement": placement_view(principal, pl), "due": months, "due_on": due_on})
    follow_ups.sort(key=lambda f: f["due_on"])  # the longest overdue first
    record_access(
        conn,
        principal,
        [p["jobseeker_id"] for p in unanswered] + [f["placement"]["jobseeker_id"] for f in follow_ups],
        "list",
        "due list",
    )
    return {
        "date": day,
        "scope": "area" if whole_area else "own",
        "contacts": {"items": contacts, "total": total, "limit": limit, "offset": offset},
        "unanswered_proposals": [proposal_view(principal, p, settings) for p in unanswered],
        "follow_ups": follow_ups,
    }


# The hidden-job ledger -----------------------------------------------------------------------------

_LEDGER_GROUPS: dict[str, tuple[str, str]] = {
    "coordinator": ("coalesce(c.user_id, n.created_by)::text", "coalesce(u.display_name, '(unknown)')"),
    "sector": ("coalesce(e.sector, '-')", "coalesce(e.sector, '-')"),
    "month": (f"to_char({local_date('n.created_at')}, 'YYYY-MM')",) * 2,
}


def hidden_jobs(
    conn: Conn,
    area_id: int,
    date_from: date,
    date_to: date,
    group_by: LedgerGroup,
    language: str = "fi",
    *,
    responsible: int | None = None,
    event_id: int | None = None,
) -> dict[str, Any]:
    """Hidden needs of ``area_id`` uncovered in the period and how many were filled, per coordinator,
    sector or month, with the definition in ``language`` (fi, sv, en): of the whole area, or (given
    ``responsible``, a user id) of the employers whose responsible coordinator that user is; with
    ``event_id``, only those found at that recruitment event of the area (422 when it has none).

    The coordinator of a need is the one who logged the contact it came from, or else who recorded it.
    """
    check_period(date_from, date_to)
    if event_id is not None:
        recruitment.event_title(conn, area_id, event_id)
    key, label = _LEDGER_GROUPS[group_by]
    query = sql.SQL(
        "SELECT {key} AS key, {label} AS label, count(*) AS hidden_needs,"
        " count(*) FILTER (WHERE n.positions_filled > 0) AS filled_needs,"
        " sum(n.positions) AS positions, sum(n.positions_filled) AS positions_filled,"
        " count(*) FILTER (WHERE n.contact_id IS NOT NULL) AS from_contacts"
        " FROM needs n JOIN employers e ON e.id = n.employer_id"
        " LEFT JOIN contacts c ON c.id = n.contact_id"
        " LEFT JOIN users u ON u.id = coalesce(c.user_id, n.created_by)"
        " WHERE n.area_id = %(area)s AND {hidden} AND {day} BETWEEN %(from)s AND %(to)s{mine}"
        " AND (%(event)s::bigint IS NULL OR n.event_id = %(event)s)"
        " GROUP BY 1, 2 ORDER BY 2, 1"
    ).format(
        key=sql.SQL(key),
        label=sql.SQL(label),
        hidden=sql.SQL(HIDDEN_NEED),
        day=sql.SQL(local_date("n.created_at")),
        mine=sql.SQL("" if responsible is None else " AND e.responsible_coordinator = %(me)s"),
    )
    params = {"area": area_id, "from": date_from, "to": date_to, "me": responsible, "event": event_id}
    rows = conn.execute(query, params).fetchall()
    groups = [
        {
            "key": r["key"],
            "label": r["label"],
            "hidden_needs": r["hidden_needs"],
            "filled_needs": r["filled_needs"],
            "from_contacts": r["from_contacts"],
            "positions": int(r["positions"] or 0),
            "positions_filled": int(r["positions_filled"] or 0),
        }
        for r in rows
    ]
    totals = {
        name: sum(g[name] for g in groups)
        for name in ("hidden_needs", "filled_needs", "from_contacts", "positions", "positions_filled")
    }
    return {
        "from": date_from,
        "to": date_to,
        "scope": "area" if responsible is None else "own",
        "group_by": group_by,
        "event_id": event_id,
        "language": language,
        "definition": translate(HIDDEN_NEED_DEFINITION, language),
        "groups": groups,
        "totals": totals,
    }
