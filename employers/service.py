"""Employers, their contact log and their needs, always within one employment area."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from accounts.models import Principal, Role
from core.db import Conn
from core.errors import Conflict, NotFound, ValidationFailed
from core.events import notify_change
from core.municipalities import canonical_municipality
from core.paging import PageParams
from core.sql import (
    EMPLOYER_NAME,
    LAST_CONTACT,
    insert_row,
    like_pattern,
    list_rows,
    order_by,
    update_versioned,
)
from employers import field_work
from employers.schemas import (
    CONTACT_SORTS,
    EMPLOYER_SORTS,
    NEED_SORTS,
    ContactEntry,
    ContactFilters,
    ContactUpdate,
    EmployerCreate,
    EmployerFilters,
    EmployerUpdate,
    NeedEntry,
    NeedFilters,
    NeedUpdate,
)

# Fields a PATCH may change but not empty (their columns are NOT NULL): null is a 422, not a failed UPDATE.
EMPLOYER_REQUIRED = (
    "name",
    "municipality",
    "business_id",
    "partnership_status",
    "social_procurement",
    "is_municipal",
    "contact_persons",
)
CONTACT_REQUIRED = ("kind", "contact_date", "summary")
NEED_REQUIRED = (
    "title",
    "description",
    "skills",
    "nice_skills",
    "municipality",
    "shifts",
    "positions",
    "languages",
    "certificates",
    "physical_demands",
    "adaptations",
    "supervisor_on_site",
    "placement_forms",
    "visibility",
    "status",
    "is_assistive",
    "text_language",
)


def _not_at_event() -> ValidationFailed:
    # The key needs_event_participant_fkey: a need names an event only if its employer took part in it.
    return ValidationFailed("the need's employer did not take part in this event", field="event_id")


def _unique_violation(exc: pg_errors.UniqueViolation) -> Conflict:
    constraint = exc.diag.constraint_name or ""
    if "business_id" in constraint:
        return Conflict("an employer with this business id already exists in the area", field="business_id")
    if "external_id" in constraint:
        return Conflict("external_id is already used in the area", field="external_id")
    return Conflict("a record with these values already exists")


# Employers -----------------------------------------------------------------------------------------


def _as_json(values: dict[str, Any]) -> dict[str, Any]:
    # An empty Python list binds as '{}', which a jsonb column reads as an empty object: say it is JSON.
    if values.get("contact_persons") is not None:
        values["contact_persons"] = Jsonb(values["contact_persons"])
    return values


def create_employer(
    conn: Conn, area_id: int, data: EmployerCreate, actor: Principal | None = None
) -> dict[str, Any]:
    """A new employer of the area; a responsible coordinator named must be a coordinator of the area
    (422, nothing written), and naming one is recorded as ``actor``'s assignment."""
    values = _as_json(data.model_dump(exclude_none=True, mode="json"))
    values["municipality"] = canonical_municipality(data.municipality)
    values["area_id"] = area_id
    if data.responsible_coordinator is not None:
        field_work.check_coordinator(conn, area_id, data.responsible_coordinator)
    try:
        with conn.transaction():
            row = insert_row(conn, "employers", values)
            if actor is not None:
                field_work.record_reassignment(conn, actor, row["id"], None, data.responsible_coordinator)
            return row
    except pg_errors.UniqueViolation as exc:
        raise _unique_violation(exc) from None


def employer_id_by_business_id(conn: Conn, area_id: int, business_id: str) -> int:
    """The id of the area's employer with ``business_id``, or :class:`NotFound` naming the field."""
    row = conn.execute(
        "SELECT id FROM employers WHERE area_id = %s AND business_id = %s", (area_id, business_id)
    ).fetchone()
    if row is None:
        raise NotFound("no employer with this business id in the area", field="employer_business_id")
    return int(row["id"])


def employer_names(conn: Conn, employer_ids: Sequence[int]) -> dict[int, str]:
    """The names of these employers, by id: to whom something was sent, for a record that names them."""
    rows = conn.execute(
        "SELECT id, name FROM employers WHERE id = ANY(%s)", (list(dict.fromkeys(employer_ids)),)
    ).fetchall()
    return {r["id"]: r["name"] for r in rows}


