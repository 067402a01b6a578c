"""Tasks and carved jobs in and out of the JSONL interchange format, by ``(area_id, external_id)``.

``{"type": "task", ...}`` is a task found at an employer (``employer``: the employer's external id).
``{"type": "carved_job", "external_id", "need", "tasks"}`` binds a need line (the carved job's title,
text, hours and skills, as any need) to two or more tasks: the tasks' schedules must not overlap, their
hours must add up to the need's, and a task belongs to one carved job only. A carved job's tasks do not
change on import. Nothing here commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from pydantic import Field, field_validator

from carving.schedule import overlaps
from carving.schemas import TaskFields
from core.bulk import Column, Outcome, external_id, line_values, stored_rows, upsert, values_of
from core.db import Conn
from core.municipalities import record_municipality
from employers.interchange import EMPLOYER_PREFIX, NEED_PREFIX, EmployerRef
from employers.schemas import ExternalId, Strict

TASK_PREFIX: Final = "task-"
CARVED_PREFIX: Final = "carved-"

TASK_COLUMNS: Final = (
    Column("external_id", "external_id"),
    Column("title", "title"),
    Column("description", "description", default=""),
    Column("hours_per_week", "hours_per_week", "numeric(4,1)"),
    Column("schedule", "schedule", "jsonb", []),
    Column("skills", "skills", "text[]", []),
    Column("physical_demands", "physical_demands", "text[]", []),
    Column("municipality", "municipality"),
)
EMPLOYER_ID: Final = Column("employer_id", "employer", "bigint")


class TaskRecord(TaskFields):
    """``{"type": "task", ...}``: the fields of a task; ``employer`` is the employer's ``external_id``."""

    external_id: ExternalId
    employer: ExternalId

    _municipality = field_validator("municipality")(record_municipality)


class CarvedJobRecord(Strict):
    """``{"type": "carved_job", ...}``: the need (by external id) that is the job, and its tasks."""

    external_id: ExternalId
    need: ExternalId
    tasks: list[ExternalId] = Field(min_length=2, max_length=12)

    @field_validator("tasks")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a task is named twice")
        return value


