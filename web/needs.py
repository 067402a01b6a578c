"""Needs: the list, the need page (with ranked candidates for staff), and posting, editing, closing."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request, Response

from accounts import service as accounts
from accounts.models import MATCHERS, NEED_WRITERS, PROPOSERS, READERS, Role
from carving import service as carving
from core.errors import AppError, Conflict
from core.municipalities import canonical_municipality
from core.paging import PageParams
from employers import service as employers
from employers.schemas import LANGUAGE_LEVELS, NeedCreate, NeedFilters, NeedStatus, NeedUpdate
from jobseekers import service as jobseekers
from matching import service as matching
from matching.filters import Filters
from recruitment import service as recruitment
from web import labels, list_filters, lookups
from web.forms import Form, drop_empty, options, service_error, validate
from web.i18n import N_, I18n
from web.lookups import employer_choices, employer_names
from web.pages import Ctx, PageRoute, Posted, once, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 25

# Form fields of a need, by kind: how an empty field is stored when a need is edited.
_TEXT_FIELDS = ("title", "description", "occupation", "municipality", "adaptations", "municipal_unit")
_NOT_NULL_TEXT = ("description", "adaptations")
_LIST_FIELDS = ("skills", "nice_skills", "certificates")
_CHOICE_FIELDS = ("shifts", "physical_demands", "placement_forms")
_NUMBER_FIELDS = ("hours_per_week", "duration_months", "positions")
_LEVELS = {level.casefold(): level for level in LANGUAGE_LEVELS} | {
    "äidinkieli": "native",
    "modersmål": "native",
}


def parse_languages(text: str | None) -> dict[str, str] | None:
    """``fi native, en B1`` (or ``fi: native``) as a dict; None when it cannot be read."""
    out: dict[str, str] = {}
    for item in re.split(r"[\n,;]", text or ""):
        words = item.replace(":", " ").split()
        if not words:
            continue
        if len(words) != 2 or words[1].casefold() not in _LEVELS:
            return None
        out[words[0].lower()] = _LEVELS[words[1].casefold()]
    return out


def languages_text(languages: dict[str, str] | None) -> str:
    """The stored languages as the form shows them."""
    return ", ".join(f"{code} {level}" for code, level in (languages or {}).items())


def number(text: str | None) -> str | None:
    """A number as typed with a decimal comma (37,5), ready for validation."""
    return text.replace(",", ".").replace("\u00a0", "").replace(" ", "") if text else None


def need_values(form: Form, i18n: I18n, *, editing: bool) -> dict[str, Any]:
    """A need's fields from the form; ``editing`` keeps emptied fields as "cleared" instead of "not given"."""
    values: dict[str, Any] = {name: form.text(name) for name in _TEXT_FIELDS}
    values |= {name: form.items(name) for name in _LIST_FIELDS}
    values |= {name: form.chosen(name) for name in _CHOICE_FIELDS}
    values |= {name: number(form.text(name)) for name in _NUMBER_FIELDS}
    values["start_date"] = form.text("start_date")
    values["supervisor_on_site"] = form.flag("supervisor_on_site")
    values["visibility"] = form.text("visibility") or "public"
    languages = parse_languages(form.text("languages"))
    if languages is None:
        form.add("languages", i18n.gettext(N_("Write languages as code and level, e.g. fi native, en B1.")))
        languages = {}
    values["languages"] = languages
    if not editing:
        return drop_empty(values)
    for name in ("title", "municipality", "positions"):
        if values[name] is None:
            form.add(name, i18n.gettext(N_("This field is required.")))
    for name in _NOT_NULL_TEXT:
        values[name] = values[name] or ""
    return values