def latest_contacts(conn: Conn, principal: Principal, employer_ids: Sequence[int]) -> dict[int, date]:
    """The day of each listed employer's latest contact in the principal's area (the sort key
    ``last_contact``), by id; an employer never contacted is not in it."""
    rows = conn.execute(
        "SELECT employer_id, max(contact_date) AS day FROM contacts"
        " WHERE area_id = %s AND employer_id = ANY(%s) AND NOT archived GROUP BY employer_id",
        (principal.area_id, list(dict.fromkeys(employer_ids))),
    ).fetchall()
    return {r["employer_id"]: r["day"] for r in rows}


def get_employer(conn: Conn, principal: Principal, employer_id: int) -> dict[str, Any]:
    """An employer the principal may see: any of the area for staff, only their own for employers."""
    row = conn.execute(
        "SELECT * FROM employers WHERE id = %s AND area_id = %s", (employer_id, principal.area_id)
    ).fetchone()
    if row is None or (principal.role is Role.EMPLOYER and principal.employer_id != employer_id):
        raise NotFound("employer not found")
    return row


def list_employers(
    conn: Conn, principal: Principal, filters: EmployerFilters, page: PageParams
) -> tuple[list[dict[str, Any]], int]:
    """Employers of the area matching the filters (an employer user sees only their own)."""
    where: list[tuple[str, Any]] = [("area_id = %s", principal.area_id)]
    if principal.role is Role.EMPLOYER:
        where.append(("id = %s", principal.employer_id))
    if filters.municipality:
        where.append(("municipality = %s", canonical_municipality(filters.municipality)))
    if filters.sector:
        where.append(("sector = %s", filters.sector.upper()))
    if filters.q:
        where.append(("(name ILIKE %s OR business_id = %s)", (like_pattern(filters.q), filters.q.strip())))
    if filters.partnership_status is not None:
        where.append(("partnership_status = %s", filters.partnership_status.value))
    if filters.created_from is not None:
        where.append(("(created_at AT TIME ZONE 'Europe/Helsinki')::date >= %s", filters.created_from))
    if filters.created_to is not None:
        where.append(("(created_at AT TIME ZONE 'Europe/Helsinki')::date <= %s", filters.created_to))
    if filters.responsible_coordinator is not None:
        where.append(("responsible_coordinator = %s", filters.responsible_coordinator))
    if filters.mine:
        where.append(("responsible_coordinator = %s", principal.user_id))
    if not filters.include_archived:
        where.append(("NOT archived", None))
    ordering = order_by(
        filters.sort,
        EMPLOYER_SORTS,
        "name",
        {"last_contact": LAST_CONTACT},
        {"municipality": "lower(name), name", "last_contact": "lower(name), name"},
    )
    return list_rows(conn, "employers", where, ordering, page.limit, page.offset)


def update_employer(
    conn: Conn, principal: Principal, employer_id: int, version: int, data: EmployerUpdate
) -> dict[str, Any]:
    """Change an employer at the version the client read. A new responsible coordinator must be a
    coordinator of the area (422, nothing written); the reassignment is recorded with who made it."""
    changes = data.model_dump(exclude_unset=True, mode="json")
    _reject_nulls(changes, EMPLOYER_REQUIRED)
    changes = _as_json(changes)
    if changes.get("municipality"):
        changes["municipality"] = canonical_municipality(changes["municipality"])
    reassigning = "responsible_coordinator" in changes
    if changes.get("responsible_coordinator") is not None:
        field_work.check_coordinator(conn, principal.area_id, changes["responsible_coordinator"])
    try:
        with conn.transaction():
            previous = get_employer(conn, principal, employer_id)["responsible_coordinator"]
            row = update_versioned(conn, "employers", employer_id, principal.area_id, version, changes)
            if reassigning:
                new = changes["responsible_coordinator"]
                field_work.record_reassignment(conn, principal, employer_id, previous, new)
            return row
    except pg_errors.UniqueViolation as exc:
        raise _unique_violation(exc) from None


def archive_employer(conn: Conn, principal: Principal, employer_id: int, version: int) -> dict[str, Any]:
    """Hide an employer from lists; its history stays."""
    return update_versioned(conn, "employers", employer_id, principal.area_id, version, {"archived": True})


def _reject_nulls(changes: dict[str, Any], required: tuple[str, ...]) -> None:
    for name in required:
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"{name} cannot be empty", field=name)


# Contacts ------------------------------------------------------------------------------------------


