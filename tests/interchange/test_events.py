"""Recruitment events in the interchange format: an event line with its employers and jobseekers, a need
that names it, attendance reaching the contact log; exported and imported back unchanged; bad references
reported by line and field with nothing written."""

from __future__ import annotations

import io
import json
from typing import Any

from accounts import service as accounts
from accounts.models import Role
from core.db import Conn
from interchange.exporter import export_area
from interchange.importer import import_file
from tests.interchange.conftest import EMPLOYER, JOBSEEKER, NEED, WriteFile

AREA = "Testialue"
EVENT: dict[str, Any] = {
    "type": "event",
    "external_id": "ev1",
    "kind": "fair",
    "title": "MegaRekry Turku",
    "event_date": "2026-03-12",
    "municipality": "Turku",
    "organiser": "kaisa@alue.example",
    "employers": [{"employer": "e1", "attendance": "attended"}],
    "jobseekers": [{"jobseeker": "j1", "attendance": "attended"}],
}


def _area(conn: Conn) -> int:
    area_id = accounts.ensure_area(conn, AREA, ["Turku", "Lieto"])
    accounts.create_user(
        conn,
        area_id=area_id,
        email="kaisa@alue.example",
        display_name="Kaisa",
        role=Role.COORDINATOR,
        password="salasana-123",
    )
    return area_id


def _export(conn: Conn) -> list[dict[str, Any]]:
    out = io.StringIO()
    export_area(conn, AREA, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_an_event_line_brings_its_participants_attendance_and_needs_and_exports_back(
    conn: Conn, write_file: WriteFile
) -> None:
    _area(conn)
    # No place, no description: the optional fields stay empty.
    lines = [EMPLOYER, JOBSEEKER, EVENT, {**NEED, "event": "ev1"}]
    report = import_file(conn, write_file(lines), AREA, progress=False)
    assert report.errors == []
    assert report.counts["event"].created == 1

    row = conn.execute(
        "SELECT e.id, e.place, e.description, n.event_id FROM recruitment_events e"
        " JOIN needs n ON n.event_id = e.id WHERE e.external_id = 'ev1'"
    ).fetchone()
    assert row is not None and (row["place"], row["description"]) == ("", "")
    contact = conn.execute("SELECT kind, event_id, summary FROM contacts").fetchall()
    assert contact == [{"kind": "event", "event_id": row["id"], "summary": "MegaRekry Turku (Turku)"}]
    attended = conn.execute("SELECT attendance FROM event_jobseekers").fetchall()
    assert attended == [{"attendance": "attended"}]

    exported = _export(conn)
    event_line = next(line for line in exported if line["type"] == "event")
    assert event_line == {k: v for k, v in EVENT.items()}
    need_line = next(line for line in exported if line["type"] == "need")
    assert need_line["event"] == "ev1"

    again = import_file(conn, write_file(exported, name="again.jsonl"), AREA, progress=False)
    assert again.errors == []
    assert again.counts["event"].unchanged == 1 and again.counts["need"].unchanged == 1
    assert len(conn.execute("SELECT id FROM contacts").fetchall()) == 1


def test_bad_event_lines_are_reported_by_line_and_field_and_nothing_is_written(
    conn: Conn, write_file: WriteFile
) -> None:
    _area(conn)
    conn.commit()
    other_employer = {**EMPLOYER, "external_id": "e2", "business_id": "2331972-7"}
    lines = [
        EMPLOYER,
        other_employer,
        JOBSEEKER,
        {**EVENT, "municipality": "Helsinki"},
        {**EVENT, "external_id": "ev2", "organiser": "ei@ketaan.example"},
        {**EVENT, "external_id": "ev3", "jobseekers": [{"jobseeker": "j9"}]},
        {**EVENT, "external_id": "ev4", "event_id": 3},
        {**NEED, "external_id": "n2", "employer": "e2", "event": "ev5"},
        {**EVENT, "external_id": "ev5", "employers": [{"employer": "e1"}]},
        {**NEED, "external_id": "n1", "event_id": 5},
    ]
    report = import_file(conn, write_file(lines), AREA, progress=False)

    assert not report.written
    assert report.error_lines("f") == [
        "f:4: municipality: not a municipality of the employment area",
        "f:5: organiser: no user of the area has this email",
        "f:6: jobseekers.0.jobseeker: unknown jobseeker 'j9'",
        "f:7: event_id: unknown field",
        "f:8: event: employer 'e2' did not take part in the event",
        "f:10: event_id: event ids do not travel between databases; name the event's external_id as event",
    ]
    assert conn.execute("SELECT count(*) AS n FROM recruitment_events").fetchone() == {"n": 0}
    assert conn.execute("SELECT count(*) AS n FROM employers").fetchone() == {"n": 0}
