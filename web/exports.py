"""Every list page as a CSV or XLSX file: the list as it is filtered now, whole, in the reader's language.

``/employers.csv?municipality=Turku`` is the employer register's page ``/employers?municipality=Turku``
as a file: the export calls the page's own handler with the query string the page had (so whatever
filters the page learns, its file follows), page after page, and takes the rows the page would have
shown instead of the HTML (:meth:`web.pages.Ctx.render` hands them over while an export is collecting).
The handler checks the role and reads through the services, so a file holds what the user may see on the
page and nothing more; the columns are the page's columns. A file holding jobseekers' data is audited
like the reads it is made of, once more as an ``export`` of each jobseeker in it.

Each page of the list is read in a transaction of its own: a list that changes while a long export runs
may show a row twice or miss one, as paging through it by hand would.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from fastapi import APIRouter, Request, Response

from accounts.models import Role
from core import spreadsheets
from core.paging import MAX_OFFSET
from jobseekers.audit import record_access
from web import admin, caseworker, coordinator, employer, labels, needs, placements
from web.i18n import N_, I18n
from web.pages import Capture, Ctx, PageRoute, error_page, language_of, page, templates

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_ROWS: Final = 10_000
"""The most rows one file holds: a longer list is cut there, and both the page offering the file and the
file's last row say so (narrow it with the page's filters)."""
CUT_NOTE: Final = N_(
    "The list has %(total)s rows; this file holds the first %(shown)s. Narrow the list with its filters"
    " to get the rest."
)
XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Row = dict[str, Any]
Values = dict[str, Any]
Getter = Callable[[Row, Values, I18n], spreadsheets.Cell]


@dataclass(frozen=True)
class Column:
    header: str
    """A message id."""
    value: Getter


@dataclass(frozen=True)
class ListExport:
    """How one list page becomes a file."""

    path: str
    """The page's address; the files are at ``<path>.csv`` and ``<path>.xlsx`` (``/home`` for ``/``)."""
    handler: Callable[..., Response]
    title: str
    """A message id: the sheet's name and the file's."""
    rows: Callable[[Values], list[Row]]
    columns: Sequence[Column]
    jobseeker_id: Callable[[Row], int | None] | None = None
    """The jobseeker a row is about, when the file carries jobseekers' data (audited)."""
    paged: bool = True


def _label(table: dict[str, str], key: str) -> Callable[[Row, Values, I18n], str]:
    return lambda r, _v, i18n: i18n.gettext(table[r[key]]) if r.get(key) in table else ""


def _field(key: str) -> Getter:
    return lambda r, _v, _i: _cell(r.get(key))


def _cell(value: Any) -> spreadsheets.Cell:
    if value is None or isinstance(value, int | float | str | date | datetime):
        return value
    return str(value)


def _day(key: str) -> Getter:
    """A date or moment shown as the day it is in Finland (as the pages show it)."""

    def value(r: Row, _v: Values, _i: I18n) -> spreadsheets.Cell:
        found = r.get(key)
        if isinstance(found, datetime):
            return spreadsheets.local_date(found)
        return _cell(found)

    return value


def _names(key: str, names: str) -> Getter:
    return lambda r, v, _i: v[names].get(r.get(key), "")


def _yes_no(key: str) -> Getter:
    return lambda r, _v, i18n: i18n.gettext(N_("Yes") if r.get(key) else N_("No"))


def front_page(ctx: Ctx) -> Response:
    """Each role's front page: the coordinator's day, the caseworker's clients, the employer's needs."""
    if ctx.principal.role is Role.CASEWORKER:
        return caseworker.clients_page(ctx)
    if ctx.principal.role is Role.EMPLOYER:
        return employer.own_needs_page(ctx)
    return coordinator.today_page(ctx)


def _home(request: Request) -> Response:
    with page(request) as ctx:
        return front_page(ctx)