def create_contact(
    conn: Conn, principal: Principal, employer_id: int, data: ContactEntry, *, event_id: int | None = None
) -> dict[str, Any]:
    """Log a visit, call, event or email with an employer of the area (coordinators, admins, and
    caseworkers where the area allows: :func:`employers.field_work.require_field_work`; ``event_id``: the
    recruitment event the employer attended, which :mod:`recruitment` logs)."""
    field_work.require_field_work(conn, principal)
    get_employer(conn, principal, employer_id)
    values = data.model_dump(exclude_none=True)
    values |= {"area_id": principal.area_id, "employer_id": employer_id, "user_id": principal.user_id}
    if event_id is not None:
        values["event_id"] = event_id
    return insert_row(conn, "contacts", values)


def get_contact(conn: Conn, principal: Principal, contact_id: int) -> dict[str, Any]:
    """One contact log entry of the area."""
    row = conn.execute(
        "SELECT * FROM contacts WHERE id = %s AND area_id = %s", (contact_id, principal.area_id)
    ).fetchone()
    if row is None:
        raise NotFound("contact not found")
    return row


def list_contacts(
    conn: Conn, principal: Principal, filters: ContactFilters, page: PageParams
) -> tuple[list[dict[str, Any]], int]:
    """Contact log entries of the area, optionally of one employer, or the ones due."""
    where: list[tuple[str, Any]] = [("area_id = %s", principal.area_id), ("NOT archived", None)]
    if filters.employer_id is not None:
        where.append(("employer_id = %s", filters.employer_id))
    if filters.due_before is not None:
        where.append(("next_step_date <= %s AND next_step_done_at IS NULL", filters.due_before))
    if filters.mine:
        where.append(
            (
                "(user_id = %s OR employer_id IN"
                " (SELECT id FROM employers WHERE responsible_coordinator = %s))",
                (principal.user_id, principal.user_id),
            )
        )
    ordering = order_by(filters.sort, CONTACT_SORTS, "-contact_date")
    return list_rows(conn, "contacts", where, ordering, page.limit, page.offset)


def update_contact(
    conn: Conn, principal: Principal, contact_id: int, version: int, data: ContactUpdate
) -> dict[str, Any]:
    """Change a contact log entry at the version the client read."""
    changes = data.model_dump(exclude_unset=True)
    _reject_nulls(changes, CONTACT_REQUIRED)
    return update_versioned(conn, "contacts", contact_id, principal.area_id, version, changes)


def mark_next_step_done(conn: Conn, principal: Principal, contact_id: int) -> dict[str, Any]:
    """Mark a contact's agreed next step done, now and by the principal: it leaves the due lists and the
    reminders. Marking it again changes nothing (the first time and person stay). A contact of another
    area, or archived, is not found; one with no next step is a conflict."""
    contact = get_contact(conn, principal, contact_id)
    if contact["archived"]:
        raise NotFound("contact not found")
    if not contact["next_step"] and contact["next_step_date"] is None:
        raise Conflict("the contact has no next step to mark done", field="next_step")
    if contact["next_step_done_at"] is not None:
        return contact
    row = conn.execute(
        "UPDATE contacts SET next_step_done_at = now(), next_step_done_by = %s,"
        " version = version + 1, updated_at = now()"
        " WHERE id = %s AND area_id = %s RETURNING *",
        (principal.user_id, contact_id, principal.area_id),
    ).fetchone()
    if row is None:
        raise NotFound("contact not found")
    return row


def archive_contact(conn: Conn, principal: Principal, contact_id: int, version: int) -> dict[str, Any]:
    """Remove a contact from the log (kept for history)."""
    return update_versioned(conn, "contacts", contact_id, principal.area_id, version, {"archived": True})


# Needs ---------------------------------------------------------------------------------------------


