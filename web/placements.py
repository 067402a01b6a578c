"""Proposals and their states, the employer's intro cards and answers, disclosed candidates, placements."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from accounts.models import STAFF, Role
from core.clock import today
from core.errors import AppError, NotFound
from core.paging import PageParams
from employers import service as employers
from placements import cards, placed, proposals, workflow
from placements.schemas import (
    AnswerIn,
    FollowUpCreate,
    PlacementFilters,
    ProposalFilters,
    ProposalState,
    TransitionIn,
)
from placements.settings import get_placement_settings
from web import labels, list_filters, lookups
from web.forms import Form, drop_empty, options, service_error, validate
from web.i18n import N_
from web.lookups import employer_names
from web.needs import number
from web.pages import Ctx, PageRoute, Posted, list_offset, once, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50


# Proposals (staff) ---------------------------------------------------------------------------------


PROPOSAL_LIST_FILTERS = ("state", "municipality", "owner", "proposed_from", "proposed_to", "sort")


@router.get("/proposals")
def proposal_list(
    request: Request,
    state: str = "",
    municipality: str = "",
    owner: str = "",
    proposed_from: str = "",
    proposed_to: str = "",
    sort: str = "",
    offset: int = 0,
) -> Response:
    """Proposals of the area (a caseworker's own clients'), by state, proposal date, the need's
    municipality and who proposed; the last filter is remembered."""
    with page(request, *STAFF) as ctx:
        if (restored := list_filters.restore(ctx, "proposals", PROPOSAL_LIST_FILTERS)) is not None:
            return restored
        given = {
            "state": state,
            "municipality": municipality,
            "owner": owner,
            "proposed_from": proposed_from,
            "proposed_to": proposed_to,
        }
        form = Form.initial({**given, "sort": list_filters.sort_of(sort, labels.PROPOSAL_SORTS)})
        owners = list_filters.owner_choices(ctx)
        values = {
            "state": state if state in labels.PROPOSAL_STATES else None,
            "municipality": municipality.strip()[:100] or None,
            "proposed_by": list_filters.owner_id(ctx, owner, owners),
            "proposed_from": proposed_from.strip() or None,
            "proposed_to": proposed_to.strip() or None,
            "sort": list_filters.sort_of(sort, labels.PROPOSAL_SORTS),
        }
        listing = list_filters.rows(
            ctx,
            ProposalFilters,
            values,
            form,
            offset,
            PAGE_SIZE,
            proposals_of,
            remember=("proposals", PROPOSAL_LIST_FILTERS),
        )
        return ctx.render(
            "proposals.html",
            items=listing.items,
            total=listing.total,
            offset=listing.offset,
            page_size=PAGE_SIZE,
            names=employer_names(ctx, (r["employer_id"] for r in listing.items)),
            form=form,
            state_choices=options(labels.PROPOSAL_STATES.items(), ctx.i18n),
            sort_choices=options(labels.PROPOSAL_SORTS.items(), ctx.i18n),
            owner_choices=owners,
            filtered=any(value.strip() for value in given.values()),
            labels=labels,
        )


def proposals_of(ctx: Ctx, filters: Any, paging: PageParams) -> tuple[list[dict[str, Any]], int]:
    """The proposals matching a validated filter."""
    return proposals.list_proposals(ctx.conn, ctx.principal, get_placement_settings(), filters, paging)


def placements_of(ctx: Ctx, filters: Any, paging: PageParams) -> tuple[list[dict[str, Any]], int]:
    """The placements matching a validated filter."""
    return placed.list_placements(ctx.conn, ctx.principal, filters, paging)


def _proposal_page(ctx: Ctx, proposal_id: int, form: Form | None = None, status: int = 200) -> Response:
    proposal = proposals.get_proposal(
        ctx.conn, ctx.principal, proposal_id, get_placement_settings(), ctx.i18n.language
    )
    card = proposals.get_card(ctx.conn, ctx.principal, proposal_id, ctx.i18n.language)
    need = employers.get_need(ctx.conn, ctx.principal, proposal["need_id"])
    employer = employers.get_employer(ctx.conn, ctx.principal, proposal["employer_id"])
    offered = workflow.placement_form_options(ctx.conn, ctx.principal, proposal_id)
    forms = offered["offered"]
    hours = need["hours_per_week"]
    initial = {
        "form": forms[0] if forms else None,
        "start_date": today().isoformat(),
        "hours_per_week": ctx.i18n.number(hours) if hours is not None else None,
    }
    return ctx.render(
        "proposal.html",
        status=status,
        proposal=proposal,
        card=card,
        need=need,
        employer=employer,
        form=form or Form.initial(initial),
        placement_form_choices=[(f, ctx._(labels.PLACEMENT_FORMS[f])) for f in forms],
        forms_not_accepted=[ctx._(labels.PLACEMENT_FORMS[f]) for f in offered["not_accepted"]],
        labels=labels,
    )


@router.get("/proposals/{proposal_id:int}")
def proposal_page(request: Request, proposal_id: int) -> Response:
    """A proposal: the intro card sent, the frozen explanation, its history and the next steps."""
    with page(request, *STAFF) as ctx:
        return _proposal_page(ctx, proposal_id)


@router.get("/proposals/{proposal_id:int}/card.pdf")
def proposal_card_pdf(request: Request, proposal_id: int) -> Response:
    """The proposal's intro card as a PDF, in the reader's language."""
    with page(request, *STAFF) as ctx:
        return _card_pdf(ctx, proposal_id)


def _card_pdf(ctx: Ctx, proposal_id: int) -> Response:
    """The intro card as the reader sees it on the page, as a PDF in their language (audited as a view)."""
    language = ctx.i18n.language
    card = proposals.get_card(ctx.conn, ctx.principal, proposal_id, language)
    headers = {
        "Cache-Control": "no-store",
        "Content-Disposition": f'inline; filename="{cards.file_name(proposal_id, language)}"',
        "Content-Language": language,
    }
    return Response(cards.render_pdf(card, language), media_type="application/pdf", headers=headers)


@router.post("/proposals/{proposal_id:int}/transition")
def move_proposal(request: Request, proposal_id: int, posted: Posted) -> Response:
    """Move the proposal on: interview, placed (the placement is confirmed), ended, declined, not hired."""
    with page(request, *STAFF, form=posted) as ctx:
        form = Form.of(posted)
        target = form.text("to")
        values: dict[str, Any] = {"to": target, "note": form.value("note").strip()}
        if target == ProposalState.PLACED:
            values |= drop_empty(
                {
                    "form": form.text("form"),
                    "start_date": form.text("start_date"),
                    "end_date": form.text("end_date"),
                    "hours_per_week": number(form.text("hours_per_week")),
                    "decision_reference": form.text("decision_reference"),
                    "subsidy_percent": form.text("subsidy_percent"),
                    "subsidy_months": form.text("subsidy_months"),
                }
            )
            if not form.text("start_date"):
                form.add("start_date", ctx._(N_("This field is required.")))
        elif target == ProposalState.ENDED:
            values |= drop_empty({"ended_on": form.text("ended_on"), "end_reason": form.text("end_reason")})
        data = validate(TransitionIn, values, form, ctx.i18n)
        if data is None or not form.ok:
            return _proposal_page(ctx, proposal_id, form, status=422)
        try:
            with ctx.savepoint():

                def produce() -> str:
                    view = workflow.transition(
                        ctx.conn, ctx.principal, proposal_id, data, get_placement_settings()
                    )
                    placement = view.get("placement")
                    if data.to is ProposalState.PLACED and placement is not None:
                        return f"/placements/{placement['id']}"
                    return f"/proposals/{proposal_id}"

                location = once(ctx, form.text("form_token"), produce)
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n, fallback_field="to")
            return _proposal_page(ctx, proposal_id, form, status=exc.status)
        return ctx.redirect(location, flash="placement_saved" if data.to is ProposalState.PLACED else "saved")


# Intro cards (employer) ----------------------------------------------------------------------------


def _disclosed(ctx: Ctx, proposal: dict[str, Any]) -> dict[str, Any] | None:
    """The candidate's identity when the employer was interested and the jobseeker consented."""
    if proposal["answer"] != "interested":
        return None
    try:
        with ctx.savepoint():
            return proposals.disclose_candidate(ctx.conn, ctx.principal, proposal["id"])
    except proposals.DisclosureNotAllowed:
        return None


