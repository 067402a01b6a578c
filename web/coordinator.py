"""Business coordinator pages: the day's work, the employer register and card, visits, match search."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from fastapi import APIRouter, Request, Response

from accounts import service as accounts
from accounts.models import COORDINATION, FIELD_WORKERS, STAFF, Role
from core.clock import today
from core.errors import AppError, NotFound
from core.municipalities import canonical_municipality
from core.paging import PageParams
from core.sql import ANY_VERSION
from employers import field_work
from employers import service as employers
from employers.schemas import (
    ContactCreate,
    ContactPerson,
    EmployerCreate,
    EmployerFilters,
    EmployerUpdate,
    NeedCreate,
    NeedFilters,
    NeedStatus,
)
from matching import service as matching
from matching.filters import Filters
from placements import ledger
from placements.settings import get_placement_settings
from web import labels, list_filters
from web.forms import CHANGED_FIRST, Form, drop_empty, options, service_error, validate, whole_number
from web.i18n import N_
from web.inbox import inbox_summary
from web.lookups import employer_names
from web.needs import need_choices, need_values
from web.pages import FLASH_COOKIE, Ctx, PageRoute, Posted, once, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 25
RECENT_DAYS = 14


# The day's work ------------------------------------------------------------------------------------


def today_page(ctx: Ctx) -> Response:
    """What is due: next steps with employers, unanswered proposals, follow-ups, and new needs; a
    coordinator's own (theirs and their employers'), or the whole area's with ``?scope=area``."""
    day = today()
    scope = ctx.request.query_params.get("scope")
    whole_area = scope == "area" if scope in ("area", "own") else ctx.principal.role is Role.ADMIN
    due = ledger.due_list(
        ctx.conn,
        ctx.principal,
        get_placement_settings(),
        whole_area=whole_area,
        limit=50,
        offset=0,
    )
    needs, _ = employers.list_needs(
        ctx.conn, ctx.principal, NeedFilters(status=NeedStatus.OPEN), PageParams(limit=10, offset=0)
    )
    needs = [n for n in needs if n["created_at"].date() >= day - timedelta(days=RECENT_DAYS)]
    names = employer_names(ctx, (n["employer_id"] for n in needs))
    return ctx.render(
        "today.html",
        day=day,
        due=due,
        needs=needs,
        names=names,
        labels=labels,
        inbox=inbox_summary(ctx),
        **_step_done_flash(ctx),
    )


def _step_done_flash(ctx: Ctx) -> dict[str, Any]:
    """After a next step was marked done: the confirmation naming its employer, focused so that it is read
    (the button the user pressed is gone from the list)."""
    key, _, employer_id = (ctx.request.cookies.get(FLASH_COOKIE) or "").partition(":")
    if key != "step_done":
        return {}
    try:
        name = employer_names(ctx, [int(employer_id)])[int(employer_id)]
    except (ValueError, NotFound):
        return {"flash_focus": True}
    return {
        "flash": ctx._(N_("The next step was marked done: %(employer)s."), employer=name),
        "flash_focus": True,
    }


@router.post("/contacts/{contact_id:int}/done")
def mark_next_step_done(request: Request, contact_id: int, posted: Posted) -> Response:
    """Mark a contact's agreed next step done: it leaves the front page's list; back to the front page,
    or to the employer card the button was on."""
    with page(request, *COORDINATION, form=posted) as ctx:
        contact = employers.mark_next_step_done(ctx.conn, ctx.principal, contact_id)
        back = f"/employers/{contact['employer_id']}#log" if posted.get("back") == "card" else "/"
        return ctx.redirect(back, flash=f"step_done:{contact['employer_id']}")


# The employer register -----------------------------------------------------------------------------


EMPLOYER_LIST_FILTERS = (
    "q",
    "municipality",
    "sector",
    "partnership_status",
    "owner",
    "created_from",
    "created_to",
)


def _coordinators(ctx: Ctx) -> dict[int, str]:
    """The area's coordinators by id: who may be an employer's responsible coordinator."""
    return {u["id"]: u["display_name"] for u in field_work.area_coordinators(ctx.conn, ctx.principal.area_id)}


