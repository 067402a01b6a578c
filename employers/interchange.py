"""Employers and needs in and out of the JSONL interchange format, by ``(area_id, external_id)``: the
line models of both and the SQL that writes and reads them.

The importer validates a whole file first (:func:`check_employers`, :func:`check_needs`,
:func:`stored_employers`), then writes it in batches (:func:`upsert_employers`, :func:`upsert_needs`).
Nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Final

from pydantic import Field, StringConstraints, field_validator

from accounts.interchange import check_role_holders, role_holders
from accounts.models import Role, operator
from core.bulk import (
    Column,
    Outcome,
    Progress,
    batches,
    external_id,
    line_values,
    stored_rows,
    upsert,
    values_of,
)
from core.db import Conn
from core.events import notify_change
from core.municipalities import record_municipality
from employers import field_work
from employers.schemas import EmployerCreate, ExternalId, NeedFields, ShortText, TextLanguage

Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]


def _no_event_id(value: int | None) -> None:
    if value is not None:
        raise ValueError("event ids do not travel between databases; name the event's external_id as event")


def _no_contact(value: int | None) -> None:
    if value is not None:
        raise ValueError("contact log ids do not travel between databases; leave contact_id out")


def _dedupe(value: list[str] | None) -> list[str] | None:
    return None if value is None else list(dict.fromkeys(value))


class EmployerRecord(EmployerCreate):
    """``{"type": "employer", ...}``: the fields of :class:`EmployerCreate`, ``external_id`` required;
    ``responsible_coordinator`` is the email of a coordinator of the area, active or not (user ids do not
    travel between databases). Absent, the stored coordinator stays; ``null`` clears it."""

    external_id: ExternalId
    archived: bool | None = None
    responsible_coordinator: Email | None = None  # type: ignore[assignment]

    _municipality = field_validator("municipality")(record_municipality)


class NeedRecord(NeedFields):
    """``{"type": "need", ...}``: every need field; ``employer`` is the employer's ``external_id``."""

    external_id: ExternalId
    employer: ExternalId
    title: ShortText
    text_language: TextLanguage | None = Field(None, alias="language")
    event: ExternalId | None = None
    """The ``external_id`` of the recruitment event the need was found at (its employer took part)."""
    archived: bool | None = None

    _municipality = field_validator("municipality")(record_municipality)
    _contact = field_validator("contact_id")(_no_contact)
    _event = field_validator("event_id")(_no_event_id)
    _lists = field_validator("skills", "nice_skills", "certificates")(_dedupe)


EMPLOYER_PREFIX: Final = "emp-"
NEED_PREFIX: Final = "need-"


EMPLOYER_COLUMNS: Final = (
    Column("external_id", "external_id"),
    Column("business_id", "business_id"),
    Column("name", "name"),
    Column("municipality", "municipality"),
    Column("sector", "sector"),
    Column("size_class", "size_class"),
    Column("partnership_status", "partnership_status", default="none"),
    Column("social_procurement", "social_procurement", "boolean", False),
    Column("is_municipal", "is_municipal", "boolean", False),
    Column("kind", "kind"),
    Column("contact_persons", "contact_persons", "jsonb", []),
)
NEED_COLUMNS: Final = (
    Column("external_id", "external_id"),
    Column("title", "title"),
    Column("description", "description", default=""),
    Column("skills", "skills", "text[]", []),
    Column("nice_skills", "nice_skills", "text[]", []),
    Column("occupation", "occupation"),
    Column("municipality", "municipality"),
    Column("latitude", "latitude", "float8"),
    Column("longitude", "longitude", "float8"),
    Column("hours_per_week", "hours_per_week", "numeric(4,1)"),
    Column("shifts", "shifts", "text[]", []),
    Column("start_date", "start_date", "date"),
    Column("duration_months", "duration_months", "integer"),
    Column("positions", "positions", "integer", 1),
    Column("languages", "languages", "jsonb", {}),
    Column("certificates", "certificates", "text[]", []),
    Column("physical_demands", "physical_demands", "text[]", []),
    Column("adaptations", "adaptations", default=""),
    Column("supervisor_on_site", "supervisor_on_site", "boolean", False),
    Column("placement_forms", "placement_forms", "text[]", []),
    Column("visibility", "visibility", default="public"),
    Column("status", "status", default="open"),
    Column("is_assistive", "is_assistive", "boolean", False),
    Column("municipal_unit", "municipal_unit"),
    Column("text_language", "language", default="fi"),
)
ARCHIVED: Final = Column("archived", "archived", "boolean", False)
COORDINATOR: Final = Column("responsible_coordinator", "responsible_coordinator", "bigint")
EMPLOYER_ID: Final = Column("employer_id", "employer", "bigint")
EVENT_ID: Final = Column("event_id", "event", "bigint")