def need_form_initial(need: dict[str, Any], i18n: I18n) -> Form:
    """The edit form of a stored need."""
    hours = need.get("hours_per_week")
    return Form.initial(
        {
            **{name: need.get(name) for name in (*_TEXT_FIELDS, *_LIST_FIELDS, *_CHOICE_FIELDS)},
            "hours_per_week": i18n.number(hours) if hours is not None else None,
            "duration_months": need.get("duration_months"),
            "positions": need.get("positions"),
            "start_date": need["start_date"].isoformat() if need.get("start_date") else None,
            "supervisor_on_site": need.get("supervisor_on_site"),
            "visibility": need.get("visibility"),
            "languages": languages_text(need.get("languages")),
            "version": need.get("version"),
        }
    )


def need_choices(i18n: I18n) -> dict[str, Any]:
    """Option lists of the need form."""
    return {
        "shift_choices": options(labels.SHIFTS.items(), i18n),
        "demand_choices": options(labels.PHYSICAL_DEMANDS.items(), i18n),
        "form_choices": options(labels.PLACEMENT_FORMS.items(), i18n),
        "visibility_choices": options(labels.VISIBILITY.items(), i18n),
    }


# The list ------------------------------------------------------------------------------------------


NEED_LIST_FILTERS = (
    "q",
    "status",
    "visibility",
    "municipality",
    "owner",
    "created_from",
    "created_to",
    "sort",
)


@router.get("/needs")
def need_list(
    request: Request,
    q: str = "",
    status: str = "open",
    visibility: str = "",
    municipality: str = "",
    owner: str = "",
    created_from: str = "",
    created_to: str = "",
    sort: str = "",
    offset: int = 0,
) -> Response:
    """Needs of the area (an employer sees their own), with filters; the last filter is remembered."""
    with page(request, *READERS) as ctx:
        if (restored := list_filters.restore(ctx, "needs", NEED_LIST_FILTERS)) is not None:
            return restored
        form = Form.initial(
            {
                "q": q,
                "status": status,
                "visibility": visibility,
                "municipality": municipality,
                "owner": owner,
                "created_from": created_from,
                "created_to": created_to,
                "sort": list_filters.sort_of(sort, labels.NEED_SORTS),
            }
        )
        values = {
            "municipality": municipality.strip()[:100] or None,
            "status": status if status in labels.NEED_STATUS else None,
            "visibility": visibility if visibility in labels.VISIBILITY else None,
            "q": q.strip()[:200] or None,
            "created_by": ctx.principal.user_id if owner == "me" else None,
            "created_from": created_from.strip() or None,
            "created_to": created_to.strip() or None,
            "sort": list_filters.sort_of(sort, labels.NEED_SORTS),
        }
        listing = list_filters.rows(
            ctx, NeedFilters, values, form, offset, PAGE_SIZE, needs_of, remember=("needs", NEED_LIST_FILTERS)
        )
        return ctx.render(
            "needs.html",
            form=form,
            items=listing.items,
            total=listing.total,
            offset=listing.offset,
            page_size=PAGE_SIZE,
            employer_names=employer_names(ctx, (n["employer_id"] for n in listing.items)),
            status_choices=[("", ctx._(N_("Any status"))), *options(labels.NEED_STATUS.items(), ctx.i18n)],
            visibility_choices=options(labels.VISIBILITY.items(), ctx.i18n),
            sort_choices=options(labels.NEED_SORTS.items(), ctx.i18n),
            owner_choices=[("me", ctx._(N_("Recorded by me")))],
            labels=labels,
        )


def needs_of(ctx: Ctx, filters: Any, paging: PageParams) -> tuple[list[dict[str, Any]], int]:
    """The needs matching a validated filter."""
    return employers.list_needs(ctx.conn, ctx.principal, filters, paging)


# The need page -------------------------------------------------------------------------------------


@router.get("/needs/{need_id:int}")
def need_page(
    request: Request, need_id: int, municipality: str = "", proposed: int | None = None
) -> Response:
    """A need; staff also see ranked candidates with their explanations and can propose one."""
    with page(request, *READERS) as ctx:
        return render_need_page(ctx, need_id, municipality, proposed)


