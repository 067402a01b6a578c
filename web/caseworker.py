"""Caseworker pages: own clients, the competence profile, work capacity, matches and consent."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from fastapi import APIRouter, Request, Response

from accounts import service as accounts
from accounts.models import CASE_HANDLERS, PROPOSERS, Role
from core.errors import AppError, NotFound
from core.municipalities import canonical_municipality
from core.paging import PageParams
from jobseekers import access, plans
from jobseekers import consents as consent_service
from jobseekers import service as jobseekers
from jobseekers.schemas import (
    ConsentCreate,
    ConsentFilters,
    DrivingLicence,
    JobseekerCreate,
    JobseekerFilters,
    JobseekerUpdate,
    ServiceStage,
    WorkCapacityIn,
)
from matching import service as matching
from matching.filters import Filters
from web import client_path, labels, list_filters, lookups
from web.forms import Form, drop_empty, options, service_error, validate
from web.i18n import N_, I18n
from web.inbox import inbox_summary
from web.lookups import employer_choices
from web.needs import languages_text, number, parse_languages
from web.pages import Ctx, PageRoute, Posted, once, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 25

SERVICE_STAGES = {
    ServiceStage.INTAKE.value: N_("Intake"),
    ServiceStage.ASSESSMENT.value: N_("Assessment"),
    ServiceStage.COACHING.value: N_("Coaching"),
    ServiceStage.JOB_SEARCH.value: N_("Job search"),
    ServiceStage.PLACEMENT.value: N_("Placement"),
    ServiceStage.FOLLOW_UP.value: N_("Follow-up"),
}
CONSENT_SCOPES = {
    "disclose_identity": N_("Name and contact details may be disclosed"),
    "share_profile": N_("The profile may be shared"),
}

# Profile fields by kind: how an emptied field is stored when a profile is edited.
_OPTIONAL_TEXT = ("full_name", "email", "phone")
_TEXT = ("municipality", "profile_text", "education", "work_history")
_LISTS = ("skills", "desired_occupations")
_CHOICES = ("driving_licences", "placement_forms")
_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})$|(\d{4}-\d{2}-\d{2})$")


def parse_certificates(text: str | None) -> list[dict[str, Any]] | None:
    """``trukkikortti 31.12.2027`` per line (the expiry is optional); None if a date cannot be read."""
    out: list[dict[str, Any]] = []
    for line in (text or "").splitlines():
        line = line.strip().rstrip(",")
        if not line:
            continue
        found = _DATE.search(line)
        expires: date | None = None
        if found:
            try:
                if found.group(4):
                    expires = date.fromisoformat(found.group(4))
                else:
                    expires = date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
            except ValueError:
                return None
            line = line[: found.start()].strip()
        out.append({"name": line, "expires_on": expires})
    return out


def certificates_text(certificates: list[dict[str, Any]]) -> str:
    """Stored certificates as the form shows them."""
    return "\n".join(
        f"{c['name']} {c['expires_on'].strftime('%d.%m.%Y')}".strip() if c.get("expires_on") else c["name"]
        for c in certificates
    )


def profile_values(form: Form, i18n: I18n, *, editing: bool) -> dict[str, Any]:
    """A profile's fields from the form; ``editing`` keeps emptied fields as cleared."""
    values: dict[str, Any] = {name: form.text(name) for name in (*_OPTIONAL_TEXT, *_TEXT)}
    values |= {name: form.items(name) for name in _LISTS}
    values |= {name: form.chosen(name) for name in _CHOICES}
    values["birth_year"] = number(form.text("birth_year"))
    values["desired_hours_per_week"] = number(form.text("desired_hours_per_week"))
    values["max_commute_km"] = number(form.text("max_commute_km"))
    values["service_stage"] = form.text("service_stage")
    values["available"] = form.flag("available")
    values |= client_path.fact_values(form)
    languages = parse_languages(form.text("languages"))
    if languages is None:
        form.add("languages", i18n.gettext(N_("Write languages as code and level, e.g. fi native, en B1.")))
    values["languages"] = languages or {}
    certificates = parse_certificates(form.value("certificates"))
    if certificates is None:
        form.add("certificates", i18n.gettext(N_("Write the expiry date as d.m.yyyy, e.g. 31.12.2027.")))
    values["certificates"] = certificates or []
    if not editing:
        return drop_empty(values) | {"available": values["available"]}
    for name in ("profile_text", "education", "work_history"):
        values[name] = values[name] or ""
    return values


