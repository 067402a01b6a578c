"""Recruitment events of an employment area: who organises them, which employers take part, which
jobseekers are invited and who came.

An employer's attendance is written into its contact log (an ``event`` contact naming the event), and a
jobseeker's into their history (:func:`events_of_jobseeker`). Needs found at an event and proposals made at
one name it; the ledger and the indicators cut by it (:func:`attendee_sql`). Employers never see events:
they would name the jobseekers who came, and an employer learns of a candidate only through an intro card.
Every check runs before the first write, so a refused request writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from psycopg import errors as pg_errors
from psycopg import sql

from accounts import service as accounts
from accounts.models import STAFF, Principal, Role
from core.db import Conn
from core.errors import Conflict, NotFound, ValidationFailed
from core.municipalities import canonical_municipality
from core.paging import PageParams
from core.sql import ANY_VERSION, insert_row, list_rows, order_by, update_versioned
from employers import service as employers
from employers.schemas import ContactEntry, ContactKind
from jobseekers import access
from jobseekers.audit import record_access
from recruitment.schemas import (
    EVENT_SORTS,
    Attendance,
    AttendanceIn,
    EventCreate,
    EventFilters,
    EventUpdate,
    ParticipantsIn,
)

TABLE = "recruitment_events"
_COLUMNS = sql.SQL(
    "*, (SELECT display_name FROM users u WHERE u.id = recruitment_events.organiser_id) AS organiser_name,"
    " (SELECT count(*) FROM event_employers ee WHERE ee.event_id = recruitment_events.id) AS employers,"
    " (SELECT count(*) FROM event_jobseekers ej WHERE ej.event_id = recruitment_events.id) AS invited,"
    " (SELECT count(*) FROM event_jobseekers ej WHERE ej.event_id = recruitment_events.id"
    "  AND ej.attendance = 'attended') AS attended"
)


class NotInvited(Conflict):
    type = "not-invited"
    title = "Not taking part in the event"


def _staff_only(principal: Principal) -> None:
    # An employer is answered as if there were no events at all: see the module's docstring.
    if principal.role not in STAFF:
        raise NotFound("event not found")


def _event(conn: Conn, principal: Principal, event_id: int) -> dict[str, Any]:
    _staff_only(principal)
    rows, _ = list_rows(
        conn, TABLE, [("id = %s", event_id), ("area_id = %s", principal.area_id)], sql.SQL(""), 1, 0, _COLUMNS
    )
    if not rows:
        raise NotFound("event not found")
    return rows[0]


def _checked_place(conn: Conn, area_id: int, municipality: str) -> str:
    name = canonical_municipality(municipality)
    if name not in accounts.area_municipalities(conn, area_id):
        raise ValidationFailed(
            "the event's municipality is not one of the employment area's municipalities",
            field="municipality",
        )
    return name


def _checked_organiser(conn: Conn, principal: Principal, organiser_id: int) -> int:
    found = accounts.active_users(conn, [organiser_id])
    if not found or found[0]["area_id"] != principal.area_id or found[0]["role"] not in STAFF:
        raise ValidationFailed(
            "the organiser must be an active staff user of the employment area", field="organiser_id"
        )
    return organiser_id


def _checked_employers(conn: Conn, principal: Principal, employer_ids: Sequence[int]) -> list[int]:
    for employer_id in employer_ids:
        try:
            employers.get_employer(conn, principal, employer_id)
        except NotFound:
            raise NotFound("no such employer in the employment area", field="employer_ids") from None
    return list(dict.fromkeys(employer_ids))


def _checked_jobseekers(conn: Conn, principal: Principal, jobseeker_ids: Sequence[int]) -> list[int]:
    for jobseeker_id in jobseeker_ids:
        try:
            seen = access.check_visible(principal, access.subject(conn, jobseeker_id))
        except NotFound:
            raise NotFound("no such jobseeker among those you may invite", field="jobseeker_ids") from None
        access.refuse_erased(seen)
    return list(dict.fromkeys(jobseeker_ids))


def _add(
    conn: Conn, principal: Principal, event_id: int, employer_ids: list[int], jobseeker_ids: list[int]
) -> None:
    for employer_id in employer_ids:
        conn.execute(
            "INSERT INTO event_employers (event_id, employer_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
            (event_id, employer_id),
        )
    for jobseeker_id in jobseeker_ids:
        conn.execute(
            "INSERT INTO event_jobseekers (event_id, jobseeker_id, invited_by) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            (event_id, jobseeker_id, principal.user_id),
        )


def create_event(conn: Conn, principal: Principal, data: EventCreate) -> dict[str, Any]:
    """A new event of the area with its employers and invited jobseekers.

    422 naming the field when the place is outside the area or the organiser is not its staff; 404 naming
    the field for an employer of another area or a jobseeker the caller may not see; 409 for a used
    ``external_id``.
    """
    _staff_only(principal)
    values = data.model_dump(exclude_none=True, exclude={"employer_ids", "jobseeker_ids"})
    values["municipality"] = _checked_place(conn, principal.area_id, data.municipality)
    organiser = data.organiser_id or principal.user_id
    values["organiser_id"] = _checked_organiser(conn, principal, organiser)
    employer_ids = _checked_employers(conn, principal, data.employer_ids)
    jobseeker_ids = _checked_jobseekers(conn, principal, data.jobseeker_ids)
    values |= {"area_id": principal.area_id, "created_by": principal.user_id}
    try:
        with conn.transaction():
            row = insert_row(conn, TABLE, values)
    except pg_errors.UniqueViolation:
        raise Conflict("external_id is already used in the area", field="external_id") from None
    _add(conn, principal, row["id"], employer_ids, jobseeker_ids)
    return get_event(conn, principal, row["id"])


def update_event(
    conn: Conn, principal: Principal, event_id: int, version: int, data: EventUpdate
) -> dict[str, Any]:
    """Change an event at the version the client read (the same checks as creating one)."""
    _event(conn, principal, event_id)
    changes = data.model_dump(exclude_unset=True)
    for name in ("kind", "title", "event_date", "municipality", "place", "description", "organiser_id"):
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"{name} cannot be empty", field=name)
    if "municipality" in changes:
        changes["municipality"] = _checked_place(conn, principal.area_id, changes["municipality"])
    if "organiser_id" in changes:
        _checked_organiser(conn, principal, changes["organiser_id"])
    update_versioned(conn, TABLE, event_id, principal.area_id, version, changes)
    return get_event(conn, principal, event_id)


def list_events(
    conn: Conn, principal: Principal, filters: EventFilters, page: PageParams
) -> tuple[list[dict[str, Any]], int]:
    """Events of the area matching the filters, with their counts; a municipality is named in Finnish or
    Swedish, and one that is no Finnish municipality is a validation error (as for proposals and
    placements), not an empty list."""
    _staff_only(principal)
    where: list[tuple[str, Any]] = [("area_id = %s", principal.area_id)]
    if filters.kind is not None:
        where.append(("kind = %s", filters.kind.value))
    if filters.municipality:
        where.append(("municipality = %s", canonical_municipality(filters.municipality)))
    if filters.date_from is not None:
        where.append(("event_date >= %s", filters.date_from))
    if filters.date_to is not None:
        where.append(("event_date <= %s", filters.date_to))
    if filters.organiser_id is not None:
        where.append(("organiser_id = %s", filters.organiser_id))
    if filters.employer_id is not None:
        where.append(
            ("id IN (SELECT event_id FROM event_employers WHERE employer_id = %s)", filters.employer_id)
        )
    ordering = order_by(filters.sort, EVENT_SORTS, "-event_date")
    return list_rows(conn, TABLE, where, ordering, page.limit, page.offset, _COLUMNS)


def get_event(conn: Conn, principal: Principal, event_id: int) -> dict[str, Any]:
    """An event with its employers, the invited jobseekers the principal may see (by pseudonym, audited)
    and what came of it."""
    event = _event(conn, principal, event_id)
    event["participating_employers"] = conn.execute(
        "SELECT ee.employer_id, e.name, ee.attendance, ee.contact_id FROM event_employers ee"
        " JOIN employers e ON e.id = ee.employer_id WHERE ee.event_id = %s ORDER BY lower(e.name), e.id",
        (event_id,),
    ).fetchall()
    invited = conn.execute(
        "SELECT ej.jobseeker_id, j.pseudonym, ej.attendance, j.area_id, j.caseworker_id"
        " FROM event_jobseekers ej JOIN jobseekers j ON j.id = ej.jobseeker_id"
        " WHERE ej.event_id = %s ORDER BY j.pseudonym, j.id",
        (event_id,),
    ).fetchall()
    seen = [r for r in invited if access.may_see(principal, r)]
    if seen:
        record_access(conn, principal, [r["jobseeker_id"] for r in seen], "list", "recruitment event")
    event["jobseekers"] = [
        {"jobseeker_id": r["jobseeker_id"], "pseudonym": r["pseudonym"], "attendance": r["attendance"]}
        for r in seen
    ]
    event["hidden_jobseekers"] = len(invited) - len(seen)
    event["needs"] = employers.needs_of_event(conn, principal, event_id)
    return event


def audit_replay(conn: Conn, principal: Principal, body: dict[str, Any]) -> None:
    """Audit a replayed creation's reply as the first was audited: it names the invited jobseekers."""
    seen = [int(r["jobseeker_id"]) for r in body.get("jobseekers", [])]
    if seen:
        record_access(conn, principal, seen, "list", "recruitment event")