def _owner_choices(ctx: Ctx, coordinators: dict[int, str]) -> list[tuple[str, str]]:
    """The register's owner filter: "my employers" for a coordinator, then each coordinator of the area."""
    mine = [("me", ctx._(N_("My employers")))] if ctx.principal.role is Role.COORDINATOR else []
    others = [(str(k), v) for k, v in coordinators.items() if k != ctx.principal.user_id]
    return mine + others


@router.get("/employers")
def employer_register(
    request: Request,
    q: str = "",
    municipality: str = "",
    sector: str = "",
    partnership_status: str = "",
    created_from: str = "",
    created_to: str = "",
    owner: str | None = None,
    sort: str = "",
    offset: int = 0,
) -> Response:
    """Search the employer register by name or business id, municipality, industry, partnership,
    responsible coordinator and registration date; the last search is remembered. A coordinator sees
    their own employers until they choose otherwise; a caseworker (job coach, where the area allows
    field work) finds here the employer whose visit to record."""
    with page(request, *FIELD_WORKERS) as ctx:
        field_work.require_field_work(ctx.conn, ctx.principal)
        if (restored := list_filters.restore(ctx, "employers", EMPLOYER_LIST_FILTERS)) is not None:
            return restored
        coordinators = _coordinators(ctx)
        owners = _owner_choices(ctx, coordinators)
        if owner is None:
            # Opened afresh, a coordinator's register shows their own employers; a link that searches
            # (``?q=…``) searches them all.
            fresh = not ctx.request.query_params
            owner = "me" if fresh and ctx.principal.role is Role.COORDINATOR else ""
        owner = owner if owner in {k for k, _ in owners} else ""
        form = Form.initial(
            {
                "q": q,
                "municipality": municipality,
                "sector": sector,
                "partnership_status": partnership_status,
                "owner": owner,
                "created_from": created_from,
                "created_to": created_to,
                "sort": list_filters.sort_of(sort, labels.EMPLOYER_SORTS),
            }
        )
        values = {
            "municipality": municipality.strip()[:100] or None,
            "q": q.strip()[:200] or None,
            "sector": sector if sector in labels.SECTORS else None,
            "partnership_status": partnership_status if partnership_status in labels.PARTNERSHIP else None,
            "created_from": created_from.strip() or None,
            "created_to": created_to.strip() or None,
            "mine": owner == "me",
            "responsible_coordinator": int(owner) if owner.isdecimal() else None,
            "sort": list_filters.sort_of(sort, labels.EMPLOYER_SORTS),
        }
        listing = list_filters.rows(
            ctx,
            EmployerFilters,
            values,
            form,
            offset,
            PAGE_SIZE,
            employers_of,
            remember=("employers", EMPLOYER_LIST_FILTERS),
        )
        return ctx.render(
            "employers.html",
            form=form,
            items=listing.items,
            total=listing.total,
            offset=listing.offset,
            page_size=PAGE_SIZE,
            sector_choices=options(labels.SECTORS.items(), ctx.i18n),
            partnership_choices=options(labels.PARTNERSHIP.items(), ctx.i18n),
            sort_choices=options(labels.EMPLOYER_SORTS.items(), ctx.i18n),
            owner_choices=owners,
            coordinators=coordinators,
            latest_contacts=employers.latest_contacts(
                ctx.conn, ctx.principal, [e["id"] for e in listing.items]
            ),
            may_add=ctx.principal.role in COORDINATION,
            labels=labels,
        )


def employers_of(ctx: Ctx, filters: Any, paging: PageParams) -> tuple[list[dict[str, Any]], int]:
    """The employers matching a validated filter."""
    return employers.list_employers(ctx.conn, ctx.principal, filters, paging)


