"""The indicator page: the area's shared outcome indicators, their charts and CSV/XLSX downloads.

The downloads are for people: in the reader's language, and the CSV as Finnish Excel opens it
(:mod:`core.spreadsheets`); the charts are drawn once per area, period and data version
(:mod:`placements.charts`)."""

from __future__ import annotations

from datetime import date
from typing import Any, Final, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response

from accounts import service as accounts
from accounts.models import COORDINATION, Role
from core import spreadsheets
from core.errors import AppError, ValidationFailed
from jobseekers import target_groups
from matching import exposure
from matching import service as matching
from placements import charts, exports, indicators, ledger
from recruitment import service as recruitment
from web import labels
from web.forms import Form, whole_number
from web.i18n import N_
from web.pages import Ctx, PageRoute, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PRIVATE = {"Cache-Control": "no-store"}
FILE_NAME = N_("kohtaamo-indicators")
"""The downloads' name (ASCII: a Content-Disposition header carries it as it is)."""


def _period(date_from: str, date_to: str) -> tuple[date, date]:
    """The chosen period, by default the last twelve months to today (as the API's)."""
    try:
        first = date.fromisoformat(date_from) if date_from else None
        last = date.fromisoformat(date_to) if date_to else None
    except ValueError:
        raise ValidationFailed("write dates as yyyy-mm-dd", field="from") from None
    return ledger.default_period(first, last)


def _by(value: str) -> indicators.By:
    for choice in get_args(indicators.By):
        if value == choice:
            by: indicators.By = choice
            return by
    return "area"


GROUP_GONE: Final = N_(
    "The target group the link names no longer exists (it may have been removed). The figures are for"
    " all jobseekers; choose another group to narrow them."
)


def _groups(ctx: Ctx) -> list[tuple[str, str]]:
    """The target-group choices: every jobseeker, or one of the area's saved groups."""
    groups, _ = target_groups.list_target_groups(ctx.conn, ctx.principal)
    return [("", ctx._(N_("All jobseekers"))), *((str(g["id"]), g["name"]) for g in groups)]


def _group_gone(ctx: Ctx, target_group: str) -> Response | None:
    """For a file or chart whose link names a target group the area no longer has (a bookmark, a page
    opened before the group was removed): the indicator page of that link, which says so. None when the
    group exists or none is named."""
    if not target_group or target_group in {key for key, _ in _groups(ctx)}:
        return None
    return ctx.redirect("/indicators?" + ctx.request.url.query)


def _events(ctx: Ctx) -> list[tuple[str, str]]:
    """The recruitment-event choices: every one, or one event of the area."""
    events = recruitment.event_choices(ctx.conn, ctx.principal)
    named = ((str(e["id"]), f"{e['title']} ({ctx.i18n.date(e['event_date'])})") for e in events)
    return [("", ctx._(N_("All, not cut by an event"))), *named]


def _scope(ctx: Ctx, first: date, last: date, target_group: str = "", event: str = "") -> indicators.Scope:
    name = accounts.get_area(ctx.conn, ctx.principal.area_id)["name"]
    scope = indicators.Scope(area_id=ctx.principal.area_id, area_name=name, date_from=first, date_to=last)
    narrowed = indicators.narrowed(ctx.conn, scope, whole_number(target_group))
    return indicators.at_event(ctx.conn, narrowed, whole_number(event))


@router.get("/indicators")
def indicator_page(
    request: Request,
    date_from: str = "",
    date_to: str = "",
    by: str = "area",
    target_group: str = "",
    event: str = "",
) -> Response:
    """Every indicator for the period and grouping (of a target group, when one is chosen), with a chart
    of each over time and the downloads."""
    with page(request, *COORDINATION) as ctx:
        grouping = _by(by)
        groups = _groups(ctx)
        group_gone = target_group not in {key for key, _ in groups}
        if group_gone:
            target_group = ""
        events = _events(ctx)
        if event not in {key for key, _ in events}:
            event = ""
        chosen = {"by": grouping, "target_group": target_group, "event": event}
        form = Form.initial({"date_from": date_from, "date_to": date_to, **chosen})
        result: dict[str, Any] | None = None
        try:
            first, last = _period(date_from, date_to)
            form = Form.initial({"date_from": first.isoformat(), "date_to": last.isoformat(), **chosen})
            with ctx.savepoint():
                scope = _scope(ctx, first, last, target_group, event)
                result = indicators.compute(ctx.conn, scope, grouping, ctx.i18n.language)
        except AppError:
            form.add(
                "date_from", ctx._(N_("Check the period: the first day must be on or before the last day."))
            )
        query = urlencode({"date_from": form.value("date_from"), "date_to": form.value("date_to"), **chosen})
        return ctx.render(
            "indicators.html",
            status=200 if result is not None else 422,
            form=form,
            result=result,
            query=query,
            by_choices=[(k, ctx._(v)) for k, v in labels.INDICATOR_GROUPS.items()],
            group_choices=groups,
            group_gone=ctx._(GROUP_GONE) if group_gone else None,
            event_choices=events,
            labels=labels,
            definitions={
                i["name"]: labels.without_codes(i["definition"], ctx.i18n) for i in result["indicators"]
            }
            if result
            else {},
            chart_sizes=charts.SIZES,
            by=grouping,
            exposure=_exposure(ctx),
        )