@router.get("/cards")
def intro_cards(request: Request, offset: int = 0) -> Response:
    """The intro cards sent to the employer, a page at a time: those waiting for an answer first, the
    oldest first, then the answered ones, the latest answer first."""
    with page(request, Role.EMPLOYER) as ctx:
        offset = list_offset(offset)
        # Descending, an answer's time puts the cards without one first (PostgreSQL orders NULL first).
        items, total = lookups.proposals(ctx, sort="-answered_at", limit=PAGE_SIZE, offset=offset)
        waiting = [p for p in items if p["answer"] is None and p["state"] == ProposalState.PROPOSED]
        answered = [p for p in items if p not in waiting]
        disclosed = {p["id"]: identity for p in answered if (identity := _disclosed(ctx, p)) is not None}
        return ctx.render(
            "cards.html",
            waiting=waiting,
            answered=answered,
            disclosed=disclosed,
            labels=labels,
            total=total,
            offset=offset,
            page_size=PAGE_SIZE,
        )


def _card_page(ctx: Ctx, proposal_id: int, form: Form | None = None, status: int = 200) -> Response:
    proposal = proposals.get_proposal(
        ctx.conn, ctx.principal, proposal_id, get_placement_settings(), ctx.i18n.language
    )
    card = proposals.get_card(ctx.conn, ctx.principal, proposal_id, ctx.i18n.language)
    return ctx.render(
        "card.html",
        status=status,
        proposal=proposal,
        card=card,
        identity=_disclosed(ctx, proposal),
        form=form or Form(),
        reason_choices=options(labels.REASON_CODES.items(), ctx.i18n),
        labels=labels,
    )