def _employer_card(
    ctx: Ctx, employer_id: int, form: Form | None = None, status: int = 200, kind_form: Form | None = None
) -> Response:
    card = ledger.employer_card(ctx.conn, ctx.principal, employer_id, get_placement_settings())
    employer = card["employer"]
    chosen = employer["responsible_coordinator"]
    return ctx.render(
        "employer.html",
        status=status,
        card=card,
        employer=employer,
        labels=labels,
        coordinator=field_work.coordinator_of(ctx.conn, ctx.principal.area_id, chosen),
        reassignments=field_work.reassignments(ctx.conn, ctx.principal.area_id, employer_id),
        coordinator_choices=[(str(k), v) for k, v in _coordinators(ctx).items()],
        loggers=accounts.display_names(
            ctx.conn, [c["user_id"] for c in card["contacts"]["items"] if c["user_id"]]
        ),
        form=form
        or Form.initial(
            {"responsible_coordinator": "" if chosen is None else str(chosen), "version": employer["version"]}
        ),
        kind_form=kind_form or Form.initial({"kind": employer.get("kind")}),
        kind_choices=options(labels.EMPLOYER_KINDS.items(), ctx.i18n),
    )


@router.get("/employers/{employer_id:int}")
def employer_card(request: Request, employer_id: int) -> Response:
    """One employer: details, the responsible coordinator and who reassigned them, contact persons, the
    contact log with who logged each contact, needs, proposals, placements, response rate."""
    with page(request, *COORDINATION) as ctx:
        return _employer_card(ctx, employer_id)


@router.post("/employers/{employer_id:int}/coordinator")
def reassign_coordinator(request: Request, employer_id: int, posted: Posted) -> Response:
    """Name the employer's responsible coordinator (a coordinator of the area, or no one): recorded with
    who made the change."""
    with page(request, *COORDINATION, form=posted) as ctx:
        form = Form.of(posted)
        chosen = form.text("responsible_coordinator")
        coordinator_id = whole_number(chosen or "")
        if chosen and coordinator_id is None:
            form.add("responsible_coordinator", ctx._(N_("Choose a coordinator of the area from the list.")))
        version = form.version(ctx.i18n, CHANGED_FIRST)
        if version is None or not form.ok:
            return _employer_card(ctx, employer_id, form, status=422)
        data = EmployerUpdate.model_validate({"responsible_coordinator": coordinator_id})
        try:
            with ctx.savepoint():
                employers.update_employer(ctx.conn, ctx.principal, employer_id, version, data)
        except AppError as exc:
            service_error(exc, form, ctx.i18n)
            return _employer_card(ctx, employer_id, form, status=exc.status)
        return ctx.redirect(f"/employers/{employer_id}", flash="coordinator_saved")


@router.post("/employers/{employer_id:int}/kind")
def record_employer_kind(request: Request, employer_id: int, posted: Posted) -> Response:
    """Record what kind of organisation the employer is (firm, public body, third sector)."""
    with page(request, *COORDINATION, form=posted) as ctx:
        form = Form.of(posted)
        data = validate(EmployerUpdate, {"kind": form.text("kind")}, form, ctx.i18n)
        if data is None:
            return _employer_card(ctx, employer_id, status=422, kind_form=form)
        try:
            with ctx.savepoint():
                employers.update_employer(ctx.conn, ctx.principal, employer_id, ANY_VERSION, data)
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n, fallback_field="kind")
            return _employer_card(ctx, employer_id, status=exc.status, kind_form=form)
        return ctx.redirect(f"/employers/{employer_id}", flash="saved")


def _employer_form(ctx: Ctx, form: Form, status: int = 200) -> Response:
    return ctx.render(
        "employer_form.html",
        status=status,
        form=form,
        coordinator_choices=[(str(k), v) for k, v in _coordinators(ctx).items()],
        sector_choices=options(labels.SECTORS.items(), ctx.i18n),
        size_choices=options(labels.SIZE_CLASSES.items(), ctx.i18n),
        partnership_choices=options(labels.PARTNERSHIP.items(), ctx.i18n),
        kind_choices=options(labels.EMPLOYER_KINDS.items(), ctx.i18n),
    )


@router.get("/employers/new")
def new_employer_form(request: Request) -> Response:
    """Add an employer to the register."""
    with page(request, *COORDINATION) as ctx:
        mine = str(ctx.principal.user_id) if ctx.principal.role is Role.COORDINATOR else ""
        return _employer_form(
            ctx, Form.initial({"partnership_status": "none", "responsible_coordinator": mine})
        )