def _exposure(ctx: Ctx) -> dict[str, Any] | None:
    """Admins only: who the area's need rankings show now (None for others, or while the index loads)."""
    if ctx.principal.role is not Role.ADMIN:
        return None
    try:
        engine = matching.engine_of(ctx.request.app.state)
    except AppError:
        return None
    return exposure.current_area_exposure(engine, ctx.principal.area_id).as_dict()


def _result(ctx: Ctx, date_from: str, date_to: str, by: str, target_group: str, event: str) -> dict[str, Any]:
    first, last = _period(date_from, date_to)
    scope = _scope(ctx, first, last, target_group, event)
    return indicators.compute(ctx.conn, scope, _by(by), ctx.i18n.language)


def _sheets(
    ctx: Ctx, date_from: str, date_to: str, by: str, target_group: str, event: str
) -> list[spreadsheets.Sheet]:
    result = _result(ctx, date_from, date_to, by, target_group, event)
    return exports.sheets(result, ctx.i18n.language, labels.INDICATOR_DEFINITIONS)


def _filename(ctx: Ctx, suffix: str) -> str:
    return f'attachment; filename="{ctx._(FILE_NAME)}.{suffix}"'


@router.get("/indicators.csv")
def indicators_csv(
    request: Request,
    date_from: str = "",
    date_to: str = "",
    by: str = "area",
    target_group: str = "",
    event: str = "",
) -> Response:
    """The indicators as a CSV file for Finnish Excel, in the reader's language."""
    with page(request, *COORDINATION) as ctx:
        if (gone := _group_gone(ctx, target_group)) is not None:
            return gone
        figures = _sheets(ctx, date_from, date_to, by, target_group, event)[0]
        return Response(
            spreadsheets.to_csv(figures.headers, figures.rows, ctx.i18n.language),
            media_type="text/csv; charset=utf-8",
            headers={**PRIVATE, "Content-Disposition": _filename(ctx, "csv")},
        )


@router.get("/indicators.xlsx")
def indicators_xlsx(
    request: Request,
    date_from: str = "",
    date_to: str = "",
    by: str = "area",
    target_group: str = "",
    event: str = "",
) -> Response:
    """The indicators as an Excel workbook (figures and definitions), in the reader's language."""
    with page(request, *COORDINATION) as ctx:
        if (gone := _group_gone(ctx, target_group)) is not None:
            return gone
        return Response(
            spreadsheets.to_xlsx(_sheets(ctx, date_from, date_to, by, target_group, event)),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={**PRIVATE, "Content-Disposition": _filename(ctx, "xlsx")},
        )


def _size(value: str, kind: str) -> charts.Size:
    """The chart's size as the address names it: wide or narrow for an SVG, wide for a PNG."""
    for choice in get_args(charts.Size):
        if value == choice and (kind == "svg" or choice == "wide"):
            size: charts.Size = choice
            return size
    raise ValidationFailed("size=wide or size=narrow (a PNG is wide)", field="size")


@router.get("/indicators/{name}/chart.{kind}")
def indicator_chart(
    request: Request,
    name: str,
    kind: str,
    date_from: str = "",
    date_to: str = "",
    by: str = "area",
    target_group: str = "",
    event: str = "",
    size: str = "wide",
) -> Response:
    """One indicator month by month as an SVG or PNG line chart in the reader's language; the SVG wide
    or, for a phone, narrow (the PNG download is wide)."""
    with page(request, *COORDINATION) as ctx:
        if kind not in ("svg", "png"):
            raise ValidationFailed("chart.svg or chart.png", field="kind")
        chosen = _size(size, kind)
        if (gone := _group_gone(ctx, target_group)) is not None:
            return gone
        first, last = _period(date_from, date_to)
        drawn = charts.chart(
            ctx.conn,
            _scope(ctx, first, last, target_group, event),
            name,
            _by(by),
            "svg" if kind == "svg" else "png",
            ctx.i18n.language,
            size=chosen,
        )
        return Response(drawn, media_type="image/svg+xml" if kind == "svg" else "image/png", headers=PRIVATE)
