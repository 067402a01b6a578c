"""Placements (confirmed proposals) and their 3- and 6-month follow-ups.

Coordinators and admins read every placement of the area, caseworkers those of their own clients, an
employer those at their own organisation (:mod:`placements.access`); staff record the follow-ups.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from psycopg import errors as pg_errors

from accounts.models import Principal
from core.clock import add_months, today
from core.db import Conn
from core.errors import Conflict, NotFound, ValidationFailed
from core.municipalities import canonical_municipality
from core.paging import PageParams
from core.sql import EMPLOYER_NAME, in_listed_order, insert_row, list_rows, order_by
from employers.schemas import PlacementForm
from jobseekers import access as jobseeker_access
from jobseekers.audit import record_access
from placements import access
from placements.schemas import (
    PLACEMENT_SORTS,
    FollowUpCreate,
    PlacementFilters,
    PlacementStatus,
)


class FollowUpNotDue(ValidationFailed):
    type = "follow-up-not-due"
    title = "The follow-up is not due yet"


# Placements and follow-ups -------------------------------------------------------------------------


def _follow_up_due(placement: dict[str, Any]) -> dict[str, str]:
    return {str(m): add_months(placement["start_date"], m).isoformat() for m in (3, 6)}


def placement_view(principal: Principal, row: dict[str, Any]) -> dict[str, Any]:
    """A placement as the principal sees it; an employer not the jobseeker's id, who confirmed it, the
    coordinators' warnings or the follow-ups."""
    view = {
        "id": row["id"],
        "proposal_id": row["proposal_id"],
        "need_id": row["need_id"],
        "employer_id": row["employer_id"],
        "form": row["form"],
        "start_date": row["start_date"],
        "end_date": row["end_date"],
        "hours_per_week": float(row["hours_per_week"]) if row["hours_per_week"] is not None else None,
        "decision_reference": row["decision_reference"],
        "subsidy_percent": row["subsidy_percent"],
        "subsidy_months": row["subsidy_months"],
        "ended_on": row["ended_on"],
        "created_at": row["created_at"],
    }
    if "pseudonym" in row:
        view["pseudonym"] = row["pseudonym"]
    if principal.is_staff:
        view |= {
            "area_id": row["area_id"],
            "jobseeker_id": row["jobseeker_id"],
            "confirmed_by": row["confirmed_by"],
            "end_reason": row["end_reason"],
            "warnings": row["warnings"],
            "follow_ups_due": _follow_up_due(row),
            "version": row["version"],
        }
    return view


_PLACEMENT_SELECT = (
    "SELECT pl.*, p.card ->> 'pseudonym' AS pseudonym,"
    f" {jobseeker_access.caseworker_of('pl.jobseeker_id')}"
    " FROM placements pl JOIN proposals p ON p.id = pl.proposal_id"
)


def _visible_placement(conn: Conn, principal: Principal, placement_id: int) -> dict[str, Any]:
    row = conn.execute(
        _PLACEMENT_SELECT + " WHERE pl.id = %s AND pl.area_id = %s", (placement_id, principal.area_id)
    ).fetchone()
    if row is None or not access.may_see(principal, row):
        raise NotFound("placement not found")
    return row


def _follow_ups(conn: Conn, placement_id: int) -> list[dict[str, Any]]:
    return conn.execute(
        "SELECT id, due_months, outcome, note, recorded_by, recorded_at FROM placement_follow_ups"
        " WHERE placement_id = %s ORDER BY due_months",
        (placement_id,),
    ).fetchall()


def get_placement(conn: Conn, principal: Principal, placement_id: int) -> dict[str, Any]:
    """One placement; staff also see its follow-ups."""
    row = _visible_placement(conn, principal, placement_id)
    record_access(conn, principal, [row["jobseeker_id"]], "read", "placement")
    view = placement_view(principal, row)
    if principal.is_staff:
        view["follow_ups"] = _follow_ups(conn, placement_id)
    return view


def list_placements(
    conn: Conn,
    principal: Principal,
    filters: PlacementFilters,
    page: PageParams,
) -> tuple[list[dict[str, Any]], int]:
    """Placements the principal may see (an employer their own organisation's, a caseworker own clients')."""
    where = access.visible_where(principal)
    for column, value in (
        ("employer_id", filters.employer_id),
        ("need_id", filters.need_id),
        ("jobseeker_id", filters.jobseeker_id),
        ("form", filters.form.value if filters.form else None),
        # Who confirmed is the staff's business: an employer's filter by it is ignored.
        ("confirmed_by", filters.confirmed_by if principal.is_staff else None),
    ):
        if value is not None:
            where.append((f"{column} = %s", value))
    if filters.municipality:
        where.append(
            (
                "need_id IN (SELECT id FROM needs WHERE municipality = %s)",
                canonical_municipality(filters.municipality),
            )
        )
    if filters.start_from is not None:
        where.append(("start_date >= %s", filters.start_from))
    if filters.start_to is not None:
        where.append(("start_date <= %s", filters.start_to))
    if filters.status is not None:
        where.append(_status_condition(filters.status, today()))
    # By form: in the order the form choices list them (not by the codes' spelling), latest start first.
    ordering = order_by(
        filters.sort,
        PLACEMENT_SORTS,
        "-start_date",
        {"employer": EMPLOYER_NAME, "form": in_listed_order("form", [f.value for f in PlacementForm])},
        {"employer": "start_date DESC", "form": "start_date DESC"},
    )
    rows, total = list_rows(conn, "placements", where, ordering, page.limit, page.offset)
    pseudonyms = {
        r["id"]: r["pseudonym"]
        for r in conn.execute(
            "SELECT id, card ->> 'pseudonym' AS pseudonym FROM proposals WHERE id = ANY(%s)",
            ([r["proposal_id"] for r in rows],),
        )
    }
    record_access(conn, principal, [r["jobseeker_id"] for r in rows], "list", "placements")
    return [
        placement_view(principal, {**r, "pseudonym": pseudonyms.get(r["proposal_id"])}) for r in rows
    ], total