def _profile_form(record: dict[str, Any], i18n: I18n) -> Form:
    form = Form.initial(
        {
            **{name: record.get(name) for name in (*_OPTIONAL_TEXT, *_TEXT, *_LISTS, *_CHOICES)},
            "birth_year": record.get("birth_year"),
            "max_commute_km": record.get("max_commute_km"),
            "service_stage": record.get("service_stage"),
            "available": record.get("available"),
            "languages": languages_text(record.get("languages")),
            "certificates": certificates_text(record.get("certificates") or []),
            "version": record.get("version"),
            **client_path.fact_initial(record),
        }
    )
    hours = record.get("desired_hours_per_week")
    if hours is not None:
        form.values["desired_hours_per_week"] = [i18n.number(hours)]
    return form


def profile_choices(i18n: I18n) -> dict[str, Any]:
    """Option lists of the profile form."""
    return {
        "stage_choices": options(SERVICE_STAGES.items(), i18n),
        "licence_choices": [(c.value, c.value) for c in DrivingLicence],
        "form_choices": options(labels.PLACEMENT_FORMS.items(), i18n),
        **client_path.fact_choices(i18n),
    }


# Clients -------------------------------------------------------------------------------------------


CLIENT_LIST_FILTERS = (
    "q",
    "stage",
    "municipality",
    "caseworker",
    "created_from",
    "created_to",
    "target_group",
    "sort",
)
"""What the client list remembers; never ``who`` (a person's name)."""

GROUP_GONE: Final = N_(
    "The target group the link names no longer exists (it may have been removed). The clients are"
    " listed by the other filters; choose another group to narrow the list."
)


def clients_page(ctx: Ctx, query: Mapping[str, str] | None = None, offset: int = 0) -> Response:
    """The caseworker's own clients (an admin: every jobseeker of the area), by name, pseudonym or
    customer number, words, service stage, municipality, registration date, target group and (an admin)
    caseworker; and the plan reviews due."""
    given = {name: (query or {}).get(name, "") for name in ("who", *CLIENT_LIST_FILTERS)}
    given["sort"] = list_filters.sort_of(given["sort"], labels.CLIENT_SORTS)
    groups = client_path.group_choices(ctx)
    # A bookmark or remembered filter may name a group since removed (or of another area): the list
    # is by the other filters, and says so rather than silently listing everyone.
    group_gone = bool(given["target_group"]) and given["target_group"] not in {k for k, _ in groups}
    if group_gone:
        given["target_group"] = ""
    form = Form.initial(given)
    admin = ctx.principal.role is Role.ADMIN
    values = {
        "who": given["who"].strip()[:200] or None,
        "q": given["q"].strip()[:200] or None,
        "service_stage": given["stage"] if given["stage"] in SERVICE_STAGES else None,
        "municipality": given["municipality"].strip()[:100] or None,
        "caseworker_id": given["caseworker"] if admin and given["caseworker"].isdecimal() else None,
        "created_from": given["created_from"].strip() or None,
        "created_to": given["created_to"].strip() or None,
        "target_group_id": int(given["target_group"])
        if given["target_group"] in {k for k, _ in groups}
        else None,
        "sort": given["sort"],
    }
    listing = list_filters.rows(
        ctx,
        JobseekerFilters,
        values,
        form,
        offset,
        PAGE_SIZE,
        _clients_of,
        remember=("clients", CLIENT_LIST_FILTERS),
        names={"service_stage": "stage"},
    )
    caseworkers: list[tuple[str, str]] = []
    if admin:
        users, _ = accounts.list_users(ctx.conn, ctx.principal.area_id, limit=500, offset=0)
        caseworkers = [(str(u["id"]), u["display_name"]) for u in users if u["role"] == Role.CASEWORKER]
    return ctx.render(
        "clients.html",
        form=form,
        items=listing.items,
        total=listing.total,
        offset=listing.offset,
        page_size=PAGE_SIZE,
        stages=SERVICE_STAGES,
        stage_choices=options(SERVICE_STAGES.items(), ctx.i18n),
        sort_choices=options(labels.CLIENT_SORTS.items(), ctx.i18n),
        caseworker_choices=caseworkers,
        group_choices=groups,
        group_gone=ctx._(GROUP_GONE) if group_gone else None,
        reviews=plans.due_plan_reviews(ctx.conn, ctx.principal, names_for="web: plan reviews due"),
        inbox=inbox_summary(ctx),
    )


