"""Tasks found at employers and the carved jobs bundled from them, always within one employment area.

A carved job is a need row (``employers``), so matching, proposals and placements treat it as any need;
its text, skills, hours and shifts come from its tasks. The rules here: a bundle's schedules must not
overlap, a task belongs to one carved job only (two coordinators bundling it at once: the second gets
409), a jobseeker is proposed or placed only where every task lies within their commute, and placing
someone in a carved job fills each of its tasks.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from accounts.models import Principal
from carving.schedule import DAYS, combined, minutes, overlaps
from carving.schemas import CarvedJobCreate, TaskCreate, TaskFilters
from core.db import Conn
from core.errors import Conflict, NotFound, ValidationFailed
from core.municipalities import canonical_municipality
from core.paging import PageParams
from core.sql import insert_row
from employers import service as employers
from employers.schemas import NeedEntry
from matching.engine import MatchingEngine
from matching.geo import distance_km

MAX_HOURS: Final = 60.0
"""A carved job's hours are the sum of its tasks' and, as any need's, at most 60 a week."""

_TASKS: Final = (
    "SELECT t.*, e.name AS employer_name FROM carving_tasks t JOIN employers e ON e.id = t.employer_id"
)


class TaskTaken(Conflict):
    type = "task-taken"
    title = "The task is already in a carved job"


class SchedulesOverlap(ValidationFailed):
    type = "schedules-overlap"
    title = "The tasks' schedules overlap"


class TasksTooFarApart(ValidationFailed):
    type = "tasks-too-far"
    title = "The tasks lie beyond the jobseeker's commute"


# Tasks ---------------------------------------------------------------------------------------------


def create_task(conn: Conn, principal: Principal, data: TaskCreate) -> dict[str, Any]:
    """A task found at an employer of the area (its municipality defaults to the employer's)."""
    try:
        employer = employers.get_employer(conn, principal, data.employer_id)
    except NotFound:
        raise NotFound("employer not found", field="employer_id") from None
    values = data.model_dump(exclude_none=True, mode="json")
    values["municipality"] = canonical_municipality(data.municipality or employer["municipality"])
    values["schedule"] = Jsonb(values.get("schedule", []))
    values["skills"] = list(dict.fromkeys(values.get("skills", [])))
    values |= {"area_id": principal.area_id, "created_by": principal.user_id}
    try:
        with conn.transaction():
            row = insert_row(conn, "carving_tasks", values)
    except pg_errors.UniqueViolation:
        raise Conflict("external_id is already used in the area", field="external_id") from None
    return get_task(conn, principal, row["id"])


def get_task(conn: Conn, principal: Principal, task_id: int) -> dict[str, Any]:
    """One task of the area."""
    row: dict[str, Any] | None = conn.execute(
        _TASKS + " WHERE t.id = %s AND t.area_id = %s", (task_id, principal.area_id)
    ).fetchone()
    if row is None:
        raise NotFound("task not found")
    return row


def list_tasks(
    conn: Conn, principal: Principal, filters: TaskFilters, page: PageParams
) -> tuple[list[dict[str, Any]], int]:
    """Tasks of the area, newest first, optionally by status, employer or municipality."""
    where = ["t.area_id = %s"]
    params: list[Any] = [principal.area_id]
    if filters.status is not None:
        where.append("t.status = %s")
        params.append(filters.status.value)
    if filters.employer_id is not None:
        where.append("t.employer_id = %s")
        params.append(filters.employer_id)
    if filters.municipality:
        where.append("t.municipality = %s")
        params.append(canonical_municipality(filters.municipality))
    condition = " WHERE " + " AND ".join(where)
    total_row = conn.execute("SELECT count(*) AS n FROM carving_tasks t" + condition, params).fetchone()
    rows = conn.execute(
        _TASKS + condition + " ORDER BY t.created_at DESC, t.id DESC LIMIT %s OFFSET %s",
        [*params, page.limit, page.offset],
    ).fetchall()
    return rows, int(total_row["n"]) if total_row else 0


def open_tasks(conn: Conn, area_id: int, limit: int = 500) -> list[dict[str, Any]]:
    """The area's tasks not yet in a carved job, oldest first (what bundles are suggested from)."""
    return conn.execute(
        _TASKS + " WHERE t.area_id = %s AND t.status = 'open' ORDER BY t.id LIMIT %s", (area_id, limit)
    ).fetchall()


# Carved jobs ---------------------------------------------------------------------------------------


def _shifts(schedule: Sequence[dict[str, Any]]) -> list[str]:
    """The need's shifts as matching's constraints read them, from the tasks' slots."""
    shifts: list[str] = []
    for raw in schedule:
        start, end = minutes(str(raw["start"])), minutes(str(raw["end"]))
        if DAYS.index(str(raw["day"])) >= 5:
            shifts.append("weekend")
        if start < 6 * 60 or end > 22 * 60:
            shifts.append("night")
        elif end > 18 * 60:
            shifts.append("evening")
        else:
            shifts.append("day")
    return list(dict.fromkeys(shifts))