@router.get("/cards/{proposal_id:int}")
def intro_card(request: Request, proposal_id: int) -> Response:
    """One intro card (pseudonymous until the candidate consents) with the answer buttons."""
    with page(request, Role.EMPLOYER) as ctx:
        return _card_page(ctx, proposal_id)


@router.get("/cards/{proposal_id:int}.pdf")
def intro_card_pdf(request: Request, proposal_id: int) -> Response:
    """One intro card as a PDF in the reader's language (pseudonymous, as the card page's card)."""
    with page(request, Role.EMPLOYER) as ctx:
        return _card_pdf(ctx, proposal_id)


@router.post("/cards/{proposal_id:int}/answer")
def answer_card(request: Request, proposal_id: int, posted: Posted) -> Response:
    """The employer's answer: interested, not now, or not suitable with a reason."""
    with page(request, Role.EMPLOYER, form=posted) as ctx:
        form = Form.of(posted)
        values = drop_empty(
            {
                "answer": form.text("answer"),
                "reason_code": form.text("reason_code"),
                "comment": form.text("comment"),
            }
        )
        if values.get("answer") == "not_suitable" and "reason_code" not in values:
            form.add("reason_code", ctx._(N_("Choose a reason, so that we can propose better candidates.")))
        data = validate(AnswerIn, values, form, ctx.i18n)
        if data is None or not form.ok:
            return _card_page(ctx, proposal_id, form, status=422)
        try:
            with ctx.savepoint():
                workflow.answer_proposal(ctx.conn, ctx.principal, proposal_id, data, get_placement_settings())
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n, fallback_field="answer")
            return _card_page(ctx, proposal_id, form, status=exc.status)
        return ctx.redirect(f"/cards/{proposal_id}", flash="answered")


# Placements ----------------------------------------------------------------------------------------


PLACEMENT_LIST_FILTERS = ("status", "municipality", "owner", "start_from", "start_to", "sort")