def add_participants(conn: Conn, principal: Principal, event_id: int, data: ParticipantsIn) -> dict[str, Any]:
    """Add employers of the area and invite jobseekers the principal may see (404 naming the field)."""
    _event(conn, principal, event_id)
    employer_ids = _checked_employers(conn, principal, data.employer_ids)
    jobseeker_ids = _checked_jobseekers(conn, principal, data.jobseeker_ids)
    _add(conn, principal, event_id, employer_ids, jobseeker_ids)
    return get_event(conn, principal, event_id)


def record_attendance(conn: Conn, principal: Principal, event_id: int, data: AttendanceIn) -> dict[str, Any]:
    """Mark who came. 409 (``not-invited``) naming the field when someone named does not take part in the
    event (404 for a jobseeker the principal may not see); then nothing is written. An employer marked
    attended gets an ``event`` contact in its log, by the principal on the event's day; marked otherwise
    again, that contact is archived."""
    event = _event(conn, principal, event_id)
    taking_part = {
        r["employer_id"]: r
        for r in conn.execute(
            "SELECT employer_id, attendance, contact_id FROM event_employers WHERE event_id = %s", (event_id,)
        ).fetchall()
    }
    invited = {
        r["jobseeker_id"]
        for r in conn.execute("SELECT jobseeker_id FROM event_jobseekers WHERE event_id = %s", (event_id,))
    }
    for i, mark in enumerate(data.employers):
        if mark.employer_id not in taking_part:
            raise NotInvited(
                "this employer does not take part in the event: add it first",
                field=f"employers[{i}].employer_id",
            )
    for i, seen in enumerate(data.jobseekers):
        access.check_visible(principal, access.subject(conn, seen.jobseeker_id))
        if seen.jobseeker_id not in invited:
            raise NotInvited(
                "this jobseeker was not invited to the event: invite them first",
                field=f"jobseekers[{i}].jobseeker_id",
            )
    for mark in data.employers:
        _mark_employer(conn, principal, event, taking_part[mark.employer_id], mark.attendance)
    for seen in data.jobseekers:
        conn.execute(
            "UPDATE event_jobseekers SET attendance = %s, marked_by = %s, marked_at = now()"
            " WHERE event_id = %s AND jobseeker_id = %s",
            (seen.attendance.value, principal.user_id, event_id, seen.jobseeker_id),
        )
    return get_event(conn, principal, event_id)