EXPORTS: Final = (
    ListExport(
        "/employers",
        coordinator.employer_register,
        N_("Employers"),
        lambda v: v["items"],
        (
            Column(N_("Name"), _field("name")),
            Column(N_("Business ID"), _field("business_id")),
            Column(N_("Municipality"), _field("municipality")),
            Column(N_("Industry"), _label(labels.SECTORS, "sector")),
            Column(N_("Responsible coordinator"), _names("responsible_coordinator", "coordinators")),
            Column(N_("Latest contact"), _names("id", "latest_contacts")),
        ),
    ),
    ListExport(
        "/needs",
        needs.need_list,
        N_("Needs"),
        lambda v: v["items"],
        (
            Column(N_("Title"), _field("title")),
            Column(N_("Employer"), _names("employer_id", "employer_names")),
            Column(N_("Municipality"), _field("municipality")),
            Column(N_("Status"), _label(labels.NEED_STATUS, "status")),
            Column(N_("Visibility"), _label(labels.VISIBILITY, "visibility")),
            Column(N_("Positions"), _field("positions")),
            Column(N_("Recorded"), _day("created_at")),
            Column(N_("Start date"), _field("start_date")),
        ),
    ),
    ListExport(
        "/clients",
        caseworker.clients,
        N_("My clients"),
        lambda v: v["items"],
        (
            Column(N_("Client"), lambda r, _v, _i: r.get("full_name") or r["pseudonym"]),
            Column(N_("Pseudonym"), _field("pseudonym")),
            Column(N_("Municipality"), _field("municipality")),
            Column(N_("Service stage"), _label(caseworker.SERVICE_STAGES, "service_stage")),
            Column(N_("Available"), _yes_no("available")),
            Column(N_("Skills"), lambda r, _v, i18n: i18n.skills(r.get("skills"))),
            Column(N_("Unemployed since"), _field("unemployed_since")),
        ),
        jobseeker_id=lambda r: r["id"],
    ),
    ListExport(
        "/proposals",
        placements.proposal_list,
        N_("Proposals"),
        lambda v: v["items"],
        (
            Column(N_("Candidate"), _field("pseudonym")),
            Column(N_("Need"), _field("need_title")),
            Column(N_("Employer"), _names("employer_id", "names")),
            Column(N_("State"), _label(labels.PROPOSAL_STATES, "state")),
            Column(N_("Answer"), _label(labels.ANSWERS, "answer")),
            Column(N_("Proposed"), _day("created_at")),
        ),
        jobseeker_id=lambda r: r.get("jobseeker_id"),
    ),
    ListExport(
        "/placements",
        placements.placement_list,
        N_("Placements"),
        lambda v: v["items"],
        (
            Column(N_("Candidate"), _field("pseudonym")),
            Column(N_("Employer"), _names("employer_id", "names")),
            Column(N_("Placement form"), _label(labels.PLACEMENT_FORMS, "form")),
            Column(N_("Start date"), _field("start_date")),
            Column(N_("End date"), _field("end_date")),
            Column(N_("Hours per week"), _field("hours_per_week")),
            Column(N_("Ended"), _field("ended_on")),
        ),
        jobseeker_id=lambda r: r.get("jobseeker_id"),
    ),
    ListExport(
        "/cards",
        placements.intro_cards,
        N_("Intro cards"),
        lambda v: [*v["waiting"], *v["answered"]],
        (
            Column(N_("Candidate"), _field("pseudonym")),
            Column(N_("Need"), _field("need_title")),
            Column(N_("State"), _label(labels.PROPOSAL_STATES, "state")),
            Column(N_("Answer"), _label(labels.ANSWERS, "answer")),
            Column(N_("Sent"), _day("created_at")),
        ),
        jobseeker_id=lambda r: r.get("jobseeker_id"),
    ),
    ListExport(
        "/admin/users",
        admin.users,
        N_("Users"),
        lambda v: v["users"],
        (
            Column(N_("Name"), _field("display_name")),
            Column(N_("Email"), _field("email")),
            Column(N_("Role"), _label(labels.ROLES, "role")),
            Column(N_("Employer"), lambda r, v, _i: v["employer_names"].get(r.get("employer_id"), "")),
            Column(N_("Active"), _yes_no("active")),
        ),
    ),
)

# The front page is each role's own list: the coordinator's contacts due, the caseworker's clients, the
# employer's needs. Its file is that list's, at /home.csv.
FRONT_PAGES: Final = {
    "today.html": ListExport(
        "/home",
        _home,
        N_("Next steps with employers"),
        lambda v: v["due"]["contacts"]["items"],
        (
            Column(N_("Employer"), _field("employer_name")),
            Column(N_("Due"), _field("next_step_date")),
            Column(N_("Next step"), _field("next_step")),
            Column(N_("What was learned"), _field("summary")),
            Column(N_("Contact"), _label(labels.CONTACT_KINDS, "kind")),
            Column(N_("Date"), _field("contact_date")),
        ),
        paged=False,
    ),
    "clients.html": EXPORTS[2],
    "my_needs.html": ListExport(
        "/home",
        _home,
        N_("Our needs"),
        lambda v: v["needs"],
        (
            Column(N_("Title"), _field("title")),
            Column(N_("Status"), _label(labels.NEED_STATUS, "status")),
            Column(N_("Positions"), _field("positions")),
            Column(N_("Positions filled"), _field("positions_filled")),
            Column(N_("Recorded"), _day("created_at")),
        ),
        paged=False,
    ),
}


