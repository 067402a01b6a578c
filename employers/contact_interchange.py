"""The employer contact log in and out of the JSONL interchange format, by ``(area_id, external_id)``.

``{"type": "contact", "external_id": "c1", "employer": "e1", "user": "koordinaattori@alue.fi", "kind":
"visit", "contact_date": "2026-03-02", "summary": "Kävin tehtailla.", "next_step": "Soita",
"next_step_date": "2026-03-16", "created_at": "2026-03-02T09:15:00+00:00"}``: the employer by its external
id, who logged it by email (none: logged by no user, as an imported event attendance is), ``event`` the
external id of the recruitment event it records. A contact that an event's attendance logged is found by
its employer and event when the line names the event, so importing the event and its contact together
writes one contact. The area's field-work setting (may caseworkers log contacts) travels with the log as
``{"type": "area_settings", "caseworker_field_work": false, "updated_by": "admin@alue.fi", "updated_at":
"…"}``. Nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Annotated, Any, Final

from pydantic import AwareDatetime, StringConstraints

from core.bulk import Outcome, external_id, json_time
from core.db import Conn
from employers.interchange import Email
from employers.schemas import ContactKind, ExternalId, LongText, Strict

CONTACT_PREFIX: Final = "contact-"
_FIELDS: Final = ("kind", "contact_date", "summary", "next_step", "next_step_date", "archived")


class ContactRecord(Strict):
    """``{"type": "contact", ...}``: see the module's docstring."""

    external_id: ExternalId
    employer: ExternalId
    user: Email | None = None
    kind: ContactKind
    contact_date: date
    summary: Annotated[LongText, StringConstraints(min_length=1)]
    next_step: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None
    next_step_date: date | None = None
    archived: bool = False
    event: ExternalId | None = None
    created_at: AwareDatetime | None = None

    def references(self) -> list[tuple[str, str, str]]:
        """``(field, kind, external id or email)`` of every row the line names."""
        refs = [("employer", "employer", self.employer)]
        refs += [("user", "user", self.user.lower())] if self.user else []
        return refs + ([("event", "event", self.event)] if self.event else [])


def _existing(conn: Conn, area_id: int, record: ContactRecord, employer_id: int, event_id: int | None) -> Any:
    """The stored contact of a line: by external id; else the one an event's attendance logged (the line
    names the event); else by the id an export generated for a contact made in the product."""
    row = conn.execute(
        "SELECT * FROM contacts WHERE area_id = %s AND external_id = %s", (area_id, record.external_id)
    ).fetchone()
    if row is None and event_id is not None:
        row = conn.execute(
            "SELECT * FROM contacts WHERE area_id = %s AND employer_id = %s AND event_id = %s"
            " AND external_id IS NULL ORDER BY id LIMIT 1",
            (area_id, employer_id, event_id),
        ).fetchone()
    generated = record.external_id.removeprefix(CONTACT_PREFIX)
    if (
        row is None
        and event_id is None
        and record.external_id.startswith(CONTACT_PREFIX)
        and generated.isdecimal()
    ):
        row = conn.execute(
            "SELECT * FROM contacts WHERE area_id = %s AND id = %s"
            " AND external_id IS NULL AND event_id IS NULL",
            (area_id, int(generated)),
        ).fetchone()
    return row


def upsert_contacts(
    conn: Conn,
    area_id: int,
    records: Sequence[ContactRecord],
    employer_ids: Mapping[str, int],
    user_ids: Mapping[str, int],
    event_ids: Mapping[str, int],
) -> list[tuple[int, Outcome]]:
    """Create or update the contacts of validated lines; ``(id, outcome)`` per line, in order. The
    mappings resolve the lines' employers, users (by lower-case email) and events."""
    out: list[tuple[int, Outcome]] = []
    for record in records:
        values: dict[str, Any] = record.model_dump(include=set(_FIELDS))
        values["kind"] = record.kind.value
        values["external_id"] = record.external_id
        values["employer_id"] = employer_ids[record.employer]
        values["user_id"] = user_ids[record.user.lower()] if record.user else None
        values["event_id"] = event_ids[record.event] if record.event else None
        if record.created_at is not None:
            values["created_at"] = record.created_at
        row = _existing(conn, area_id, record, values["employer_id"], values["event_id"])
        if row is None:
            columns = ", ".join(values)
            placeholders = ", ".join(f"%({k})s" for k in values)
            created = conn.execute(
                f"INSERT INTO contacts (area_id, {columns})"
                f" VALUES (%(area_id)s, {placeholders}) RETURNING id",
                {**values, "area_id": area_id},
            ).fetchone()
            assert created is not None
            out.append((int(created["id"]), "created"))
        elif any(row[k] != v for k, v in values.items()):
            assignments = ", ".join(f"{k} = %({k})s" for k in values)
            conn.execute(
                f"UPDATE contacts SET {assignments}, version = version + 1, updated_at = now()"
                " WHERE id = %(id)s",
                {**values, "id": row["id"]},
            )
            out.append((int(row["id"]), "updated"))
        else:
            out.append((int(row["id"]), "unchanged"))
    return out


