"""Job carving pages for coordinators: the tasks found at employers, the bundles Kohtaamo suggests, and
the carved jobs bundled from tasks (each a need, shown on its need page too)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

from fastapi import APIRouter, Query, Request, Response

from accounts.models import COORDINATION
from carving import service as carving
from carving import suggestions
from carving.schedule import DAYS
from carving.schemas import CarvedJobCreate, SuggestionParams, TaskCreate, TaskFilters
from core.errors import AppError
from core.paging import PageParams
from employers import service as employers
from employers.schemas import EmployerFilters
from web import labels
from web.forms import Form, drop_empty, options, service_error, validate, whole_number
from web.i18n import N_, I18n
from web.needs import number
from web.pages import Ctx, PageRoute, Posted, once, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

DAY_NAMES: Final = {
    "mon": N_("Mon"),
    "tue": N_("Tue"),
    "wed": N_("Wed"),
    "thu": N_("Thu"),
    "fri": N_("Fri"),
    "sat": N_("Sat"),
    "sun": N_("Sun"),
}
"""Short day names as the pages show a task's slots."""

DAY_WORDS: Final = {
    **{day: day for day in DAYS},
    **dict(zip(("ma", "ti", "ke", "to", "pe", "la", "su"), DAYS, strict=True)),
    **dict(zip(("må", "ti", "on", "to", "fr", "lö", "sö"), DAYS, strict=True)),
    **dict(zip(("mån", "tis", "ons", "tor", "fre", "lör", "sön"), DAYS, strict=True)),
}
"""Day abbreviations a slot may be typed with, in English, Finnish and Swedish (ti and to agree), the
pages' own among them."""

SLOT_LINE: Final = re.compile(r"^\s*(\w+)\.?\s+(\d{1,2})[:.](\d{2})\s*[-–]\s*(\d{1,2})[:.](\d{2})\s*$")
TASK_STATUSES: Final = {
    "open": N_("Open"),
    "bundled": N_("In a carved job"),
    "filled": N_("Filled"),
    "cancelled": N_("Cancelled"),
}


def parse_schedule(text: str | None) -> list[dict[str, str]] | None:
    """Slots typed one per line or comma (``ma 8.00-12.00``, ``mon 08:00-12:00``), or None if a line
    is not one."""
    slots: list[dict[str, str]] = []
    for line in re.split(r"[\n,;]", text or ""):
        if not line.strip():
            continue
        found = SLOT_LINE.match(line)
        day = DAY_WORDS.get(found.group(1).casefold()) if found else None
        if found is None or day is None:
            return None
        start = f"{int(found.group(2)):02d}:{found.group(3)}"
        end = f"{int(found.group(4)):02d}:{found.group(5)}"
        slots.append({"day": day, "start": start, "end": end})
    return slots


def clock_text(hh_mm: str, language: str) -> str:
    """A time of day (``07:00``) as the reader's language writes it: ``7.00`` in Finnish, ``07.00`` in
    Swedish, ``07:00`` in English."""
    hours, _, minutes = hh_mm.partition(":")
    if language == "fi":
        return f"{int(hours)}.{minutes}"
    return f"{hours}.{minutes}" if language == "sv" else hh_mm


def slot_text(slot: dict[str, Any], i18n: I18n) -> str:
    """A slot as the page shows it: ``ma 8.00–12.00`` (in Finnish)."""
    start, end = (clock_text(slot[edge], i18n.language) for edge in ("start", "end"))
    return f"{i18n.gettext(DAY_NAMES[slot['day']])} {start}–{end}"


FLEXIBLE: Final = N_("flexible")


def schedule_text(schedule: Sequence[dict[str, Any]] | None, i18n: I18n) -> str:
    """A weekly schedule as the page shows it: its slots in the order of the week, whatever order they
    were typed in (``ma 7.00–9.00, ti 7.00–9.00``), or "flexible" when it has none."""
    slots = sorted(schedule or (), key=lambda slot: (DAYS.index(slot["day"]), slot["start"], slot["end"]))
    return ", ".join(slot_text(slot, i18n) for slot in slots) or i18n.gettext(FLEXIBLE)


