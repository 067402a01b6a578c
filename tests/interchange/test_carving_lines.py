"""Tasks and carved jobs in the interchange format: imported idempotently, exported back to the same
lines, and a bad carved job (overlapping schedules, hours that are not the tasks' sum, a task of another
carved job, an unknown task) refused with its line and field while nothing of the file is written."""

from __future__ import annotations

import io
import json
from typing import Any

from core.db import Conn
from interchange.exporter import export_area
from interchange.importer import import_file
from tests.interchange.conftest import EMPLOYER, NEED, WriteFile

TASKS: list[dict[str, Any]] = [
    {
        "type": "task",
        "external_id": "t1",
        "employer": "e1",
        "title": "Aamiaisen valmistelu",
        "description": "Kattaminen ja tiskit.",
        "hours_per_week": 12.5,
        "schedule": [{"day": "mon", "start": "07:00", "end": "09:30"}],
        "skills": ["ruoanvalmistus"],
        "physical_demands": ["standing"],
        "municipality": "Kaarina",
    },
    # Optional fields left out: no schedule, skills, demands or municipality (the employer's).
    {
        "type": "task",
        "external_id": "t2",
        "employer": "e1",
        "title": "Postin lajittelu",
        "hours_per_week": 10,
    },
]
CARVED_NEED = {**NEED, "external_id": "n-carved", "title": "Palveluavustaja", "hours_per_week": 22.5}
CARVED = {"type": "carved_job", "external_id": "c1", "need": "n-carved", "tasks": ["t1", "t2"]}
LINES = [EMPLOYER, CARVED_NEED, *TASKS, CARVED]


def _export(conn: Conn) -> list[dict[str, Any]]:
    out = io.StringIO()
    export_area(conn, "Testialue", out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _state(conn: Conn) -> list[tuple[Any, ...]]:
    rows = conn.execute(
        "SELECT t.external_id, t.status, t.version, n.external_id AS need FROM carving_tasks t"
        " LEFT JOIN needs n ON n.id = t.need_id ORDER BY t.external_id"
    ).fetchall()
    return [tuple(r.values()) for r in rows]


def test_tasks_and_a_carved_job_import_once_and_export_as_they_came(
    conn: Conn, write_file: WriteFile
) -> None:
    first = import_file(conn, write_file(LINES), "Testialue", progress=False)
    assert first.errors == []
    assert (first.counts["task"].created, first.counts["carved_job"].created) == (2, 1)
    assert _state(conn) == [("t1", "bundled", 2, "n-carved"), ("t2", "bundled", 2, "n-carved")]
    stored = conn.execute(
        "SELECT municipality, schedule, skills FROM carving_tasks ORDER BY external_id"
    ).fetchall()
    assert stored[1] == {"municipality": "Turku", "schedule": [], "skills": []}

    again = import_file(conn, write_file(LINES), "Testialue", progress=False)
    assert (again.counts["task"].unchanged, again.counts["carved_job"].unchanged) == (2, 1)
    assert _state(conn) == [("t1", "bundled", 2, "n-carved"), ("t2", "bundled", 2, "n-carved")]

    exported = _export(conn)
    # The task's municipality is written out, as a need's is: the employer's, where the line had none.
    assert [line for line in exported if line["type"] == "task"] == [
        TASKS[0],
        {**TASKS[1], "municipality": "Turku"},
    ]
    assert [line for line in exported if line["type"] == "carved_job"] == [CARVED]
    assert [line["type"] for line in exported] == ["format", "employer", "need", "task", "task", "carved_job"]


def _refused(conn: Conn, write_file: WriteFile, lines: list[dict[str, Any]]) -> list[tuple[int, str, str]]:
    report = import_file(conn, write_file(lines), "Testialue", progress=False)
    assert not report.written
    assert conn.execute("SELECT count(*) AS n FROM carving_tasks").fetchone() == {"n": 0}
    assert conn.execute("SELECT count(*) AS n FROM carved_jobs").fetchone() == {"n": 0}
    return report.errors


def test_overlapping_schedules_are_refused_with_the_line_and_the_slots(
    conn: Conn, write_file: WriteFile
) -> None:
    clash = {**TASKS[1], "schedule": [{"day": "mon", "start": "09:00", "end": "11:00"}]}
    errors = _refused(conn, write_file, [EMPLOYER, CARVED_NEED, TASKS[0], clash, CARVED])
    assert errors == [
        (
            5,
            "tasks",
            "the schedules of tasks 't1' (mon 07:00-09:30) and 't2' (mon 09:00-11:00) overlap",
        )
    ]


def test_hours_other_than_the_tasks_sum_are_refused(conn: Conn, write_file: WriteFile) -> None:
    errors = _refused(conn, write_file, [EMPLOYER, {**CARVED_NEED, "hours_per_week": 30}, *TASKS, CARVED])
    assert errors == [(5, "need", "the need's hours_per_week must be the tasks' sum, 22.5")]


def test_a_task_in_two_carved_jobs_or_unknown_is_refused(conn: Conn, write_file: WriteFile) -> None:
    other_need = {**CARVED_NEED, "external_id": "n-other"}
    twice = {**CARVED, "external_id": "c2", "need": "n-other"}
    unknown = {**CARVED, "external_id": "c3", "tasks": ["t1", "t9"]}
    errors = _refused(conn, write_file, [EMPLOYER, CARVED_NEED, other_need, *TASKS, CARVED, twice, unknown])
    assert errors == [
        (7, "tasks", "task 't2' is also in the carved job 'c1'"),
        (8, "tasks", "unknown task 't9': not in this file nor in the area"),
    ]


def test_a_bad_task_line_names_its_field(conn: Conn, write_file: WriteFile) -> None:
    bad = {**TASKS[0], "schedule": [{"day": "mon", "start": "10:00", "end": "09:00"}]}
    errors = _refused(conn, write_file, [EMPLOYER, bad, {**TASKS[1], "employer": "e9"}])
    assert errors[0][0] == 2 and errors[0][1].startswith("schedule")
    assert errors[1] == (3, "employer", "unknown employer 'e9': not in this file nor in the area")


def test_a_carved_jobs_tasks_do_not_change_on_import(conn: Conn, write_file: WriteFile) -> None:
    extra = {**TASKS[1], "external_id": "t3", "title": "Kolmas"}
    assert import_file(conn, write_file([*LINES, extra]), "Testialue", progress=False).errors == []
    changed = {**CARVED, "tasks": ["t1", "t3"]}
    report = import_file(
        conn, write_file([EMPLOYER, CARVED_NEED, *TASKS, extra, changed]), "Testialue", progress=False
    )
    assert report.errors == [(6, "tasks", "a carved job's tasks do not change on import")]
    assert _state(conn) == [
        ("t1", "bundled", 2, "n-carved"),
        ("t2", "bundled", 2, "n-carved"),
        ("t3", "open", 1, None),
    ]