def _locked_open_tasks(conn: Conn, principal: Principal, task_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The tasks, locked in id order (two bundlers never wait on each other in a circle); 404 naming a
    task not of the area, 409 naming one already bundled. A bundler that waited on another's lock reads
    the row as the other committed it."""
    ids = sorted(set(task_ids))
    if len(ids) != len(task_ids):
        raise ValidationFailed("a task is named twice", field="task_ids")
    rows = conn.execute(
        "SELECT id, status, need_id FROM carving_tasks WHERE id = ANY(%s) AND area_id = %s"
        " ORDER BY id FOR UPDATE",
        (ids, principal.area_id),
    ).fetchall()
    found = {r["id"]: r for r in rows}
    for task_id in ids:
        if task_id not in found:
            raise NotFound(f"task {task_id} not found in the area", field="task_ids")
        if found[task_id]["status"] != "open":
            raise TaskTaken(
                f"task {task_id} is already {found[task_id]['status']}"
                + (f" in carved job {found[task_id]['need_id']}" if found[task_id]["need_id"] else ""),
                field="task_ids",
                extra={"task_id": task_id, "need_id": found[task_id]["need_id"]},
            )
    return [get_task(conn, principal, task_id) for task_id in ids]


def _refuse_overlaps(tasks: Sequence[dict[str, Any]]) -> None:
    clashes = overlaps((t["id"], t["schedule"]) for t in tasks)
    if clashes:
        named = "; ".join(
            f"task {c.first_task} {c.first.label()} and task {c.second_task} {c.second.label()}"
            for c in clashes
        )
        raise SchedulesOverlap(
            f"the tasks' schedules overlap: {named}",
            field="task_ids",
            extra={"overlaps": [c.as_dict() for c in clashes]},
        )


def _most_hours(tasks: Sequence[dict[str, Any]], key: str) -> Any:
    """The value of ``key`` (employer, municipality) under which the tasks have the most hours."""
    totals: dict[Any, float] = {}
    for task in tasks:
        totals[task[key]] = totals.get(task[key], 0.0) + float(task["hours_per_week"])
    return max(totals, key=lambda k: totals[k])


def bundle(conn: Conn, principal: Principal, data: CarvedJobCreate) -> dict[str, Any]:
    """Bundle open tasks into a carved job: one need whose hours are the tasks' sum, whose schedule is
    theirs together (refused, 422, where it overlaps, naming the slots) and whose skills and physical
    demands are all of theirs. Each task is then in this job; a task already in one is a 409."""
    tasks = _locked_open_tasks(conn, principal, data.task_ids)
    _refuse_overlaps(tasks)
    hours = round(sum(float(t["hours_per_week"]) for t in tasks), 1)
    if hours > MAX_HOURS:
        raise ValidationFailed(
            f"the tasks add up to {hours} hours a week, more than {MAX_HOURS:g}", field="task_ids"
        )
    employer_ids = {t["employer_id"] for t in tasks}
    if data.employer_id is not None and data.employer_id not in employer_ids:
        raise ValidationFailed(
            "the carved job's employer must be one of its tasks' employers", field="employer_id"
        )
    schedule = combined(t["schedule"] for t in tasks)
    lines = [
        f"{t['title']} ({t['employer_name']}, {t['municipality']}): {t['description']}".rstrip(": ")
        for t in tasks
    ]
    need = NeedEntry.model_validate(
        {
            "employer_id": data.employer_id or _most_hours(tasks, "employer_id"),
            "title": data.title,
            "description": "\n".join([data.description, *lines]).strip()[:5000],
            "skills": list(dict.fromkeys(s for t in tasks for s in t["skills"]))[:50],
            "municipality": _most_hours(tasks, "municipality"),
            "hours_per_week": hours,
            "shifts": _shifts(schedule),
            "physical_demands": list(dict.fromkeys(d for t in tasks for d in t["physical_demands"])),
            "placement_forms": data.placement_forms,
            "text_language": data.text_language,
            "positions": 1,
        }
    )
    row = employers.create_need(conn, principal, need)
    try:
        with conn.transaction():
            insert_row(
                conn,
                "carved_jobs",
                {
                    "need_id": row["id"],
                    "area_id": principal.area_id,
                    "external_id": data.external_id,
                    "created_by": principal.user_id,
                },
            )
    except pg_errors.UniqueViolation:
        raise Conflict("external_id is already used in the area", field="external_id") from None
    conn.execute(
        "UPDATE carving_tasks SET status = 'bundled', need_id = %s, version = version + 1, updated_at = now()"
        " WHERE id = ANY(%s)",
        (row["id"], [t["id"] for t in tasks]),
    )
    return get_carved_job(conn, principal, row["id"])


def tasks_of(conn: Conn, need_id: int) -> list[dict[str, Any]]:
    """The tasks of a carved job (none for any other need), in id order."""
    return conn.execute(_TASKS + " WHERE t.need_id = %s ORDER BY t.id", (need_id,)).fetchall()


def _carved_view(carved: dict[str, Any], need: dict[str, Any], tasks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "need_id": need["id"],
        "external_id": carved["external_id"],
        "title": need["title"],
        "employer_id": need["employer_id"],
        "municipality": need["municipality"],
        "hours_per_week": need["hours_per_week"],
        "status": need["status"],
        "schedule": combined(t["schedule"] for t in tasks),
        "tasks": tasks,
        "created_by": carved["created_by"],
        "created_at": carved["created_at"],
    }


def get_carved_job(conn: Conn, principal: Principal, need_id: int) -> dict[str, Any]:
    """One carved job of the area with its tasks."""
    carved = conn.execute(
        "SELECT * FROM carved_jobs WHERE need_id = %s AND area_id = %s", (need_id, principal.area_id)
    ).fetchone()
    if carved is None:
        raise NotFound("carved job not found")
    need = employers.get_need(conn, principal, need_id)
    return _carved_view(carved, need, tasks_of(conn, need_id))


def list_carved_jobs(conn: Conn, principal: Principal, page: PageParams) -> tuple[list[dict[str, Any]], int]:
    """The area's carved jobs, newest first, each with its tasks."""
    total = conn.execute(
        "SELECT count(*) AS n FROM carved_jobs WHERE area_id = %s", (principal.area_id,)
    ).fetchone()
    rows = conn.execute(
        "SELECT need_id FROM carved_jobs WHERE area_id = %s ORDER BY created_at DESC, need_id DESC"
        " LIMIT %s OFFSET %s",
        (principal.area_id, page.limit, page.offset),
    ).fetchall()
    return [get_carved_job(conn, principal, r["need_id"]) for r in rows], int(total["n"]) if total else 0


# What proposals and placements ask -----------------------------------------------------------------


def refuse_beyond_commute(
    conn: Conn, need_id: int, home: str, max_commute_km: float | None, field: str
) -> None:
    """For a carved job: refuse (422) a jobseeker whose commute does not reach every task from home, or
    whose tasks lie further apart than that commute, naming the tasks and the distance. Any other need,
    or a jobseeker without a commute limit, passes."""
    tasks = tasks_of(conn, need_id)
    if not tasks or max_commute_km is None:
        return
    worst: tuple[float, str] = (0.0, "")
    for i, task in enumerate(tasks):
        from_home = distance_km(home, task["municipality"])
        if from_home > worst[0]:
            worst = (from_home, f"task {task['id']} ({task['municipality']}) is {from_home:.0f} km from home")
        for other in tasks[i + 1 :]:
            apart = distance_km(task["municipality"], other["municipality"])
            if apart > worst[0]:
                worst = (
                    apart,
                    f"tasks {task['id']} ({task['municipality']}) and {other['id']} ({other['municipality']})"
                    f" are {apart:.0f} km apart",
                )
    if worst[0] > max_commute_km:
        raise TasksTooFarApart(
            f"the carved job's {worst[1]}, further than the jobseeker's commute of {max_commute_km:g} km",
            field=field,
            extra={"distance_km": round(worst[0], 1), "max_commute_km": max_commute_km},
        )


def fill_tasks(conn: Conn, need_id: int) -> int:
    """Mark the tasks of a carved job filled (someone was placed in it); how many. None for other needs."""
    return conn.execute(
        "UPDATE carving_tasks SET status = 'filled', version = version + 1, updated_at = now()"
        " WHERE need_id = %s AND status = 'bundled'",
        (need_id,),
    ).rowcount


def explain_by_task(conn: Conn, need_id: int, profile: dict[str, Any]) -> list[dict[str, Any]]:
    """A carved job's fit for a jobseeker task by task: where each task is from their home, its hours and
    slots, and which of its skills they have. Empty for any other need."""
    return explain_tasks(tasks_of(conn, need_id), profile)


def explain_ranking(
    conn: Conn, engine: MatchingEngine, need_id: int, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """A carved job's ranked candidates (:func:`matching.service.need_matches` items), each given its
    ``tasks`` explanation; the items of any other need unchanged. The tasks are read once for the page,
    each candidate's home and skills taken from the engine that ranked them (no read per candidate)."""
    tasks = tasks_of(conn, need_id)
    if not tasks:
        return items
    people = engine.side("jobseeker").entries
    for item in items:
        entry = people.get(item["id"])
        profile = {"skills": entry.skills, "municipality": entry.municipality} if entry else None
        item["tasks"] = explain_tasks(tasks, profile) if profile else None
    return items


def explain_tasks(tasks: Sequence[dict[str, Any]], profile: dict[str, Any]) -> list[dict[str, Any]]:
    """:func:`explain_by_task` of tasks already read."""
    have = {s.casefold() for s in profile.get("skills") or []}
    home = profile.get("municipality")
    return [
        {
            "task_id": task["id"],
            "title": task["title"],
            "employer_name": task["employer_name"],
            "municipality": task["municipality"],
            "hours_per_week": float(task["hours_per_week"]),
            "schedule": [f"{s['day']} {s['start']}-{s['end']}" for s in task["schedule"]],
            "distance_km": round(distance_km(home, task["municipality"]), 1) if home else None,
            "matched_skills": [s for s in task["skills"] if s.casefold() in have],
            "missing_skills": [s for s in task["skills"] if s.casefold() not in have],
        }
        for task in tasks
    ]