def export_contacts(
    conn: Conn,
    area_id: int,
    employer_ext: Mapping[int, str],
    emails: Mapping[int, str],
    event_ext: Mapping[int, str],
) -> list[dict[str, Any]]:
    """Every contact of the area's log as a line, sorted by external id."""
    rows = conn.execute("SELECT * FROM contacts WHERE area_id = %s", (area_id,)).fetchall()
    lines = []
    for row in rows:
        line: dict[str, Any] = {
            "type": "contact",
            "external_id": external_id(row, CONTACT_PREFIX),
            "employer": employer_ext[row["employer_id"]],
            "user": emails[row["user_id"]] if row["user_id"] is not None else None,
            "kind": row["kind"],
            "contact_date": row["contact_date"].isoformat(),
            "summary": row["summary"],
            "next_step": row["next_step"],
            "next_step_date": row["next_step_date"].isoformat() if row["next_step_date"] else None,
            "archived": row["archived"],
            "event": event_ext[row["event_id"]] if row["event_id"] is not None else None,
            "created_at": json_time(row["created_at"]),
        }
        lines.append(line)
    return sorted(lines, key=lambda line: str(line["external_id"]))


class AreaSettingsRecord(Strict):
    """``{"type": "area_settings", ...}``: the area's field-work setting, once per file."""

    caseworker_field_work: bool = True
    updated_by: Email | None = None
    updated_at: AwareDatetime | None = None

    @property
    def external_id(self) -> str:
        """An area has one such line."""
        return "area_settings"

    def references(self) -> list[tuple[str, str, str]]:
        """``(field, kind, email)`` of the user who changed the setting."""
        return [("updated_by", "user", self.updated_by.lower())] if self.updated_by else []


def upsert_area_settings(
    conn: Conn, area_id: int, record: AreaSettingsRecord, user_ids: Mapping[str, int]
) -> Outcome:
    """Write the area's setting as the line has it."""
    values: dict[str, Any] = {
        "caseworker_field_work": record.caseworker_field_work,
        "updated_by": user_ids[record.updated_by.lower()] if record.updated_by else None,
    }
    if record.updated_at is not None:
        values["updated_at"] = record.updated_at
    row = conn.execute("SELECT * FROM area_settings WHERE area_id = %s", (area_id,)).fetchone()
    if row is not None and all(row[k] == v for k, v in values.items()):
        return "unchanged"
    columns = ", ".join(values)
    placeholders = ", ".join(f"%({k})s" for k in values)
    assignments = ", ".join(f"{k} = EXCLUDED.{k}" for k in values)
    conn.execute(
        f"INSERT INTO area_settings (area_id, {columns}) VALUES (%(area_id)s, {placeholders})"
        f" ON CONFLICT (area_id) DO UPDATE SET {assignments}",
        {**values, "area_id": area_id},
    )
    return "created" if row is None else "updated"


def export_area_settings(conn: Conn, area_id: int, emails: Mapping[int, str]) -> list[dict[str, Any]]:
    """The area's setting as a line, when it was ever changed (none: the defaults)."""
    row = conn.execute("SELECT * FROM area_settings WHERE area_id = %s", (area_id,)).fetchone()
    if row is None:
        return []
    updated_by = emails[row["updated_by"]] if row["updated_by"] is not None else None
    return [
        {
            "type": "area_settings",
            "caseworker_field_work": row["caseworker_field_work"],
            "updated_by": updated_by,
            "updated_at": json_time(row["updated_at"]),
        }
    ]