def standing(placement: dict[str, Any], day: date) -> PlacementStatus:
    """Where ``placement`` stands on ``day``, as a list shows it: ended (marked ended or past its end
    date), not started yet, or going on; the same rule as the status filter (:func:`_status_condition`),
    whose follow-up state is not a standing of its own."""
    end_date = placement["end_date"]
    if placement["ended_on"] is not None or (end_date is not None and end_date < day):
        return PlacementStatus.ENDED
    return PlacementStatus.UPCOMING if placement["start_date"] > day else PlacementStatus.ACTIVE


def _status_condition(status: PlacementStatus, day: date) -> tuple[str, Any]:
    """The condition of a placement standing ``status`` on ``day`` (see PlacementStatus)."""
    ended = "(ended_on IS NOT NULL OR coalesce(end_date < %s, false))"
    if status is PlacementStatus.ENDED:
        return ended, day
    if status is PlacementStatus.UPCOMING:
        return f"(start_date > %s AND NOT {ended})", (day, day)
    if status is PlacementStatus.ACTIVE:
        return f"(start_date <= %s AND NOT {ended})", (day, day)
    months = sorted(FOLLOW_UP_MONTHS)
    due = " OR ".join(
        "((start_date + make_interval(months => %s))::date <= %s AND NOT EXISTS (SELECT 1 FROM"
        " placement_follow_ups f WHERE f.placement_id = placements.id AND f.due_months = %s))"
        for _ in months
    )
    return f"({due})", tuple(v for m in months for v in (m, day, m))


def record_replay(conn: Conn, principal: Principal, placement_id: int, action: str, reason: str) -> None:
    """A replayed answer about a placement (a follow-up recorded) discloses its jobseeker again: it is
    audited like the first answer was."""
    row = conn.execute("SELECT jobseeker_id FROM placements WHERE id = %s", (placement_id,)).fetchone()
    if row is not None:
        record_access(conn, principal, [row["jobseeker_id"]], action, reason)


def add_follow_up(
    conn: Conn, principal: Principal, placement_id: int, data: FollowUpCreate
) -> dict[str, Any]:
    """Record the 3- or 6-month follow-up of a placement, once, on or after its due date."""
    placement = _visible_placement(conn, principal, placement_id)
    day = today()
    if day < placement["start_date"]:
        raise FollowUpNotDue(
            f"the placement starts on {placement['start_date'].isoformat()};"
            " follow it up once it has started",
            field="due",
        )
    due_on = add_months(placement["start_date"], data.due)
    if day < due_on:
        raise FollowUpNotDue(
            f"the {data.due}-month follow-up is due on {due_on.isoformat()}",
            field="due",
            extra={"due_on": due_on.isoformat()},
        )
    try:
        with conn.transaction():
            row = insert_row(
                conn,
                "placement_follow_ups",
                {
                    "placement_id": placement_id,
                    "due_months": data.due,
                    "outcome": data.outcome.value,
                    "note": data.note,
                    "recorded_by": principal.user_id,
                },
            )
    except pg_errors.UniqueViolation:
        raise Conflict(f"the {data.due}-month follow-up has already been recorded", field="due") from None
    record_access(conn, principal, [placement["jobseeker_id"]], "follow_up", f"{data.due}-month follow-up")
    return row


FOLLOW_UP_MONTHS = (3, 6)
"""A placement is followed up this many months after its start."""


def pending_follow_ups(start_date: date, done: list[int], day: date) -> list[tuple[int, date]]:
    """The follow-ups (months, due date) of a placement that started on ``start_date`` that are due on
    ``day`` and not yet recorded (``done`` holds the months recorded)."""
    due = ((m, add_months(start_date, m)) for m in FOLLOW_UP_MONTHS)
    return [(m, on) for m, on in due if on <= day and m not in done]


def due_follow_ups_of_every_area(conn: Conn, since: date, day: date) -> list[dict[str, Any]]:
    """Follow-ups that fell due between ``since`` and ``day``, in every area, with who confirmed the
    placement and the jobseeker's caseworker: for the reminders, run as the owner."""
    rows = conn.execute(
        "SELECT pl.id, pl.area_id, pl.start_date, pl.confirmed_by, j.caseworker_id,"
        " array(SELECT due_months FROM placement_follow_ups f WHERE f.placement_id = pl.id) AS done"
        " FROM placements pl JOIN jobseekers j ON j.id = pl.jobseeker_id"
        " WHERE pl.start_date <= %s AND pl.start_date >= %s ORDER BY pl.id",
        (add_months(day, -min(FOLLOW_UP_MONTHS)), add_months(since, -max(FOLLOW_UP_MONTHS))),
    ).fetchall()
    due: list[dict[str, Any]] = []
    for row in rows:
        for months, due_on in pending_follow_ups(row["start_date"], row["done"], day):
            if due_on >= since:
                due.append({**row, "months": months, "due_on": due_on})
    return due