def _clients_of(ctx: Ctx, filters: Any, paging: PageParams) -> tuple[list[dict[str, Any]], int]:
    """The clients matching a validated filter; a search by name is audited as a search."""
    reason = "web: client search" if filters.who else "web: client list"
    return jobseekers.list_jobseekers(ctx.conn, ctx.principal, filters, paging, reason=reason)


@router.get("/clients")
def clients(
    request: Request,
    who: str = "",
    q: str = "",
    stage: str = "",
    municipality: str = "",
    caseworker: str = "",
    created_from: str = "",
    created_to: str = "",
    target_group: str = "",
    sort: str = "",
    offset: int = 0,
) -> Response:
    """Own clients, found by name, pseudonym or customer number, or filtered; the last filter is
    remembered."""
    with page(request, *CASE_HANDLERS) as ctx:
        if (restored := list_filters.restore(ctx, "clients", CLIENT_LIST_FILTERS)) is not None:
            return restored
        query = {
            "who": who,
            "q": q,
            "stage": stage,
            "municipality": municipality,
            "caseworker": caseworker,
            "created_from": created_from,
            "created_to": created_to,
            "target_group": target_group,
            "sort": sort,
        }
        return clients_page(ctx, query, offset)


def _new_client_form(ctx: Ctx, form: Form, status: int = 200) -> Response:
    return ctx.render("client_form.html", status=status, form=form, **profile_choices(ctx.i18n))


@router.get("/clients/new")
def new_client_form(request: Request) -> Response:
    """Register a new client."""
    with page(request, *CASE_HANDLERS) as ctx:
        return _new_client_form(ctx, Form.initial({"available": True, "service_stage": "intake"}))


@router.post("/clients/new")
def create_client(request: Request, posted: Posted) -> Response:
    """Save a new client (a caseworker's new client is their own)."""
    with page(request, *CASE_HANDLERS, form=posted) as ctx:
        form = Form.of(posted)
        data = validate(JobseekerCreate, profile_values(form, ctx.i18n, editing=False), form, ctx.i18n)
        if data is None or not form.ok:
            return _new_client_form(ctx, form, status=422)
        try:
            with ctx.savepoint():

                def produce() -> str:
                    record = jobseekers.create_jobseeker(ctx.conn, ctx.principal, data, "web: new client")
                    return f"/clients/{record['id']}"

                location = once(ctx, form.text("form_token"), produce)
        except AppError as exc:
            service_error(exc, form, ctx.i18n)
            return _new_client_form(ctx, form, status=exc.status)
        return ctx.redirect(location, flash="client_saved")


# One client ----------------------------------------------------------------------------------------