def stored_tasks(conn: Conn, area_id: int, external_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Tasks of the area by external id (or by the id an export generated for them)."""
    return stored_rows(conn, "carving_tasks", area_id, external_ids, TASK_PREFIX)


def _carved_by_external_id(
    conn: Conn, area_id: int, external_ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    rows = conn.execute(
        "SELECT c.need_id, c.external_id, array_agg(coalesce(t.external_id, %s || t.id)) AS tasks"
        " FROM carved_jobs c LEFT JOIN carving_tasks t ON t.need_id = c.need_id WHERE c.area_id = %s"
        " GROUP BY c.need_id",
        (TASK_PREFIX, area_id),
    ).fetchall()
    for row in rows:
        key = row["external_id"] or f"{CARVED_PREFIX}{row['need_id']}"
        if key in external_ids:
            found[key] = row
    return found


def check_carved_jobs(
    conn: Conn,
    area_id: int | None,
    records: Sequence[CarvedJobRecord],
    tasks_in_file: Mapping[str, TaskRecord],
    needs_in_file: Mapping[str, float | None],
) -> list[tuple[int, str, str]]:
    """``(index, field, reason)`` for each carved job line whose need or tasks are unknown, whose tasks'
    schedules overlap or hours do not add up to the need's, or whose task another carved job has."""
    problems: list[tuple[int, str, str]] = []
    task_refs = sorted({t for r in records for t in r.tasks} - set(tasks_in_file))
    need_refs = sorted({r.need for r in records})
    stored = stored_tasks(conn, area_id, task_refs) if area_id is not None else {}
    stored_needs = stored_rows(conn, "needs", area_id, need_refs, NEED_PREFIX) if area_id is not None else {}
    existing = _carved_by_external_id(conn, area_id, [r.external_id for r in records]) if area_id else {}
    claimed: dict[str, int] = {}
    for index, record in enumerate(records):
        need_id = stored_needs[record.need]["id"] if record.need in stored_needs else None
        if record.need in needs_in_file:
            need_hours = needs_in_file[record.need]
        elif record.need in stored_needs:
            row = stored_needs[record.need]
            need_hours = float(row["hours_per_week"]) if row["hours_per_week"] is not None else None
        else:
            problems.append(
                (index, "need", f"unknown need {record.need!r}: not in this file nor in the area")
            )
            continue
        schedules: list[tuple[int, list[dict[str, Any]]]] = []
        hours = 0.0
        unknown = [t for t in record.tasks if t not in tasks_in_file and t not in stored]
        if unknown:
            problems.append(
                (index, "tasks", f"unknown task {unknown[0]!r}: not in this file nor in the area")
            )
            continue
        taken = ""
        for position, ref in enumerate(record.tasks):
            if ref in tasks_in_file:
                task = tasks_in_file[ref]
                schedules.append((position, [s.model_dump() for s in task.schedule]))
                hours += task.hours_per_week
            else:
                row = stored[ref]
                schedules.append((position, row["schedule"]))
                hours += float(row["hours_per_week"])
                mine = existing.get(record.external_id)
                if row["need_id"] is not None and (mine is None or row["need_id"] != mine["need_id"]):
                    taken = f"task {ref!r} is already in another carved job"
            first = claimed.setdefault(ref, index)
            if first != index:
                taken = f"task {ref!r} is also in the carved job {records[first].external_id!r}"
        if taken:
            problems.append((index, "tasks", taken))
            continue
        clashes = overlaps(schedules)
        if clashes:
            c = clashes[0]
            problems.append(
                (
                    index,
                    "tasks",
                    f"the schedules of tasks {record.tasks[c.first_task]!r} ({c.first.label()}) and"
                    f" {record.tasks[c.second_task]!r} ({c.second.label()}) overlap",
                )
            )
            continue
        if need_hours is None or abs(need_hours - round(hours, 1)) > 0.05:
            problems.append(
                (index, "need", f"the need's hours_per_week must be the tasks' sum, {round(hours, 1):g}")
            )
            continue
        mine = existing.get(record.external_id)
        if mine is not None and (need_id is None or mine["need_id"] != need_id):
            problems.append((index, "need", "a carved job's need does not change on import"))
        elif mine is not None and set(mine["tasks"]) != set(record.tasks):
            problems.append((index, "tasks", "a carved job's tasks do not change on import"))
    return problems


def upsert_tasks(
    conn: Conn, area_id: int, records: Sequence[TaskRecord], employers: Mapping[str, EmployerRef]
) -> list[tuple[int, Outcome]]:
    """Create or update the tasks of validated records; ``(id, outcome)`` per record, in order. A task
    without a municipality is at its employer's."""
    items = []
    for record in records:
        employer = employers[record.employer]
        values = values_of(record, TASK_COLUMNS)
        values["municipality"] = values["municipality"] or employer.municipality
        values["employer_id"] = employer.id
        items.append(values)
    existing = stored_tasks(conn, area_id, [r.external_id for r in records])
    return upsert(conn, "carving_tasks", area_id, (*TASK_COLUMNS, EMPLOYER_ID), items, existing)


def write_carved_jobs(
    conn: Conn, area_id: int, records: Sequence[CarvedJobRecord]
) -> list[tuple[int, Outcome]]:
    """Bind each checked carved job's need to its tasks (bundled, or filled with a filled need);
    ``(need id, outcome)`` per record."""
    out: list[tuple[int, Outcome]] = []
    needs = stored_rows(conn, "needs", area_id, [r.need for r in records], NEED_PREFIX)
    tasks = stored_tasks(conn, area_id, [t for r in records for t in r.tasks])
    for record in records:
        need = needs[record.need]
        inserted = conn.execute(
            "INSERT INTO carved_jobs (need_id, area_id, external_id) VALUES (%s, %s, %s)"
            " ON CONFLICT (need_id) DO NOTHING",
            (need["id"], area_id, record.external_id),
        ).rowcount
        status = "filled" if need["status"] == "filled" else "bundled"
        changed = conn.execute(
            "UPDATE carving_tasks SET need_id = %s, status = %s, version = version + 1, updated_at = now()"
            " WHERE id = ANY(%s) AND (need_id IS DISTINCT FROM %s OR status <> %s)",
            (need["id"], status, [tasks[t]["id"] for t in record.tasks], need["id"], status),
        ).rowcount
        out.append((need["id"], "created" if inserted else "updated" if changed else "unchanged"))
    return out


def export_tasks(conn: Conn, area_id: int) -> list[dict[str, Any]]:
    """Every task of the area as a line naming its employer's external id, sorted by external id."""
    rows = conn.execute(
        "SELECT t.*, e.external_id AS employer_external_id FROM carving_tasks t"
        " JOIN employers e ON e.id = t.employer_id WHERE t.area_id = %s",
        (area_id,),
    ).fetchall()
    lines = []
    for row in rows:
        row["external_id"] = external_id(row, TASK_PREFIX)
        employer = external_id(
            {"id": row["employer_id"], "external_id": row["employer_external_id"]}, EMPLOYER_PREFIX
        )
        values = line_values(row, TASK_COLUMNS)
        lines.append(
            {"type": "task", "external_id": values.pop("external_id"), "employer": employer, **values}
        )
    return sorted(lines, key=lambda line: str(line["external_id"]))


def export_carved_jobs(conn: Conn, area_id: int) -> list[dict[str, Any]]:
    """Every carved job of the area as a line naming its need and tasks by external id."""
    rows = conn.execute(
        "SELECT c.need_id, c.external_id, n.external_id AS need_external_id,"
        " array_agg(coalesce(t.external_id, %s || t.id) ORDER BY t.id) AS tasks"
        " FROM carved_jobs c JOIN needs n ON n.id = c.need_id JOIN carving_tasks t ON t.need_id = c.need_id"
        " WHERE c.area_id = %s GROUP BY c.need_id, c.external_id, n.external_id",
        (TASK_PREFIX, area_id),
    ).fetchall()
    lines = [
        {
            "type": "carved_job",
            "external_id": row["external_id"] or f"{CARVED_PREFIX}{row['need_id']}",
            "need": external_id({"id": row["need_id"], "external_id": row["need_external_id"]}, NEED_PREFIX),
            "tasks": list(row["tasks"]),
        }
        for row in rows
    ]
    return sorted(lines, key=lambda line: str(line["external_id"]))
