"""Recruitment events in and out of the JSONL interchange format, by ``(area_id, external_id)``.

``{"type": "event", "external_id": "ev1", "kind": "fair", "title": "MegaRekry", "event_date":
"2026-03-12", "municipality": "Turku", "place": "Logomo", "organiser": "koordinaattori@alue.fi",
"employers": [{"employer": "e1", "attendance": "attended"}], "jobseekers": [{"jobseeker": "j1",
"attendance": "invited"}]}``: employers and jobseekers by their external ids, the organiser by the email
of a staff user of the area. A need names the event it was found at as ``"event": "ev1"``. An import adds
and updates participants and never removes one; an employer marked attended gets the event in its
contact log, as on the pages. Nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

from pydantic import Field, field_validator

from accounts import service as accounts
from accounts.interchange import check_role_holders, role_holders
from accounts.models import STAFF, Role
from core.bulk import Outcome, external_id, stored_rows
from core.db import Conn
from core.municipalities import record_municipality
from employers import interchange as employers
from employers.schemas import ExternalId, Label, LongText, ShortText, Strict
from jobseekers import interchange as jobseekers
from recruitment.schemas import Attendance, EventKind, Place

EVENT_PREFIX: Final = "event-"
FIELDS: Final = ("kind", "title", "event_date", "municipality", "place", "description")


class EmployerLine(Strict):
    employer: ExternalId
    attendance: Attendance = Attendance.INVITED


class JobseekerLine(Strict):
    jobseeker: ExternalId
    attendance: Attendance = Attendance.INVITED


class EventRecord(Strict):
    """``{"type": "event", ...}``: see the module's docstring."""

    external_id: ExternalId
    kind: EventKind
    title: ShortText
    event_date: date
    municipality: Label
    place: Place = ""
    description: LongText = ""
    organiser: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    employers: list[EmployerLine] = Field(default_factory=list, max_length=500)
    jobseekers: list[JobseekerLine] = Field(default_factory=list, max_length=5000)

    _municipality = field_validator("municipality")(record_municipality)


def staff_by_email(conn: Conn, area_id: int) -> dict[str, int]:
    """Ids of the area's staff users, active or not, by (lower-case) email: whom a line may name as an
    event's organiser (:func:`accounts.interchange.role_holders`)."""
    return role_holders(conn, area_id, STAFF)


def stored_events(conn: Conn, area_id: int, external_ids: Sequence[str]) -> dict[str, int]:
    """Ids of the area's events by external id (or by the id an export generated for them)."""
    rows = stored_rows(conn, "recruitment_events", area_id, external_ids, EVENT_PREFIX)
    return {ext: int(row["id"]) for ext, row in rows.items()}


def stored_participants(conn: Conn, event_ids: Sequence[int]) -> set[tuple[int, int]]:
    """``(event id, employer id)`` of the stored employers of these events."""
    rows = conn.execute(
        "SELECT event_id, employer_id FROM event_employers WHERE event_id = ANY(%s)", (list(event_ids),)
    ).fetchall()
    return {(r["event_id"], r["employer_id"]) for r in rows}


def check_events(
    conn: Conn, area_id: int | None, records: Sequence[EventRecord], in_file: Mapping[str, Role] | None = None
) -> list[tuple[int, str, str]]:
    """Problems that only the database shows: the organiser must be a staff user of the area, active or
    not (the import's rule, :func:`accounts.interchange.role_holders`), and the municipality one of the
    area's (when the area names its municipalities)."""
    organisers = dict(check_role_holders(conn, area_id, [r.organiser for r in records], STAFF, in_file))
    places = set(accounts.area_municipalities(conn, area_id)) if area_id is not None else set()
    problems: list[tuple[int, str, str]] = []
    for index, record in enumerate(records):
        if index in organisers:
            problems.append((index, "organiser", organisers[index]))
        elif places and record.municipality not in places:
            problems.append((index, "municipality", "not a municipality of the employment area"))
    return problems


def upsert_events(
    conn: Conn,
    area_id: int,
    records: Sequence[EventRecord],
    employer_ids: Mapping[str, int],
    jobseeker_ids: Mapping[str, int],
) -> list[tuple[int, Outcome]]:
    """Create or update the events of validated records with their participants; ``(id, outcome)`` per
    record, in order. ``employer_ids`` and ``jobseeker_ids`` resolve the lines' external ids."""
    staff = staff_by_email(conn, area_id)
    existing = stored_rows(
        conn, "recruitment_events", area_id, [r.external_id for r in records], EVENT_PREFIX
    )
    out: list[tuple[int, Outcome]] = []
    for record in records:
        values: dict[str, Any] = record.model_dump(include=set(FIELDS))
        values["kind"] = record.kind.value
        values["organiser_id"] = staff[record.organiser.lower()]
        row = existing.get(record.external_id)
        outcome: Outcome
        if row is None:
            created = conn.execute(
                "INSERT INTO recruitment_events (area_id, external_id, kind, title, event_date, municipality,"
                " place, description, organiser_id) VALUES (%(area)s, %(ext)s, %(kind)s, %(title)s,"
                " %(event_date)s, %(municipality)s, %(place)s, %(description)s, %(organiser_id)s)"
                " RETURNING id",
                {**values, "area": area_id, "ext": record.external_id},
            ).fetchone()
            assert created is not None
            event_id, outcome = int(created["id"]), "created"
        else:
            event_id = int(row["id"])
            outcome = "unchanged" if all(row[k] == v for k, v in values.items()) else "updated"
            if outcome == "updated":
                conn.execute(
                    "UPDATE recruitment_events SET kind = %(kind)s, title = %(title)s,"
                    " event_date = %(event_date)s, municipality = %(municipality)s, place = %(place)s,"
                    " description = %(description)s,"
                    " organiser_id = %(organiser_id)s, version = version + 1, updated_at = now()"
                    " WHERE id = %(id)s",
                    {**values, "id": event_id},
                )
        if (
            _participants(conn, area_id, event_id, record, employer_ids, jobseeker_ids)
            and outcome == "unchanged"
        ):
            outcome = "updated"
        out.append((event_id, outcome))
    return out