@router.post("/employers/new")
def create_employer(request: Request, posted: Posted) -> Response:
    """Save a new employer of the area."""
    with page(request, *COORDINATION, form=posted) as ctx:
        form = Form.of(posted)
        person = drop_empty(
            {
                "name": form.text("person_name"),
                "email": form.text("person_email"),
                "phone": form.text("person_phone"),
            }
        )
        # Every error at once: the contact person's and the municipality's with the schema's.
        if person and "name" not in person:
            form.add("person_name", ctx._(N_("Write the contact person's name.")))
        if person:
            validate(ContactPerson, person, form, ctx.i18n, {k: f"person_{k}" for k in ("name", *person)})
        if form.text("municipality"):
            try:
                canonical_municipality(form.text("municipality") or "")
            except AppError:
                form.add("municipality", ctx._(N_("Unknown municipality. Check the spelling.")))
        values = drop_empty(
            {
                "business_id": form.text("business_id") or "",
                "name": form.text("name") or "",
                "municipality": form.text("municipality") or "",
                "sector": form.text("sector"),
                "size_class": form.text("size_class"),
                "partnership_status": form.text("partnership_status"),
                "is_municipal": form.flag("is_municipal"),
                "kind": form.text("kind"),
                "social_procurement": form.flag("social_procurement"),
                "contact_persons": [person] if person else None,
                "responsible_coordinator": form.text("responsible_coordinator"),
            }
        )
        # The contact person's fields already carry their own errors; the list's are the same ones.
        shown = {f"contact_persons.{k}": f"person_{k}" for k in ("name", "email", "phone")}
        data = validate(EmployerCreate, values, form, ctx.i18n, shown | {"contact_persons": "person_name"})
        if data is None or not form.ok:
            return _employer_form(ctx, form, status=422)
        try:
            with ctx.savepoint():

                def produce() -> str:
                    row = employers.create_employer(ctx.conn, ctx.principal.area_id, data, ctx.principal)
                    return f"/employers/{row['id']}"

                location = once(ctx, form.text("form_token"), produce)
        except AppError as exc:
            service_error(exc, form, ctx.i18n)
            return _employer_form(ctx, form, status=exc.status)
        return ctx.redirect(location, flash="employer_saved")


# Record a visit (and the need found on it) ---------------------------------------------------------


def _visit_form(ctx: Ctx, employer: dict[str, Any], form: Form, status: int = 200) -> Response:
    return ctx.render(
        "visit.html",
        status=status,
        employer=employer,
        form=form,
        kind_choices=options(labels.CONTACT_KINDS.items(), ctx.i18n),
        **need_choices(ctx.i18n),
    )


@router.get("/employers/{employer_id:int}/visit")
def visit_form(request: Request, employer_id: int) -> Response:
    """The quick visit form; a hidden need found on the visit can be recorded in the same step. Open to
    coordinators, admins and caseworkers (job coaches) unless the area switches field work by caseworkers
    off."""
    with page(request, *FIELD_WORKERS) as ctx:
        field_work.require_field_work(ctx.conn, ctx.principal)
        employer = employers.get_employer(ctx.conn, ctx.principal, employer_id)
        form = Form.initial(
            {
                "kind": "visit",
                "contact_date": today().isoformat(),
                "visibility": "hidden",
                "positions": 1,
                "municipality": employer["municipality"],
            }
        )
        return _visit_form(ctx, employer, form)