def _client_page(
    ctx: Ctx,
    jobseeker_id: int,
    *,
    profile: Form | None = None,
    capacity: Form | None = None,
    consent: Form | None = None,
    path_forms: dict[str, Form] | None = None,
    status: int = 200,
) -> Response:
    """The client's page: profile form, work capacity, work-ability change and service-need assessments
    (own caseworker), plans, consents."""
    record = jobseekers.get_jobseeker(ctx.conn, ctx.principal, jobseeker_id, "web: client page")
    # An erased record is read-only for everyone (the services refuse every write): no form is offered.
    erased = record["erased_at"] is not None
    own = access.own_client(ctx.principal, record) and not erased
    work_capacity: dict[str, Any] | None = None
    if own:
        try:
            work_capacity = jobseekers.get_work_capacity(
                ctx.conn, ctx.principal, jobseeker_id, "web: client page"
            )
        except NotFound:
            work_capacity = None
    consents, _ = consent_service.list_consents(
        ctx.conn,
        ctx.principal,
        jobseeker_id,
        ConsentFilters(),
        PageParams(limit=50, offset=0),
        reason="web: client page",
    )
    choices = employer_choices(ctx)
    return ctx.render(
        "client.html",
        status=status,
        client=record,
        own=own,
        erased=erased,
        profile=profile or _profile_form(record, ctx.i18n),
        capacity=capacity or _capacity_form(work_capacity, ctx.i18n),
        work_capacity=work_capacity,
        consent=consent or Form.initial({"scope": "disclose_identity"}),
        consents=consents,
        employer_names={int(k): v for k, v in choices},
        employer_choices=choices,
        scope_choices=options(CONSENT_SCOPES.items(), ctx.i18n),
        scopes=CONSENT_SCOPES,
        demand_choices=options(labels.PHYSICAL_DEMANDS.items(), ctx.i18n),
        stages=SERVICE_STAGES,
        **profile_choices(ctx.i18n),
        **client_path.client_context(ctx, record, own, path_forms or {}),
    )


@router.get("/clients/{jobseeker_id:int}")
def client(request: Request, jobseeker_id: int) -> Response:
    """A client's profile, work capacity and consents."""
    with page(request, *CASE_HANDLERS) as ctx:
        return _client_page(ctx, jobseeker_id)


@router.post("/clients/{jobseeker_id:int}")
def save_profile(request: Request, jobseeker_id: int, posted: Posted) -> Response:
    """Save the competence profile at the version that was read."""
    with page(request, *CASE_HANDLERS, form=posted) as ctx:
        form = Form.of(posted)
        data = validate(JobseekerUpdate, profile_values(form, ctx.i18n, editing=True), form, ctx.i18n)
        version = form.version(ctx.i18n)
        if data is None or not form.ok or version is None:
            return _client_page(ctx, jobseeker_id, profile=form, status=422)
        try:
            with ctx.savepoint():
                jobseekers.update_jobseeker(
                    ctx.conn, ctx.principal, jobseeker_id, version, data, "web: profile saved"
                )
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n)
            return _client_page(ctx, jobseeker_id, profile=form, status=exc.status)
        return ctx.redirect(f"/clients/{jobseeker_id}", flash="saved")


# Work capacity -------------------------------------------------------------------------------------

_CAPACITY_FLAGS = ("no_heavy_lifting", "no_night_shifts", "no_shift_work", "needs_supervisor")


def _capacity_form(record: dict[str, Any] | None, i18n: I18n) -> Form:
    """The saved work capacity, its hours written as the reader writes numbers (37,5 in fi/sv)."""
    if record is None:
        return Form()
    hours = {name: record.get(name) for name in ("max_hours_per_day", "max_hours_per_week")}
    return Form.initial(
        {
            **{name: record.get(name) for name in (*_CAPACITY_FLAGS, "excluded_demands", "details")},
            **{name: None if value is None else i18n.number(value) for name, value in hours.items()},
            "version": record.get("version"),
        }
    )


@router.post("/clients/{jobseeker_id:int}/capacity")
def save_capacity(request: Request, jobseeker_id: int, posted: Posted) -> Response:
    """Record or replace the work capacity (own caseworker only)."""
    with page(request, Role.CASEWORKER, form=posted) as ctx:
        form = Form.of(posted)
        values = {
            **{name: form.flag(name) for name in _CAPACITY_FLAGS},
            "max_hours_per_day": number(form.text("max_hours_per_day")),
            "max_hours_per_week": number(form.text("max_hours_per_week")),
            "excluded_demands": form.chosen("excluded_demands"),
            "details": form.value("details").strip(),
        }
        data = validate(WorkCapacityIn, drop_empty(values) | {"details": values["details"]}, form, ctx.i18n)
        # No version field: the form of a first record. One that is not a version: a page to reload, never
        # a first record.
        version = form.version(ctx.i18n) if form.text("version") is not None else None
        if data is None or not form.ok:
            return _client_page(ctx, jobseeker_id, capacity=form, status=422)
        try:
            with ctx.savepoint():
                jobseekers.put_work_capacity(
                    ctx.conn,
                    ctx.principal,
                    jobseeker_id,
                    version,
                    data,
                    "web: work capacity saved",
                )
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n)
            return _client_page(ctx, jobseeker_id, capacity=form, status=exc.status)
        return ctx.redirect(f"/clients/{jobseeker_id}#capacity", flash="capacity_saved")