def _participants(
    conn: Conn,
    area_id: int,
    event_id: int,
    record: EventRecord,
    employer_ids: Mapping[str, int],
    jobseeker_ids: Mapping[str, int],
) -> bool:
    """Write the line's participants; True when anything changed."""
    changed = False
    stored = {
        r["employer_id"]: r
        for r in conn.execute("SELECT * FROM event_employers WHERE event_id = %s", (event_id,)).fetchall()
    }
    for line in record.employers:
        employer_id = employer_ids[line.employer]
        row = stored.get(employer_id)
        contact_id = row["contact_id"] if row else None
        if row is not None and row["attendance"] == line.attendance.value:
            continue
        if line.attendance is Attendance.ATTENDED and contact_id is None:
            place = f", {record.place}" if record.place else ""
            summary = f"{record.title} ({record.municipality}{place})"
            contact_id = employers.log_event_contact(
                conn, area_id, employer_id, event_id, record.event_date, summary
            )
        conn.execute(
            "INSERT INTO event_employers (event_id, employer_id, attendance, contact_id)"
            " VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (event_id, employer_id) DO UPDATE SET attendance = EXCLUDED.attendance,"
            " contact_id = EXCLUDED.contact_id",
            (event_id, employer_id, line.attendance.value, contact_id),
        )
        changed = True
    invited = {
        r["jobseeker_id"]: r["attendance"]
        for r in conn.execute(
            "SELECT jobseeker_id, attendance FROM event_jobseekers WHERE event_id = %s", (event_id,)
        ).fetchall()
    }
    for person in record.jobseekers:
        jobseeker_id = jobseeker_ids[person.jobseeker]
        if invited.get(jobseeker_id) == person.attendance.value:
            continue
        conn.execute(
            "INSERT INTO event_jobseekers (event_id, jobseeker_id, attendance) VALUES (%s, %s, %s)"
            " ON CONFLICT (event_id, jobseeker_id) DO UPDATE SET attendance = EXCLUDED.attendance",
            (event_id, jobseeker_id, person.attendance.value),
        )
        changed = True
    return changed


def event_external_ids(conn: Conn, area_id: int) -> dict[int, str]:
    """The external ids (generated where missing) of the area's events, by id: what need lines name."""
    rows = conn.execute("SELECT id, external_id FROM recruitment_events WHERE area_id = %s", (area_id,))
    return {row["id"]: external_id(row, EVENT_PREFIX) for row in rows.fetchall()}


def export_events(conn: Conn, area_id: int) -> list[dict[str, Any]]:
    """Every event of the area as a line with its participants by external id, sorted by external id."""
    rows = conn.execute(
        "SELECT e.*, u.email AS organiser FROM recruitment_events e JOIN users u ON u.id = e.organiser_id"
        " WHERE e.area_id = %s",
        (area_id,),
    ).fetchall()
    ids = [row["id"] for row in rows]
    parts = conn.execute(
        "SELECT event_id, employer_id, attendance FROM event_employers WHERE event_id = ANY(%s)"
        " ORDER BY employer_id",
        (ids,),
    ).fetchall()
    people = conn.execute(
        "SELECT event_id, jobseeker_id, attendance FROM event_jobseekers WHERE event_id = ANY(%s)"
        " ORDER BY jobseeker_id",
        (ids,),
    ).fetchall()
    employer_ext = employers.employer_external_ids(conn, [p["employer_id"] for p in parts])
    jobseeker_ext = jobseekers.jobseeker_external_ids(conn, [p["jobseeker_id"] for p in people])
    lines = []
    for row in rows:
        line: dict[str, Any] = {
            "type": "event",
            "external_id": external_id(row, EVENT_PREFIX),
            "kind": row["kind"],
            "title": row["title"],
            "event_date": row["event_date"].isoformat(),
            "municipality": row["municipality"],
        }
        line |= {k: row[k] for k in ("place", "description") if row[k]}
        line["organiser"] = row["organiser"]
        line["employers"] = [
            {"employer": employer_ext[p["employer_id"]], "attendance": p["attendance"]}
            for p in parts
            if p["event_id"] == row["id"]
        ]
        line["jobseekers"] = [
            {"jobseeker": jobseeker_ext[p["jobseeker_id"]], "attendance": p["attendance"]}
            for p in people
            if p["event_id"] == row["id"]
        ]
        lines.append(line)
    return sorted(lines, key=lambda line: str(line["external_id"]))