@dataclass(frozen=True)
class EmployerRef:
    """What a need line needs to know of its employer."""

    id: int
    municipality: str


def stored_employers(conn: Conn, area_id: int, external_ids: Sequence[str]) -> dict[str, EmployerRef]:
    """Employers of the area by external id (or by the id an export generated for them)."""
    rows = stored_rows(conn, "employers", area_id, external_ids, EMPLOYER_PREFIX)
    return {ext: EmployerRef(row["id"], row["municipality"]) for ext, row in rows.items()}


def _existing_employers(conn: Conn, area_id: int, records: Sequence[EmployerRecord]) -> dict[str, Any]:
    """Stored employers by external id, adopting one without an external id that has the same business id."""
    existing = stored_rows(conn, "employers", area_id, [r.external_id for r in records], EMPLOYER_PREFIX)
    missing = {r.business_id: r.external_id for r in records if r.external_id not in existing}
    if missing:
        for row in conn.execute(
            "SELECT * FROM employers WHERE area_id = %s AND external_id IS NULL AND business_id = ANY(%s)",
            (area_id, list(missing)),
        ).fetchall():
            existing.setdefault(missing[row["business_id"]], row)
    return existing


def check_employers(
    conn: Conn, area_id: int, records: Sequence[EmployerRecord]
) -> list[tuple[int, str, str]]:
    """Problems that only the database shows: ``(index into records, field, reason)``.

    A business id may belong to only one employer of the area.
    """
    existing = _existing_employers(conn, area_id, records)
    holders = {
        row["business_id"]: row["id"]
        for row in conn.execute(
            "SELECT id, business_id FROM employers WHERE area_id = %s AND business_id = ANY(%s)",
            (area_id, [r.business_id for r in records]),
        ).fetchall()
    }
    problems: list[tuple[int, str, str]] = []
    for index, record in enumerate(records):
        holder = holders.get(record.business_id)
        target = existing.get(record.external_id)
        if holder is not None and (target is None or target["id"] != holder):
            problems.append((index, "business_id", "already used by another employer of the area"))
    return problems


def check_coordinators(
    conn: Conn,
    area_id: int | None,
    records: Sequence[EmployerRecord],
    in_file: Mapping[str, Role] | None = None,
) -> list[tuple[int, str, str]]:
    """A line's responsible coordinator must be a coordinator of the area, active or not (the import's
    rule, :func:`accounts.interchange.role_holders`; ``area_id`` None: an area still to be created, which
    has none): ``(index into records, field, reason)``."""
    emails = [record.responsible_coordinator for record in records]
    return [
        (index, "responsible_coordinator", reason)
        for index, reason in check_role_holders(conn, area_id, emails, (Role.COORDINATOR,), in_file)
    ]


def check_needs(conn: Conn, area_id: int, records: Sequence[NeedRecord]) -> list[tuple[int, str, str]]:
    """Problems that only the database shows: a need cannot offer fewer positions than it has filled."""
    existing = stored_rows(conn, "needs", area_id, [r.external_id for r in records], NEED_PREFIX)
    problems: list[tuple[int, str, str]] = []
    for index, record in enumerate(records):
        row = existing.get(record.external_id)
        positions = record.positions or 1
        if row is not None and positions < row["positions_filled"]:
            problems.append(
                (index, "positions", f"fewer than the {row['positions_filled']} positions already filled")
            )
    return problems


def _kept(record: EmployerRecord | NeedRecord, values: dict[str, Any]) -> dict[str, Any]:
    """``archived`` only when the line has it: absent, the stored value stays."""
    if "archived" in record.model_fields_set:
        values["archived"] = ARCHIVED.stored(record.archived)
    return values


def upsert_employers(
    conn: Conn,
    area_id: int,
    records: Sequence[EmployerRecord],
    progress: Progress | None = None,
    with_history: Collection[str] = (),
) -> list[tuple[int, Outcome]]:
    """Create or update the employers of validated records; ``(id, outcome)`` per record, in order.

    A line naming a responsible coordinator (by email, checked by :func:`check_coordinators`) sets it, and
    a change of it is recorded as made by the operator running the import, unless the employer is among
    ``with_history`` (external ids): the file carries its coordinator changes, which are written as given.
    """
    coordinators = role_holders(conn, area_id, (Role.COORDINATOR,))
    actor = operator(area_id)
    out: list[tuple[int, Outcome]] = []
    for batch in batches(records):
        items = []
        for r in batch:
            values = _kept(r, values_of(r, EMPLOYER_COLUMNS))
            if "responsible_coordinator" in r.model_fields_set:
                email = r.responsible_coordinator
                values[COORDINATOR.name] = None if email is None else coordinators[email.lower()]
            items.append(values)
        existing = _existing_employers(conn, area_id, batch)
        before = {ext: row["responsible_coordinator"] for ext, row in existing.items()}
        results = upsert(
            conn, "employers", area_id, (*EMPLOYER_COLUMNS, ARCHIVED, COORDINATOR), items, existing
        )
        for values, (employer_id, _) in zip(items, results, strict=True):
            if COORDINATOR.name in values and values["external_id"] not in with_history:
                previous = before.get(values["external_id"])
                field_work.record_reassignment(conn, actor, employer_id, previous, values[COORDINATOR.name])
        out += results
        if progress:
            progress(len(batch))
    return out