def _typed_slot(label: str, i18n: I18n) -> str:
    """A slot label of a problem (``tue 08:00-12:00``) as :func:`slot_text` writes a slot."""
    day, _, times = label.partition(" ")
    start, _, end = times.partition("-")
    if day not in DAY_NAMES or not end:
        return label
    return slot_text({"day": day, "start": start, "end": end}, i18n)


def _employer_choices(ctx: Ctx) -> list[tuple[str, str]]:
    rows, _ = employers.list_employers(
        ctx.conn, ctx.principal, EmployerFilters(), PageParams(limit=1000, offset=0)
    )
    return [(str(r["id"]), r["name"]) for r in rows]


def _render(ctx: Ctx, template: str, status: int = 200, **values: Any) -> Response:
    return ctx.render(
        template,
        status=status,
        schedule_text=lambda schedule: schedule_text(schedule, ctx.i18n),
        task_statuses=TASK_STATUSES,
        labels=labels,
        **values,
    )


# The overview: open tasks, suggested bundles, carved jobs ---------------------------------------


@router.get("/carving")
def carving_page(
    request: Request, min_hours: str = "20", max_hours: str = "37,5", max_distance_km: str = "30"
) -> Response:
    """The area's tasks, the bundles Kohtaamo suggests (for the hours and distance asked) and the
    carved jobs."""
    with page(request, *COORDINATION) as ctx:
        form = Form.initial(
            {"min_hours": min_hours, "max_hours": max_hours, "max_distance_km": max_distance_km}
        )
        params = validate(
            SuggestionParams,
            {
                "min_hours": number(min_hours) or "20",
                "max_hours": number(max_hours) or "37.5",
                "max_distance_km": number(max_distance_km) or "30",
            },
            form,
            ctx.i18n,
        )
        open_tasks = carving.open_tasks(ctx.conn, ctx.principal.area_id)
        found: list[suggestions.Bundle] = []
        if params is not None:
            try:
                found = suggestions.suggest(open_tasks, params)
            except AppError as exc:
                service_error(exc, form, ctx.i18n)
        tasks, total = carving.list_tasks(ctx.conn, ctx.principal, TaskFilters(), PageParams(limit=100))
        jobs, _ = carving.list_carved_jobs(ctx.conn, ctx.principal, PageParams(limit=50))
        return _render(
            ctx,
            "carving.html",
            status=200 if form.ok else 422,
            form=form,
            open_tasks=open_tasks,
            suggestions=[b.as_dict() for b in found],
            tasks=tasks,
            total=total,
            jobs=jobs,
        )


# A task --------------------------------------------------------------------------------------------


def _task_form(ctx: Ctx, form: Form, status: int = 200) -> Response:
    return _render(
        ctx,
        "carving_task_form.html",
        status=status,
        form=form,
        employer_choices=_employer_choices(ctx),
        demand_choices=options(labels.PHYSICAL_DEMANDS.items(), ctx.i18n),
    )


@router.get("/carving/tasks/new")
def new_task(request: Request, employer_id: str = "") -> Response:
    """The form of a task found at an employer."""
    with page(request, *COORDINATION) as ctx:
        return _task_form(ctx, Form.initial({"employer_id": employer_id}))


@router.post("/carving/tasks/new")
def record_task(request: Request, posted: Posted) -> Response:
    """Save a task; back to the carving page."""
    with page(request, *COORDINATION, form=posted) as ctx:
        form = Form.of(posted)
        schedule = parse_schedule(form.text("schedule"))
        if schedule is None:
            form.add(
                "schedule",
                ctx._(N_("Write one slot per line as day and times, e.g. Mon 8:00-12:00.")),
            )
        values = {
            "employer_id": form.text("employer_id"),
            "title": form.text("title"),
            "description": form.text("description"),
            "hours_per_week": number(form.text("hours_per_week")),
            "schedule": schedule or [],
            "skills": form.items("skills"),
            "physical_demands": form.chosen("physical_demands"),
            "municipality": form.text("municipality"),
        }
        data = validate(TaskCreate, drop_empty(values), form, ctx.i18n)
        if data is None or not form.ok:
            return _task_form(ctx, form, status=422)
        try:
            with ctx.savepoint():
                once(
                    ctx,
                    form.text("form_token"),
                    lambda: f"/carving#task-{carving.create_task(ctx.conn, ctx.principal, data)['id']}",
                )
        except AppError as exc:
            service_error(exc, form, ctx.i18n)
            return _task_form(ctx, form, status=exc.status)
        return ctx.redirect("/carving", flash="task_saved")