def render_need_page(ctx: Ctx, need_id: int, municipality: str = "", proposed: int | None = None) -> Response:
    """The need page: details, proposals made, and for staff the ranked candidates (a caseworker's own
    clients marked with their names); ``proposed`` confirms a proposal just made, beside its candidate."""
    need = employers.get_need(ctx.conn, ctx.principal, need_id)
    employer = employers.get_employer(ctx.conn, ctx.principal, need["employer_id"])
    proposals, _ = lookups.proposals(ctx, need_id=need_id)
    ranking = _candidates(ctx, need, municipality) if ctx.principal.role in MATCHERS else None
    shown = [c["id"] for c in ranking["items"]] if ranking else []
    shown += [p["jobseeker_id"] for p in proposals if p.get("jobseeker_id") is not None]
    just_made = next((p for p in proposals if p["id"] == proposed), None)
    staff = ctx.principal.role is not Role.EMPLOYER
    recorded_by = need["created_by"] if staff else None
    return ctx.render(
        "need.html",
        recorder=accounts.display_names(ctx.conn, [recorded_by]).get(recorded_by) if recorded_by else None,
        need=need,
        employer=employer,
        ranking=ranking,
        municipality=municipality,
        proposals=proposals,
        proposed_ids={p.get("jobseeker_id") for p in proposals},
        own=jobseekers.own_clients_among(ctx.conn, ctx.principal, shown, "web: need page, own clients"),
        just_made=just_made,
        can_propose=ctx.principal.role in PROPOSERS and need["status"] == "open",
        labels=labels,
    )


def _candidates(ctx: Ctx, need: dict[str, Any], municipality: str) -> dict[str, Any]:
    """The need's ranking, or why there is none."""
    if need["status"] != "open" or need["archived"]:
        return {"items": [], "problem": ctx._(N_("The need is not open, so no candidates are ranked."))}
    try:
        filters = Filters(municipality=canonical_municipality(municipality) if municipality.strip() else None)
        engine = matching.engine_of(ctx.request.app.state)
        with ctx.savepoint():
            result = matching.need_matches(
                ctx.conn,
                engine,
                ctx.principal,
                need["id"],
                filters,
                10,
                "web: need page",
                ctx.i18n.language,
            )
            carving.explain_ranking(ctx.conn, engine, need["id"], result["items"])
    except AppError as exc:
        form = Form()
        service_error(exc, form, ctx.i18n)
        return {"items": [], "problem": next(iter(form.errors.values()))}
    return {"items": result["items"], "problem": None, "near_equal_margin": result["near_equal_margin"]}


# Posting and editing -------------------------------------------------------------------------------


@router.get("/needs/new")
def new_need_form(request: Request, employer_id: int | None = None) -> Response:
    """Post a need: an employer for their own organisation, a coordinator for any employer."""
    with page(request, *NEED_WRITERS) as ctx:
        form = Form.initial({"visibility": "public", "positions": 1, "employer_id": employer_id})
        return _render_need_form(ctx, form, None)


def _render_need_form(ctx: Ctx, form: Form, need: dict[str, Any] | None, status: int = 200) -> Response:
    staff_form = ctx.principal.role is not Role.EMPLOYER and need is None
    choices = employer_choices(ctx) if staff_form else []
    events = recruitment.event_choices(ctx.conn, ctx.principal) if staff_form else []
    return ctx.render(
        "need_form.html",
        status=status,
        form=form,
        need=need,
        employer_choices=choices,
        event_choices=[(str(e["id"]), f"{e['title']} ({ctx.i18n.date(e['event_date'])})") for e in events],
        **need_choices(ctx.i18n),
    )