def upsert_needs(
    conn: Conn,
    area_id: int,
    records: Sequence[NeedRecord],
    employers: Mapping[str, EmployerRef],
    progress: Progress | None = None,
    events: Mapping[str, int] | None = None,
) -> list[tuple[int, Outcome]]:
    """Create or update the needs of validated records; ``(id, outcome)`` per record, in order.

    ``employers`` resolves each record's ``employer`` and ``events`` its ``event``; a need without a
    municipality gets its employer's. Every created or changed need is announced to matching.
    """
    out: list[tuple[int, Outcome]] = []
    for batch in batches(records):
        items = []
        for r in batch:
            employer = employers[r.employer]
            values = _kept(r, values_of(r, NEED_COLUMNS))
            values["municipality"] = values["municipality"] or employer.municipality
            values["employer_id"] = employer.id
            values["event_id"] = (events or {})[r.event] if r.event else None
            items.append(values)
        existing = stored_rows(conn, "needs", area_id, [r.external_id for r in batch], NEED_PREFIX)
        columns = (*NEED_COLUMNS, EMPLOYER_ID, EVENT_ID, ARCHIVED)
        results = upsert(conn, "needs", area_id, columns, items, existing)
        with conn.pipeline():
            for need_id, outcome in results:
                if outcome != "unchanged":
                    notify_change(conn, "need", need_id, area_id)
        out += results
        if progress:
            progress(len(batch))
    return out


def export_employers(conn: Conn, area_id: int) -> list[dict[str, Any]]:
    """Every employer of the area as a line, sorted by external id (generated where missing)."""
    lines = []
    rows = conn.execute(
        "SELECT e.*, u.email AS coordinator_email FROM employers e"
        " LEFT JOIN users u ON u.id = e.responsible_coordinator WHERE e.area_id = %s",
        (area_id,),
    ).fetchall()
    for row in rows:
        row["external_id"] = external_id(row, EMPLOYER_PREFIX)
        line = {"type": "employer", **line_values(row, (*EMPLOYER_COLUMNS, ARCHIVED))}
        if row["coordinator_email"] is not None:
            line["responsible_coordinator"] = row["coordinator_email"]
        lines.append(line)
    return sorted(lines, key=lambda line: str(line["external_id"]))


def export_needs(conn: Conn, area_id: int, events: Mapping[int, str] | None = None) -> list[dict[str, Any]]:
    """Every need of the area as a line naming its employer's external id (and its recruitment event's,
    from ``events`` by id), sorted by external id."""
    lines = []
    rows = conn.execute(
        "SELECT n.*, e.external_id AS employer_external_id FROM needs n"
        " JOIN employers e ON e.id = n.employer_id WHERE n.area_id = %s",
        (area_id,),
    ).fetchall()
    for row in rows:
        row["external_id"] = external_id(row, NEED_PREFIX)
        employer = external_id(
            {"id": row["employer_id"], "external_id": row["employer_external_id"]}, EMPLOYER_PREFIX
        )
        values = line_values(row, (*NEED_COLUMNS, ARCHIVED))
        if row["event_id"] is not None:
            values["event"] = (events or {})[row["event_id"]]
        lines.append(
            {"type": "need", "external_id": values.pop("external_id"), "employer": employer, **values}
        )
    return sorted(lines, key=lambda line: str(line["external_id"]))


def employer_external_ids(conn: Conn, employer_ids: Sequence[int]) -> dict[int, str]:
    """The external ids (generated where missing) of employers, by id."""
    rows = conn.execute(
        "SELECT id, external_id FROM employers WHERE id = ANY(%s)", (list(set(employer_ids)),)
    ).fetchall()
    return {row["id"]: external_id(row, EMPLOYER_PREFIX) for row in rows}


def log_event_contact(
    conn: Conn, area_id: int, employer_id: int, event_id: int, day: Any, summary: str
) -> int:
    """An ``event`` contact in an employer's log for an imported attendance (logged by no user)."""
    row = conn.execute(
        "INSERT INTO contacts (area_id, employer_id, kind, contact_date, summary, event_id)"
        " VALUES (%s, %s, 'event', %s, %s, %s) RETURNING id",
        (area_id, employer_id, day, summary, event_id),
    ).fetchone()
    assert row is not None
    return int(row["id"])