# A carved job --------------------------------------------------------------------------------------


def _chosen_tasks(ctx: Ctx, ids: list[str]) -> list[dict[str, Any]]:
    chosen = []
    for raw in dict.fromkeys(ids):
        if (task_id := whole_number(raw)) is not None:
            try:
                chosen.append(carving.get_task(ctx.conn, ctx.principal, task_id))
            except AppError:
                continue
    return chosen


def _job_form(ctx: Ctx, form: Form, tasks: list[dict[str, Any]], status: int = 200) -> Response:
    return _render(
        ctx,
        "carving_job_form.html",
        status=status,
        form=form,
        chosen=tasks,
        hours=sum(float(t["hours_per_week"]) for t in tasks),
        form_choices=options(labels.PLACEMENT_FORMS.items(), ctx.i18n),
    )


@router.get("/carving/jobs/new")
def new_carved_job(request: Request, task: list[str] = Query(default=[])) -> Response:
    """The chosen tasks (from the task list or a suggestion) and the carved job's title."""
    with page(request, *COORDINATION) as ctx:
        tasks = _chosen_tasks(ctx, task[:12])
        form = Form.initial({"task": [str(t["id"]) for t in tasks], "placement_forms": ["open_job"]})
        return _job_form(ctx, form, tasks)


@router.post("/carving/jobs/new")
def bundle_tasks(request: Request, posted: Posted) -> Response:
    """Bundle the tasks into a carved job; overlapping schedules or a task taken meanwhile come back as
    the form with the reason."""
    with page(request, *COORDINATION, form=posted) as ctx:
        form = Form.of(posted)
        tasks = _chosen_tasks(ctx, form.chosen("task")[:12])
        if len(tasks) < 2:
            form.add("_form", ctx._(N_("Choose at least two open tasks to bundle.")))
        values = {
            "task_ids": [t["id"] for t in tasks],
            "title": form.text("title"),
            "description": form.text("description"),
            "placement_forms": form.chosen("placement_forms"),
            "text_language": ctx.i18n.language,
        }
        data = validate(CarvedJobCreate, drop_empty(values), form, ctx.i18n, names={"task_ids": "_form"})
        if data is None or not form.ok:
            return _job_form(ctx, form, tasks, status=422)
        try:
            with ctx.savepoint():
                location = once(
                    ctx,
                    form.text("form_token"),
                    lambda: f"/carving/jobs/{carving.bundle(ctx.conn, ctx.principal, data)['need_id']}",
                )
        except AppError as exc:
            if exc.type == "schedules-overlap":
                slots = "; ".join(
                    " / ".join(_typed_slot(label, ctx.i18n) for label in o["slots"])
                    for o in exc.extra["overlaps"]
                )
                form.add("_form", ctx._(N_("The schedules of the tasks overlap: %(slots)s."), slots=slots))
            else:
                service_error(exc, form, ctx.i18n)
            return _job_form(ctx, form, tasks, status=exc.status)
        return ctx.redirect(location, flash="carved_job_saved")


@router.get("/carving/jobs/{need_id:int}")
def carved_job(request: Request, need_id: int) -> Response:
    """A carved job: its tasks, hours and week; the need page has its matches and proposals."""
    with page(request, *COORDINATION) as ctx:
        job = carving.get_carved_job(ctx.conn, ctx.principal, need_id)
        return _render(ctx, "carving_job.html", job=job)
