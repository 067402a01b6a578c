"""Recruitment event pages for coordinators, caseworkers and admins: the list, an event with its
employers and invited jobseekers, creating and editing one, adding participants and marking who came."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from accounts import service as accounts
from accounts.models import STAFF
from core.errors import AppError, NotFound
from core.paging import PageParams
from employers import service as employers
from employers.schemas import EmployerFilters
from jobseekers import service as jobseekers
from jobseekers.schemas import JobseekerFilters
from recruitment import service as recruitment
from recruitment.schemas import AttendanceIn, EventCreate, EventFilters, EventUpdate, ParticipantsIn
from web import labels, list_filters
from web.forms import Form, drop_empty, options, service_error, validate
from web.i18n import N_
from web.pages import Ctx, PageRoute, Posted, once, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 25
MAX_CHOICES = 200
SORTS = {
    "-event_date": labels.EVENT_SORTS["-event_date"],
    "event_date": labels.EVENT_SORTS["event_date"],
    "title": labels.EVENT_SORTS["title"],
}
FIELDS = ("kind", "title", "event_date", "municipality", "place", "description", "organiser_id")


@router.get("/events")
def event_list(
    request: Request,
    kind: str = "",
    municipality: str = "",
    date_from: str = "",
    date_to: str = "",
    sort: str = "-event_date",
    offset: int = 0,
) -> Response:
    """The area's recruitment events, filtered by kind, municipality and day, newest first."""
    with page(request, *STAFF) as ctx:
        given = {"kind": kind, "municipality": municipality, "date_from": date_from, "date_to": date_to}
        form = Form.initial({**given, "sort": sort})
        values = {
            "kind": kind if kind in labels.EVENT_KINDS else None,
            "municipality": municipality.strip()[:100] or None,
            "date_from": date_from.strip() or None,
            "date_to": date_to.strip() or None,
            "sort": list_filters.sort_of(sort, SORTS),
        }
        listing = list_filters.rows(ctx, EventFilters, values, form, offset, PAGE_SIZE, events_of)
        return ctx.render(
            "events.html",
            form=form,
            items=listing.items,
            total=listing.total,
            offset=listing.offset,
            page_size=PAGE_SIZE,
            kind_choices=options(labels.EVENT_KINDS.items(), ctx.i18n),
            sort_choices=options(SORTS.items(), ctx.i18n),
            labels=labels,
        )


def events_of(ctx: Ctx, filters: Any, paging: PageParams) -> tuple[list[dict[str, Any]], int]:
    """The events matching a validated filter."""
    return recruitment.list_events(ctx.conn, ctx.principal, filters, paging)


def _event_form(ctx: Ctx, form: Form, event: dict[str, Any] | None = None, status: int = 200) -> Response:
    users, _ = accounts.list_users(ctx.conn, ctx.principal.area_id, limit=500, offset=0)
    organisers = [(str(u["id"]), u["display_name"]) for u in users if u["role"] in STAFF and u["active"]]
    return ctx.render(
        "event_form.html",
        status=status,
        form=form,
        event=event,
        kind_choices=options(labels.EVENT_KINDS.items(), ctx.i18n),
        organiser_choices=organisers,
    )


def _values(form: Form) -> dict[str, Any]:
    return {name: form.text(name) for name in FIELDS}


@router.get("/events/new")
def new_event_form(request: Request) -> Response:
    """Plan a new recruitment event."""
    with page(request, *STAFF) as ctx:
        return _event_form(ctx, Form.initial({"kind": "fair", "organiser_id": ctx.principal.user_id}))


@router.post("/events/new")
def create_event(request: Request, posted: Posted) -> Response:
    """Save a new event; its employers and jobseekers are added on its page."""
    with page(request, *STAFF, form=posted) as ctx:
        form = Form.of(posted)
        data = validate(EventCreate, drop_empty(_values(form)), form, ctx.i18n)
        if data is None:
            return _event_form(ctx, form, status=422)
        try:
            with ctx.savepoint():

                def produce() -> str:
                    return f"/events/{recruitment.create_event(ctx.conn, ctx.principal, data)['id']}"

                location = once(ctx, form.text("form_token"), produce)
        except AppError as exc:
            service_error(exc, form, ctx.i18n)
            return _event_form(ctx, form, status=exc.status)
        return ctx.redirect(location, flash="event_saved")


@router.get("/events/{event_id:int}/edit")
def edit_event_form(request: Request, event_id: int) -> Response:
    """Change an event's kind, title, day, place, description or organiser."""
    with page(request, *STAFF) as ctx:
        event = recruitment.get_event(ctx.conn, ctx.principal, event_id)
        return _event_form(
            ctx, Form.initial({**{f: event[f] for f in FIELDS}, "version": event["version"]}), event
        )