def _mark_employer(
    conn: Conn, principal: Principal, event: dict[str, Any], part: dict[str, Any], attendance: Attendance
) -> None:
    contact_id = part["contact_id"]
    if attendance is Attendance.ATTENDED and contact_id is None:
        place = f", {event['place']}" if event["place"] else ""
        contact = employers.create_contact(
            conn,
            principal,
            part["employer_id"],
            ContactEntry(
                kind=ContactKind.EVENT,
                contact_date=event["event_date"],
                summary=f"{event['title']} ({event['municipality']}{place})",
            ),
            event_id=event["id"],
        )
        contact_id = contact["id"]
    elif attendance is not Attendance.ATTENDED and contact_id is not None:
        employers.archive_contact(conn, principal, contact_id, ANY_VERSION)
        contact_id = None
    conn.execute(
        "UPDATE event_employers SET attendance = %s, contact_id = %s"
        " WHERE event_id = %s AND employer_id = %s",
        (attendance.value, contact_id, event["id"], part["employer_id"]),
    )


def events_of_jobseeker(
    conn: Conn, principal: Principal, jobseeker_id: int, *, audited: bool = True
) -> list[dict[str, Any]]:
    """The events a jobseeker was invited to, newest first, with their attendance (404 unless the
    principal may see the jobseeker). Audited, unless ``audited`` is False: for a page that has audited
    its read of the whole record already."""
    _staff_only(principal)
    access.check_visible(principal, access.subject(conn, jobseeker_id))
    if audited:
        record_access(conn, principal, [jobseeker_id], "read", "recruitment events")
    return conn.execute(
        "SELECT e.id AS event_id, e.kind, e.title, e.event_date, e.municipality, ej.attendance"
        " FROM event_jobseekers ej JOIN recruitment_events e ON e.id = ej.event_id"
        " WHERE ej.jobseeker_id = %s AND e.area_id = %s ORDER BY e.event_date DESC, e.id DESC",
        (jobseeker_id, principal.area_id),
    ).fetchall()