def _need_values(
    conn: Conn, principal: Principal, employer_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    if values.get("municipality"):
        values["municipality"] = canonical_municipality(values["municipality"])
    if values.get("contact_id") is not None:
        # A need cites a contact with its own employer; any other contact is, to this need, not there.
        contact = conn.execute(
            "SELECT employer_id FROM contacts WHERE id = %s AND area_id = %s",
            (values["contact_id"], principal.area_id),
        ).fetchone()
        if contact is None or contact["employer_id"] != employer_id:
            raise NotFound("contact not found", field="contact_id")
    for key in ("skills", "nice_skills", "certificates"):
        if key in values and values[key] is not None:
            values[key] = list(dict.fromkeys(values[key]))
    return values


def create_need(conn: Conn, principal: Principal, data: NeedEntry) -> dict[str, Any]:
    """A new need: staff name the employer, an employer user posts for their own organisation.

    A caseworker (job coach) records one only where the area allows field work by caseworkers."""
    if principal.role is Role.EMPLOYER:
        if data.employer_id not in (None, principal.employer_id):
            raise NotFound("employer not found", field="employer_id")
        employer_id = principal.employer_id
    else:
        field_work.require_field_work(conn, principal)
        if data.employer_id is None:
            raise ValidationFailed("employer_id is required", field="employer_id")
        employer_id = data.employer_id
    assert employer_id is not None
    try:
        employer = get_employer(conn, principal, employer_id)
    except NotFound:
        raise NotFound("employer not found", field="employer_id") from None
    if employer["archived"]:
        raise Conflict("the employer is archived: needs cannot be posted for it", field="employer_id")
    values = data.model_dump(exclude_none=True, mode="json")
    values = _need_values(conn, principal, employer_id, values)
    values.setdefault("municipality", employer["municipality"])
    values |= {"area_id": principal.area_id, "employer_id": employer_id, "created_by": principal.user_id}
    if employer["is_municipal"] and "assistive_task" in values.get("placement_forms", []):
        values.setdefault("is_assistive", True)
    try:
        with conn.transaction():
            row = insert_row(conn, "needs", values)
    except pg_errors.UniqueViolation as exc:
        raise _unique_violation(exc) from None
    except pg_errors.ForeignKeyViolation:
        raise _not_at_event() from None
    notify_change(conn, "need", row["id"], principal.area_id)
    return row


def get_need(conn: Conn, principal: Principal, need_id: int) -> dict[str, Any]:
    """A need the principal may see: any of the area for staff, only their own for employers."""
    row = conn.execute(
        "SELECT * FROM needs WHERE id = %s AND area_id = %s", (need_id, principal.area_id)
    ).fetchone()
    if row is None or (principal.role is Role.EMPLOYER and row["employer_id"] != principal.employer_id):
        raise NotFound("need not found")
    return row


def list_needs(
    conn: Conn, principal: Principal, filters: NeedFilters, page: PageParams
) -> tuple[list[dict[str, Any]], int]:
    """Needs of the area matching the filters (an employer user sees only their own)."""
    where: list[tuple[str, Any]] = [("area_id = %s", principal.area_id)]
    if principal.role is Role.EMPLOYER:
        where.append(("employer_id = %s", principal.employer_id))
    if filters.employer_id is not None:
        where.append(("employer_id = %s", filters.employer_id))
    if filters.municipality:
        where.append(("municipality = %s", canonical_municipality(filters.municipality)))
    if filters.status:
        where.append(("status = %s", filters.status.value))
    if filters.visibility:
        where.append(("visibility = %s", filters.visibility.value))
    if filters.occupation:
        where.append(("occupation ILIKE %s", like_pattern(filters.occupation)))
    if filters.assistive is not None:
        where.append(("is_assistive = %s", filters.assistive))
    if filters.q:
        where.append(("(title || ' ' || description) ILIKE %s", like_pattern(filters.q)))
    if filters.created_by is not None:
        where.append(("created_by = %s", filters.created_by))
    if filters.created_from is not None:
        where.append(("(created_at AT TIME ZONE 'Europe/Helsinki')::date >= %s", filters.created_from))
    if filters.created_to is not None:
        where.append(("(created_at AT TIME ZONE 'Europe/Helsinki')::date <= %s", filters.created_to))
    if not filters.include_archived:
        where.append(("NOT archived", None))
    ordering = order_by(
        filters.sort,
        NEED_SORTS,
        "-created_at",
        {"employer": EMPLOYER_NAME},
        {"employer": "lower(title)", "start_date": "lower(title)", "municipality": "lower(title)"},
    )
    return list_rows(conn, "needs", where, ordering, page.limit, page.offset)


def own_needs_overview(
    conn: Conn, principal: Principal, open_shown: int, closed_shown: int
) -> tuple[list[dict[str, Any]], int]:
    """An employer user's own needs as their front page lists them, read at once: the ``open_shown``
    newest open ones, then the ``closed_shown`` newest filled, cancelled or expired ones, and how many
    needs they have in all (archived ones neither listed nor counted)."""
    # One statement: each part is ranked on its own (so many open needs never push the closed ones out)
    # and the total is counted before either part is cut.
    rows = conn.execute(
        "SELECT * FROM ("
        " SELECT needs.*, count(*) OVER () AS total_count,"
        "  row_number() OVER (PARTITION BY status = 'open' ORDER BY created_at DESC, id ASC) AS place"
        " FROM needs WHERE area_id = %s AND employer_id = %s AND NOT archived"
        ") ranked WHERE place <= CASE WHEN status = 'open' THEN %s ELSE %s END"
        " ORDER BY status <> 'open', created_at DESC, id ASC",
        (principal.area_id, principal.employer_id, open_shown, closed_shown),
    ).fetchall()
    total = int(rows[0]["total_count"]) if rows else 0
    for r in rows:
        del r["total_count"], r["place"]
    return rows, total


def update_need(
    conn: Conn, principal: Principal, need_id: int, version: int, data: NeedUpdate
) -> dict[str, Any]:
    """Change a need at the version the client read (an employer only their own)."""
    need = get_need(conn, principal, need_id)
    changes = data.model_dump(exclude_unset=True, mode="json")
    changes = _need_values(conn, principal, need["employer_id"], changes)
    _reject_nulls(changes, NEED_REQUIRED)
    if "positions" in changes:
        filled = conn.execute("SELECT positions_filled FROM needs WHERE id = %s", (need_id,)).fetchone()
        if filled and changes["positions"] < filled["positions_filled"]:
            raise ValidationFailed("positions cannot be fewer than those already filled", field="positions")
    try:
        with conn.transaction():
            row = update_versioned(conn, "needs", need_id, principal.area_id, version, changes)
    except pg_errors.ForeignKeyViolation:
        raise _not_at_event() from None
    notify_change(conn, "need", need_id, principal.area_id)
    return row


def needs_of_event(conn: Conn, principal: Principal, event_id: int) -> list[dict[str, Any]]:
    """The needs of the area found at a recruitment event (id, employer, title), oldest first."""
    return conn.execute(
        "SELECT id, employer_id, title FROM needs WHERE event_id = %s AND area_id = %s AND NOT archived"
        " ORDER BY created_at, id",
        (event_id, principal.area_id),
    ).fetchall()


def archive_need(conn: Conn, principal: Principal, need_id: int, version: int) -> dict[str, Any]:
    """Archive a need: it leaves lists and matching."""
    get_need(conn, principal, need_id)
    row = update_versioned(conn, "needs", need_id, principal.area_id, version, {"archived": True})
    notify_change(conn, "need", need_id, principal.area_id)
    return row


def take_position(conn: Conn, need_id: int) -> dict[str, Any] | None:
    """Fill one position of an open need (a confirmed placement), or None when none is left.

    The condition is evaluated on the row as it is when the update gets its lock, so concurrent
    confirmations queue on the need row and can never fill more positions than there are (a
    read-then-write could). The last position closes the need as filled. The caller notifies matching
    in the same transaction.
    """
    row: dict[str, Any] | None = conn.execute(
        "UPDATE needs SET positions_filled = positions_filled + 1,"
        " status = CASE WHEN positions_filled + 1 >= positions THEN 'filled' ELSE status END,"
        " version = version + 1, updated_at = now()"
        " WHERE id = %s AND status = 'open' AND NOT archived AND positions_filled < positions"
        " RETURNING id, area_id, positions, positions_filled, status",
        (need_id,),
    ).fetchone()
    return row


def due_contacts_of_every_area(conn: Conn, since: date, day: date) -> list[dict[str, Any]]:
    """Contacts whose next step fell due between ``since`` and ``day`` (both included), in every area,
    with who logged them (and their role) and the employer's name: for the reminders, run as the owner
    (the same rule as the due list, ``next_step_date <= day`` and not archived, bounded below so that a
    first run does not remind of every step ever missed)."""
    return conn.execute(
        "SELECT c.id, c.area_id, c.user_id, u.role AS user_role, c.employer_id, e.name AS employer_name,"
        " c.next_step_date"
        " FROM contacts c JOIN employers e ON e.id = c.employer_id JOIN users u ON u.id = c.user_id"
        " WHERE NOT c.archived AND c.user_id IS NOT NULL AND c.next_step_done_at IS NULL"
        " AND c.next_step_date BETWEEN %s AND %s"
        " ORDER BY c.next_step_date, c.id",
        (since, day),
    ).fetchall()