@router.post("/events/{event_id:int}/edit")
def edit_event(request: Request, event_id: int, posted: Posted) -> Response:
    """Save the edited event at the version that was read."""
    with page(request, *STAFF, form=posted) as ctx:
        form = Form.of(posted)
        event = recruitment.get_event(ctx.conn, ctx.principal, event_id)
        # An emptied place or description is cleared, an emptied title, day or municipality refused by the
        # service; a kind or organiser not sent stays as it is.
        values = _values(form) | {
            "place": form.value("place").strip(),
            "description": form.value("description").strip(),
        }
        values = {k: v for k, v in values.items() if v is not None or k not in ("kind", "organiser_id")}
        data = validate(EventUpdate, values, form, ctx.i18n)
        version = form.version(ctx.i18n)
        if data is None or not form.ok or version is None:
            return _event_form(ctx, form, event, status=422)
        try:
            with ctx.savepoint():
                recruitment.update_event(ctx.conn, ctx.principal, event_id, version, data)
        except AppError as exc:
            service_error(exc, form, ctx.i18n)
            return _event_form(ctx, form, event, status=exc.status)
        return ctx.redirect(f"/events/{event_id}", flash="event_saved")


def _event_page(ctx: Ctx, event_id: int, forms: dict[str, Form] | None = None, status: int = 200) -> Response:
    event = recruitment.get_event(ctx.conn, ctx.principal, event_id)
    taking_part = {e["employer_id"] for e in event["participating_employers"]}
    invited = {j["jobseeker_id"] for j in event["jobseekers"]}
    area_employers, _ = employers.list_employers(
        ctx.conn, ctx.principal, EmployerFilters(), PageParams(limit=MAX_CHOICES, offset=0)
    )
    people, _ = jobseekers.list_jobseekers(
        ctx.conn,
        ctx.principal,
        JobseekerFilters(sort="pseudonym"),
        PageParams(limit=MAX_CHOICES, offset=0),
        reason="web: event invitation",
    )
    attendance = Form.initial(
        {f"employer-{e['employer_id']}": e["attendance"] for e in event["participating_employers"]}
        | {f"jobseeker-{j['jobseeker_id']}": j["attendance"] for j in event["jobseekers"]}
    )
    return ctx.render(
        "event.html",
        status=status,
        event=event,
        labels=labels,
        add_form=(forms or {}).get("add", Form()),
        attendance_form=(forms or {}).get("attendance", attendance),
        employer_choices=[(str(e["id"]), e["name"]) for e in area_employers if e["id"] not in taking_part],
        jobseeker_choices=[(str(p["id"]), p["pseudonym"]) for p in people if p["id"] not in invited],
        attendance_choices=options(labels.ATTENDANCE.items(), ctx.i18n),
    )


@router.get("/events/{event_id:int}")
def event_page(request: Request, event_id: int) -> Response:
    """One event: its details, employers, the invited jobseekers one may see, and the needs found."""
    with page(request, *STAFF) as ctx:
        return _event_page(ctx, event_id)


def _ids(form: Form, name: str) -> list[str]:
    return [v for v in form.chosen(name) if v]


@router.post("/events/{event_id:int}/participants")
def add_participants(request: Request, event_id: int, posted: Posted) -> Response:
    """Add an employer to the event and invite a jobseeker."""
    with page(request, *STAFF, form=posted) as ctx:
        form = Form.of(posted)
        values = {"employer_ids": _ids(form, "employer_id"), "jobseeker_ids": _ids(form, "jobseeker_id")}
        names = {"employer_ids": "employer_id", "jobseeker_ids": "jobseeker_id"}
        data = validate(ParticipantsIn, values, form, ctx.i18n, names)
        if data is None:
            return _event_page(ctx, event_id, {"add": form}, status=422)
        try:
            with ctx.savepoint():
                recruitment.add_participants(ctx.conn, ctx.principal, event_id, data)
        except AppError as exc:
            if isinstance(exc, NotFound) and exc.field is None:
                raise
            service_error(exc, form, ctx.i18n, fallback_field="employer_id")
            form.errors = {names.get(k, k): v for k, v in form.errors.items()}
            return _event_page(ctx, event_id, {"add": form}, status=exc.status)
        return ctx.redirect(f"/events/{event_id}#participants", flash="saved")


@router.post("/events/{event_id:int}/attendance")
def record_attendance(request: Request, event_id: int, posted: Posted) -> Response:
    """Mark who came: each employer and invited jobseeker as invited, attended or absent."""
    with page(request, *STAFF, form=posted) as ctx:
        form = Form.of(posted)
        marks: dict[str, list[dict[str, Any]]] = {"employers": [], "jobseekers": []}
        for name in form.values:
            kind, _, number = name.partition("-")
            if kind in ("employer", "jobseeker") and number.isdecimal():
                marks[f"{kind}s"].append({f"{kind}_id": int(number), "attendance": form.text(name)})
        data = validate(AttendanceIn, marks, form, ctx.i18n)
        if data is None:
            form.errors = {"_form": ctx._(N_("The details were not accepted. Check them and try again."))}
            return _event_page(ctx, event_id, {"attendance": form}, status=422)
        try:
            with ctx.savepoint():
                recruitment.record_attendance(ctx.conn, ctx.principal, event_id, data)
        except AppError as exc:
            if isinstance(exc, NotFound) and exc.field is None:
                raise
            service_error(exc, form, ctx.i18n)
            form.errors = {"_form": next(iter(form.errors.values()))}
            return _event_page(ctx, event_id, {"attendance": form}, status=exc.status)
        return ctx.redirect(f"/events/{event_id}#attendance", flash="attendance_saved")