# Consent -------------------------------------------------------------------------------------------


@router.post("/clients/{jobseeker_id:int}/consents")
def record_consent(request: Request, jobseeker_id: int, posted: Posted) -> Response:
    """Record what the client agreed to share, with one employer or with any."""
    with page(request, *CASE_HANDLERS, form=posted) as ctx:
        form = Form.of(posted)
        data = validate(
            ConsentCreate,
            drop_empty({"scope": form.text("scope"), "employer_id": form.text("employer_id")}),
            form,
            ctx.i18n,
        )
        if data is None:
            return _client_page(ctx, jobseeker_id, consent=form, status=422)
        try:
            with ctx.savepoint():

                def produce() -> str:
                    consent_service.record_consent(
                        ctx.conn, ctx.principal, jobseeker_id, data, "web: consent"
                    )
                    return f"/clients/{jobseeker_id}#consents"

                location = once(ctx, form.text("form_token"), produce)
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n, fallback_field="scope")
            return _client_page(ctx, jobseeker_id, consent=form, status=exc.status)
        return ctx.redirect(location, flash="consent_saved")


@router.post("/clients/{jobseeker_id:int}/consents/{consent_id:int}/withdraw")
def withdraw_consent(request: Request, jobseeker_id: int, consent_id: int, posted: Posted) -> Response:
    """Withdraw a consent; withdrawing it again changes nothing."""
    with page(request, *CASE_HANDLERS, form=posted) as ctx:
        consent_service.withdraw_consent(
            ctx.conn, ctx.principal, jobseeker_id, consent_id, "web: consent withdrawn"
        )
        return ctx.redirect(f"/clients/{jobseeker_id}#consents", flash="consent_withdrawn")


# Matches -------------------------------------------------------------------------------------------


@router.get("/clients/{jobseeker_id:int}/matches")
def client_matches(
    request: Request,
    jobseeker_id: int,
    municipality: str = "",
    placement_form: str = "",
    proposed: int | None = None,
) -> Response:
    """Open needs ranked for the client, with explanations; the own caseworker proposes from here (and
    ``proposed`` confirms a proposal just made, beside its need)."""
    with page(request, *CASE_HANDLERS) as ctx:
        record = jobseekers.get_jobseeker(ctx.conn, ctx.principal, jobseeker_id, "web: matches")
        problem: str | None = None
        items: list[dict[str, Any]] = []
        if record["erased_at"] is not None:
            # Said as on the client page, not as an archived client: the person asked for the erasure.
            problem = ctx.i18n.gettext(
                N_(
                    "The person's data was erased on request, so nothing is matched: an erased person is"
                    " not proposed for work."
                )
            )
        else:
            try:
                filters = Filters(
                    municipality=canonical_municipality(municipality) if municipality.strip() else None,
                    placement_form=placement_form if placement_form in labels.PLACEMENT_FORMS else None,
                )
                with ctx.savepoint():
                    result = matching.jobseeker_matches(
                        ctx.conn,
                        matching.engine_of(request.app.state),
                        ctx.principal,
                        jobseeker_id,
                        filters,
                        10,
                        "web: matches",
                        ctx.i18n.language,
                    )
                items = result["items"]
            except AppError as exc:
                if isinstance(exc, NotFound):
                    raise
                form = Form()
                service_error(exc, form, ctx.i18n)
                problem = next(iter(form.errors.values()))
        made, _ = lookups.proposals(ctx, jobseeker_id=jobseeker_id)
        return ctx.render(
            "client_matches.html",
            client=record,
            items=items,
            problem=problem,
            proposed_needs={p["need_id"]: p for p in made},
            just_made=next((p for p in made if p["id"] == proposed), None),
            can_propose=ctx.principal.role in PROPOSERS,
            form=Form.initial({"municipality": municipality, "placement_form": placement_form}),
            form_choices=options(labels.PLACEMENT_FORMS.items(), ctx.i18n),
            labels=labels,
        )