@router.post("/employers/{employer_id:int}/visit")
def record_visit(request: Request, employer_id: int, posted: Posted) -> Response:
    """Save the contact and, if asked, the need citing it: both or neither (one transaction)."""
    with page(request, *FIELD_WORKERS, form=posted) as ctx:
        field_work.require_field_work(ctx.conn, ctx.principal)
        form = Form.of(posted)
        employer = employers.get_employer(ctx.conn, ctx.principal, employer_id)
        contact = validate(
            ContactCreate,
            drop_empty(
                {
                    "kind": form.text("kind"),
                    "contact_date": form.text("contact_date"),
                    "summary": form.text("summary"),
                    "next_step": form.text("next_step"),
                    "next_step_date": form.text("next_step_date"),
                }
            ),
            form,
            ctx.i18n,
        )
        with_need = form.text("title") is not None
        need_data: NeedCreate | None = None
        if with_need:
            values = need_values(form, ctx.i18n, editing=False) | {"employer_id": employer_id}
            need_data = validate(NeedCreate, values, form, ctx.i18n)
        if contact is None or (with_need and need_data is None) or not form.ok:
            return _visit_form(ctx, employer, form, status=422)
        try:
            with ctx.savepoint():

                def produce() -> str:
                    assert contact is not None
                    row = employers.create_contact(ctx.conn, ctx.principal, employer_id, contact)
                    if need_data is None:
                        # The employer card is the coordinators'; a job coach goes back to the register.
                        card = ctx.principal.role in COORDINATION
                        return f"/employers/{employer_id}" if card else "/employers"
                    cited = need_data.model_copy(update={"contact_id": row["id"]})
                    return f"/needs/{employers.create_need(ctx.conn, ctx.principal, cited)['id']}"

                location = once(ctx, form.text("form_token"), produce)
        except AppError as exc:
            service_error(exc, form, ctx.i18n)
            return _visit_form(ctx, employer, form, status=exc.status)
        # The confirmation names what was recorded: a visit or another contact, and a hidden need or not.
        flash = "visit" if contact.kind == "visit" else "contact"
        if need_data is not None:
            flash += "_need" if need_data.visibility == "hidden" else "_public_need"
        return ctx.redirect(location, flash=f"{flash}_saved")


# Free-text match search ----------------------------------------------------------------------------


@router.get("/search")
def match_search(
    request: Request,
    text: str = "",
    target: Literal["needs", "jobseekers"] = "needs",
    municipality: str = "",
    placement_form: str = "",
    hidden_only: bool = False,
    include_assistive: bool = False,
    searched: bool = False,
) -> Response:
    """Free text ("trukkikortti, aamuvuoro, Lieto") against the area's needs or jobseekers."""
    with page(request, *STAFF) as ctx:
        # An unticked box is not sent: before the first search, assistive tasks are included.
        include_assistive = include_assistive or not searched
        form = Form.initial(
            {
                "text": text,
                "target": target,
                "municipality": municipality,
                "placement_form": placement_form,
                "hidden_only": hidden_only,
                "include_assistive": include_assistive,
            }
        )
        items: list[dict[str, Any]] | None = None
        if searched:
            items = _search(
                ctx, form, text, target, municipality, placement_form, hidden_only, include_assistive
            )
        return ctx.render(
            "search.html",
            form=form,
            items=items,
            target=target,
            target_choices=[("needs", ctx._(N_("Needs"))), ("jobseekers", ctx._(N_("Jobseekers")))],
            form_choices=options(labels.PLACEMENT_FORMS.items(), ctx.i18n),
        )


def _search(
    ctx: Ctx,
    form: Form,
    text: str,
    target: Literal["needs", "jobseekers"],
    municipality: str,
    placement_form: str,
    hidden_only: bool,
    include_assistive: bool,
) -> list[dict[str, Any]] | None:
    if not text.strip():
        form.add("text", ctx._(N_("Write something to search for.")))
        return None
    if len(text) > 2000:
        form.add("text", ctx._(N_("The text is too long.")))
        return None
    try:
        place = canonical_municipality(municipality) if municipality.strip() else None
    except AppError:
        form.add("municipality", ctx._(N_("Unknown municipality. Check the spelling.")))
        return None
    filters = Filters(
        municipality=place,
        placement_form=placement_form if placement_form in labels.PLACEMENT_FORMS else None,
        include_assistive=include_assistive,
        hidden_only=hidden_only,
    )
    try:
        with ctx.savepoint():
            result = matching.search(
                ctx.conn,
                matching.engine_of(ctx.request.app.state),
                ctx.principal,
                text,
                target,
                filters,
                20,
                ctx.i18n.language,
                "web: match search",
            )
    except AppError as exc:
        service_error(exc, form, ctx.i18n, fallback_field="text")
        return None
    items: list[dict[str, Any]] = result["items"]
    return items