KEPT: Final = (
    "invitations to recruitment events and whether the person came (the events' cut of the indicators"
    " counts them); they carry no text about the person",
)
"""What stays of an erased jobseeker in this domain (nothing here describes the person in words)."""


def person_part(conn: Conn, jobseeker_id: int) -> list[dict[str, Any]]:
    """The events the jobseeker was invited to and whether they came: this domain's part of the right of
    access. Neither checks who asks nor audits: :mod:`privacy` does both."""
    return conn.execute(
        "SELECT e.id AS event_id, e.kind, e.title, e.event_date, e.municipality, ej.attendance"
        " FROM event_jobseekers ej JOIN recruitment_events e ON e.id = ej.event_id"
        " WHERE ej.jobseeker_id = %s ORDER BY e.event_date DESC, e.id DESC",
        (jobseeker_id,),
    ).fetchall()


def event_choices(
    conn: Conn, principal: Principal, *, employer_id: int | None = None
) -> list[dict[str, Any]]:
    """The area's events a form may name (an employer's own, when given), newest first: id, title, day."""
    if principal.role is Role.EMPLOYER:
        return []
    params: list[Any] = [principal.area_id]
    query = "SELECT id, title, event_date FROM recruitment_events WHERE area_id = %s"
    if employer_id is not None:
        query += " AND id IN (SELECT event_id FROM event_employers WHERE employer_id = %s)"
        params.append(employer_id)
    return conn.execute(query + " ORDER BY event_date DESC, id DESC LIMIT 200", params).fetchall()


def check_proposal_event(
    conn: Conn, principal: Principal, event_id: int, employer_id: int, jobseeker_id: int
) -> None:
    """A proposal made at an event: the event is the area's, the need's employer took part in it and the
    jobseeker was invited to it (422 naming ``event_id`` otherwise)."""
    try:
        _event(conn, principal, event_id)
    except NotFound:
        raise NotFound("event not found", field="event_id") from None
    pair = conn.execute(
        "SELECT EXISTS (SELECT FROM event_employers WHERE event_id = %(e)s AND employer_id = %(emp)s) AS emp,"
        " EXISTS (SELECT FROM event_jobseekers WHERE event_id = %(e)s AND jobseeker_id = %(js)s) AS js",
        {"e": event_id, "emp": employer_id, "js": jobseeker_id},
    ).fetchone()
    assert pair is not None
    if not pair["emp"]:
        raise ValidationFailed("the need's employer did not take part in this event", field="event_id")
    if not pair["js"]:
        raise ValidationFailed("the jobseeker was not invited to this event", field="event_id")


def event_title(conn: Conn, area_id: int, event_id: int) -> str:
    """The title of the area's event ``event_id``, or 422 naming ``event_id`` (a report's cut)."""
    row = conn.execute(
        "SELECT title FROM recruitment_events WHERE id = %s AND area_id = %s", (event_id, area_id)
    ).fetchone()
    if row is None:
        raise ValidationFailed("no such recruitment event in the area", field="event_id")
    return str(row["title"])


def attendee_sql(id_column: str, event_param: str) -> str:
    """SQL true when the jobseeker in ``id_column`` was invited to the event in the named parameter
    ``event_param``, or when that parameter is null (no cut): names from code, never from input."""
    return (
        f"(%({event_param})s::bigint IS NULL OR {id_column} IN"
        f" (SELECT jobseeker_id FROM event_jobseekers WHERE event_id = %({event_param})s))"
    )