@router.post("/needs/new")
def create_need(request: Request, posted: Posted) -> Response:
    """Save a new need (a second click of the same form changes nothing)."""
    with page(request, *NEED_WRITERS, form=posted) as ctx:
        form = Form.of(posted)
        values = need_values(form, ctx.i18n, editing=False)
        if ctx.principal.role is not Role.EMPLOYER:
            values["event_id"] = form.text("event_id")
            values["employer_id"] = form.text("employer_id")
            if not values["employer_id"]:
                form.add("employer_id", ctx._(N_("This field is required.")))
        data = validate(NeedCreate, values, form, ctx.i18n)
        if data is None or not form.ok:
            return _render_need_form(ctx, form, None, status=422)
        try:
            with ctx.savepoint():

                def produce() -> str:
                    return f"/needs/{employers.create_need(ctx.conn, ctx.principal, data)['id']}"

                location = once(ctx, form.text("form_token"), produce)
        except AppError as exc:
            service_error(exc, form, ctx.i18n)
            return _render_need_form(ctx, form, None, status=exc.status)
        return ctx.redirect(location, flash="need_saved")


@router.get("/needs/{need_id:int}/edit")
def edit_need_form(request: Request, need_id: int) -> Response:
    """Edit a need (an employer only their own)."""
    with page(request, *NEED_WRITERS) as ctx:
        need = employers.get_need(ctx.conn, ctx.principal, need_id)
        return _render_need_form(ctx, need_form_initial(need, ctx.i18n), need)


@router.post("/needs/{need_id:int}/edit")
def edit_need(request: Request, need_id: int, posted: Posted) -> Response:
    """Save the edited need at the version that was read."""
    with page(request, *NEED_WRITERS, form=posted) as ctx:
        form = Form.of(posted)
        need = employers.get_need(ctx.conn, ctx.principal, need_id)
        values = need_values(form, ctx.i18n, editing=True)
        data = validate(NeedUpdate, values, form, ctx.i18n)
        version = form.version(ctx.i18n)
        if data is None or not form.ok or version is None:
            return _render_need_form(ctx, form, need, status=422)
        try:
            with ctx.savepoint():
                employers.update_need(ctx.conn, ctx.principal, need_id, version, data)
        except AppError as exc:
            service_error(exc, form, ctx.i18n)
            return _render_need_form(ctx, form, need, status=exc.status)
        return ctx.redirect(f"/needs/{need_id}", flash="need_saved")


@router.get("/needs/{need_id:int}/close")
def close_need_confirm(request: Request, need_id: int, status: str = "filled") -> Response:
    """Ask before closing: a closed need leaves matching and cannot be proposed to (works without
    JavaScript: the need page's close button leads here)."""
    with page(request, *NEED_WRITERS) as ctx:
        return _close_page(ctx, need_id, "cancelled" if status == "cancelled" else "filled", Form())


def _close_page(ctx: Ctx, need_id: int, closing_as: str, form: Form, status: int = 200) -> Response:
    """The question about the need as it is now (409 once it is closed): its version goes with the answer."""
    need = employers.get_need(ctx.conn, ctx.principal, need_id)
    if need["status"] != "open":
        raise Conflict("the need is not open")
    return ctx.render(
        "need_close.html", status=status, need=need, closing_as=closing_as, form=form, labels=labels
    )


@router.post("/needs/{need_id:int}/close")
def close_need(request: Request, need_id: int, posted: Posted) -> Response:
    """Close a need as filled or cancelled, once confirmed; a form without a version number (cut short or
    tampered with) asks again, to be reloaded."""
    with page(request, *NEED_WRITERS, form=posted) as ctx:
        form = Form.of(posted)
        status = NeedStatus.FILLED if form.text("status") == "filled" else NeedStatus.CANCELLED
        version = form.version(ctx.i18n)
        if version is None:
            return _close_page(ctx, need_id, status.value, form, status=422)
        employers.update_need(
            ctx.conn, ctx.principal, need_id, version, NeedUpdate.model_validate({"status": status})
        )
        return ctx.redirect(f"/needs/{need_id}", flash="need_closed")