@router.get("/placements")
def placement_list(
    request: Request,
    status: str = "",
    municipality: str = "",
    owner: str = "",
    start_from: str = "",
    start_to: str = "",
    sort: str = "",
    offset: int = 0,
) -> Response:
    """Placements the user may see (the area's, own clients', or the employer's own), by status, start
    date, the need's municipality and who confirmed them; the last filter is remembered. An employer
    filters by status and start date only."""
    with page(request) as ctx:
        if (restored := list_filters.restore(ctx, "placements", PLACEMENT_LIST_FILTERS)) is not None:
            return restored
        staff = ctx.principal.is_staff
        given = {"status": status, "start_from": start_from, "start_to": start_to}
        if staff:
            given |= {"municipality": municipality, "owner": owner}
        form = Form.initial({**given, "sort": list_filters.sort_of(sort, labels.PLACEMENT_SORTS)})
        owners = list_filters.owner_choices(ctx) if staff else []
        values: dict[str, Any] = {
            "status": status if status in labels.PLACEMENT_STATUS else None,
            "start_from": start_from.strip() or None,
            "start_to": start_to.strip() or None,
            "sort": list_filters.sort_of(sort, labels.PLACEMENT_SORTS),
        }
        if staff:
            values |= {
                "municipality": municipality.strip()[:100] or None,
                "confirmed_by": list_filters.owner_id(ctx, owner, owners),
            }
        listing = list_filters.rows(
            ctx,
            PlacementFilters,
            values,
            form,
            offset,
            PAGE_SIZE,
            placements_of,
            remember=("placements", PLACEMENT_LIST_FILTERS),
        )
        return ctx.render(
            "placements.html",
            items=listing.items,
            total=listing.total,
            offset=listing.offset,
            page_size=PAGE_SIZE,
            names=employer_names(ctx, (r["employer_id"] for r in listing.items)),
            standings={r["id"]: placed.standing(r, today()).value for r in listing.items},
            form=form,
            status_choices=options(labels.PLACEMENT_STATUS.items(), ctx.i18n),
            sort_choices=options(labels.PLACEMENT_SORTS.items(), ctx.i18n),
            owner_choices=owners,
            labels=labels,
        )


def _placement_page(ctx: Ctx, placement_id: int, form: Form | None = None, status: int = 200) -> Response:
    placement = placed.get_placement(ctx.conn, ctx.principal, placement_id)
    employer = employers.get_employer(ctx.conn, ctx.principal, placement["employer_id"])
    need = employers.get_need(ctx.conn, ctx.principal, placement["need_id"])
    done = {f["due_months"] for f in placement.get("follow_ups", [])}
    day = today()
    pending = placed.pending_follow_ups(placement["start_date"], sorted(done), day)
    return ctx.render(
        "placement.html",
        status=status,
        placement=placement,
        overdue={months for months, due_on in pending if due_on < day},
        employer=employer,
        need=need,
        form=form or Form.initial({"due": "3" if 3 not in done else "6"}),
        outcome_choices=options(labels.FOLLOW_UP_OUTCOMES.items(), ctx.i18n),
        due_choices=[(str(m), ctx._(N_("%(months)s months"), months=m)) for m in (3, 6) if m not in done],
        labels=labels,
    )


@router.get("/placements/{placement_id:int}")
def placement_page(request: Request, placement_id: int) -> Response:
    """A placement; staff also record its 3- and 6-month follow-ups."""
    with page(request) as ctx:
        return _placement_page(ctx, placement_id)


@router.post("/placements/{placement_id:int}/follow-ups")
def record_follow_up(request: Request, placement_id: int, posted: Posted) -> Response:
    """Record a follow-up once it is due."""
    with page(request, *STAFF, form=posted) as ctx:
        form = Form.of(posted)
        data = validate(
            FollowUpCreate,
            {
                # The schema takes the months as a number (3 or 6), not as the text a form sends.
                "due": int(due) if (due := form.text("due") or "").isdecimal() else due,
                "outcome": form.text("outcome"),
                "note": form.value("note").strip(),
            },
            form,
            ctx.i18n,
        )
        if data is None:
            return _placement_page(ctx, placement_id, form, status=422)
        try:
            with ctx.savepoint():
                placed.add_follow_up(ctx.conn, ctx.principal, placement_id, data)
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n, fallback_field="due")
            return _placement_page(ctx, placement_id, form, status=exc.status)
        return ctx.redirect(f"/placements/{placement_id}", flash="followup_saved")