def _arguments(handler: Callable[..., Response], request: Request, offset: int) -> dict[str, Any]:
    """The handler's query parameters from the request's query string (as FastAPI would give them);
    a value that does not parse is left out, so the handler's default applies."""
    hints = typing.get_type_hints(handler)
    given: dict[str, Any] = {}
    for name, hint in hints.items():
        if name in ("request", "return"):
            continue
        if name == "offset":
            given[name] = offset
            continue
        if typing.get_origin(hint) is list:
            given[name] = request.query_params.getlist(name)
            continue
        raw = request.query_params.get(name)
        if raw is None:
            continue
        kinds = typing.get_args(hint) or (hint,)
        if int in kinds and str not in kinds:
            try:
                given[name] = int(raw)
            except ValueError:
                continue
        else:
            given[name] = raw
    return given


def _collect(spec: ListExport, request: Request) -> tuple[ListExport, Values, list[Row], int] | Response:
    """Every row of the filtered list, page by page, up to ``MAX_ROWS``, and how many rows the list has
    in all; or the page's own answer when it is no list (a redirect to the sign-in, an error page)."""
    capture = Capture()
    request.state.capture = capture
    rows: list[Row] = []
    offset = total = 0
    values: Values = {}
    try:
        while True:
            capture.clear()
            answer = spec.handler(request, **_arguments(spec.handler, request, offset))
            if capture.template is None:
                return answer
            if capture.status != 200:  # the page would have shown its form again, with the error
                return error_page(request, capture.status)
            spec = FRONT_PAGES.get(capture.template, spec) if spec.path == "/home" else spec
            # A page's lookups (employer names by id) cover only its own rows: each file row needs its
            # page's, so they are gathered over the pages, not replaced by the last page's.
            gathered = {
                name: {**values.get(name, {}), **capture.values[name]}
                for name in ("employer_names", "names")
                if isinstance(capture.values.get(name), dict)
            }
            values = {**values, **capture.values, **gathered}
            found = spec.rows(capture.values)
            rows.extend(found)
            offset += len(found)
            total = int(capture.values.get("total", 0))
            if not spec.paged or not found or offset >= total or len(rows) >= MAX_ROWS or offset > MAX_OFFSET:
                break
    finally:
        request.state.capture = None
    return spec, values, rows[:MAX_ROWS], max(total, len(rows))


def _audit(request: Request, spec: ListExport, rows: list[Row]) -> None:
    if spec.jobseeker_id is None:
        return
    ids = [i for i in (spec.jobseeker_id(r) for r in rows) if i is not None]
    if ids:
        with page(request) as ctx:
            record_access(ctx.conn, ctx.principal, ids, "export", f"web: {spec.path.strip('/')} export")


def _file(spec: ListExport, request: Request, kind: str) -> Response:
    collected = _collect(spec, request)
    if isinstance(collected, Response):
        return collected
    spec, values, rows, total = collected
    _audit(request, spec, rows)
    i18n = language_of(request)
    headers = [i18n.gettext(c.header) for c in spec.columns]
    table: list[list[spreadsheets.Cell]] = [[c.value(r, values, i18n) for c in spec.columns] for r in rows]
    if total > len(rows):  # cut at MAX_ROWS: the file says so in its last row, not silently
        table.append([i18n.gettext(CUT_NOTE, total=i18n.number(total), shown=i18n.number(len(rows)))])
    title = i18n.gettext(spec.title)
    filename = "".join(ch if ch.isalnum() else "-" for ch in title.lower()).strip("-") or "kohtaamo"
    disposition = {"Content-Disposition": f'attachment; filename="{ascii_name(filename)}.{kind}"'}
    private = {"Cache-Control": "no-store", **disposition}
    if kind == "csv":
        body = spreadsheets.to_csv(headers, table, i18n.language)
        return Response(body, media_type="text/csv; charset=utf-8", headers=private)
    body = spreadsheets.to_xlsx([spreadsheets.Sheet(title, headers, table)])
    return Response(body, media_type=XLSX, headers=private)


def ascii_name(name: str) -> str:
    """A file name a Content-Disposition header carries as it is (ä → a, å → a, ö → o)."""
    plain = name.translate(str.maketrans("äåöÄÅÖ", "aaoAAO"))
    return "".join(ch for ch in plain if ch.isascii()) or "kohtaamo"


def _route(spec: ListExport, kind: str) -> Callable[[Request], Response]:
    def export(request: Request) -> Response:
        return _file(spec, request, kind)

    export.__doc__ = f"The list of {spec.path} as a {kind.upper()} file."
    return export


templates.globals["export_max_rows"] = lambda: MAX_ROWS  # read when rendered: _export.html's note

for _spec in (*EXPORTS, FRONT_PAGES["today.html"]):
    for _kind in ("csv", "xlsx"):
        router.add_api_route(f"{_spec.path}.{_kind}", _route(_spec, _kind), methods=["GET"])
