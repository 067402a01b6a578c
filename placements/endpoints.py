"""HTTP edge of the coordination workflow: parse, check role, call one service function, shape the reply."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from accounts import service as accounts
from accounts.models import COORDINATION, PROPOSERS, READERS, WORKFLOW, Principal, Role
from api.deps import CurrentPrincipal, DbConn, require
from api.headers import STANDALONE_POLICY
from api.http import Paging, file_reply, idempotent_create, page, rendered_reply, request_fingerprint
from api.problems import problem_responses
from core import i18n
from core.db import Conn
from core.paging import Page
from matching import service as matching
from placements import cards, charts, exports, indicators, ledger, placed, proposals, workflow
from placements.schemas import (
    AnswerIn,
    Candidate,
    CreatedFollowUp,
    DueList,
    EmployerCard,
    FollowUpCreate,
    HiddenJobs,
    Indicators,
    IntroCard,
    Placement,
    PlacementFilters,
    Proposal,
    ProposalCreate,
    ProposalFilters,
    StaffPlacement,
    StaffPlacementDetail,
    StaffProposal,
    StaffProposalDetail,
    TransitionIn,
    TransitionResult,
)
from placements.settings import PlacementSettings, get_placement_settings

router = APIRouter()


def placement_settings() -> PlacementSettings:
    """The workflow's caps and thresholds (a dependency, so a test can override them)."""
    return get_placement_settings()


Settings = Annotated[PlacementSettings, Depends(placement_settings)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
PRIVATE = {"Cache-Control": "no-store"}
"""Replies carrying a jobseeker's data are never stored by a browser or proxy."""


# Employer register and hidden-job ledger -----------------------------------------------------------


@router.get(
    "/employers/{employer_id}/card",
    tags=["employers"],
    response_model=EmployerCard,
    responses=problem_responses(401, 403, 404, 422),
)
def employer_card(
    employer_id: int, principal: CurrentPrincipal, conn: DbConn, settings: Settings
) -> dict[str, Any]:
    """The employer card: contact history, open and past needs, proposals, placements, response rate
    and the work-trial guard's warnings (coordinator, admin)."""
    require(principal, *COORDINATION)
    return ledger.employer_card(conn, principal, employer_id, settings)


@router.get(
    "/contacts/due", tags=["contacts"], response_model=DueList, responses=problem_responses(401, 403, 422)
)
def due(
    principal: CurrentPrincipal,
    conn: DbConn,
    settings: Settings,
    params: Paging,
    whole_area: bool = Query(False, alias="all", description="the whole area's, not only one's own"),
) -> dict[str, Any]:
    """What is due today: contacts whose next step is due, unanswered proposals and follow-ups
    (coordinator, admin); one's own unless ``all=true``."""
    require(principal, *COORDINATION)
    return ledger.due_list(
        conn, principal, settings, whole_area=whole_area, limit=params.limit, offset=params.offset
    )


PeriodFrom = Annotated[date | None, Query(alias="from", description="first day (default: 12 months back)")]
PeriodTo = Annotated[date | None, Query(alias="to", description="last day, inclusive (default: today)")]
Language = Annotated[
    str | None,
    Header(
        alias="Accept-Language",
        max_length=500,
        description="The language of the names, titles and definitions in the reply: fi (default), sv, en",
    ),
]
EventId = Annotated[
    int | None, Query(description="Only what came of this recruitment event of the area (422 if none)")
]


@router.get(
    "/ledger/hidden-jobs",
    tags=["ledger"],
    response_model=HiddenJobs,
    responses=problem_responses(401, 403, 422),
)
def hidden_jobs(
    principal: CurrentPrincipal,
    conn: DbConn,
    date_from: PeriodFrom = None,
    date_to: PeriodTo = None,
    group_by: ledger.LedgerGroup = "month",
    whole_area: bool = Query(
        False,
        alias="all",
        description="the whole area's, not only of the employers one is responsible for (an admin, who is "
        "responsible for none, always gets the whole area's)",
    ),
    language: Language = None,
    event_id: EventId = None,
) -> dict[str, Any]:
    """Hidden needs uncovered in the period and how many were filled, with the definition in the
    language asked for (coordinator, admin): of the employers whose responsible coordinator one is,
    unless ``all=true`` (or one is an admin); cut by a recruitment event with ``event_id``."""
    require(principal, *COORDINATION)
    first, last = ledger.default_period(date_from, date_to)
    responsible = None if whole_area or principal.role is Role.ADMIN else principal.user_id
    return ledger.hidden_jobs(
        conn,
        principal.area_id,
        first,
        last,
        group_by,
        i18n.accept_language(language),
        responsible=responsible,
        event_id=event_id,
    )


# Proposals -----------------------------------------------------------------------------------------


@router.post(
    "/proposals",
    status_code=201,
    tags=["proposals"],
    responses=rendered_reply(StaffProposal, 201) | problem_responses(401, 403, 404, 409, 413, 422, 503),
)
def create_proposal(
    body: ProposalCreate,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    settings: Settings,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Propose a jobseeker for a need (coordinator; caseworker for own clients): the ranking
    explanation and the intro card are frozen with it."""
    require(principal, *PROPOSERS)
    fingerprint = request_fingerprint(request, body)

    def produce() -> tuple[int, Any, dict[str, str]]:
        row = proposals.create_proposal(
            conn, matching.engine_of(request.app.state), principal, body, settings
        )
        return 201, row, {"Location": f"/api/v1/proposals/{row['id']}"}

    def audit(body: Any) -> None:
        proposals.record_replay(conn, principal, body["id"], "proposal_replay", "proposal")

    return idempotent_create(conn, principal, key, fingerprint, produce, on_replay=audit)


@router.get(
    "/proposals",
    tags=["proposals"],
    response_model=Page[StaffProposal | Proposal],
    responses=problem_responses(401, 403, 422),
)
def list_proposals(
    principal: CurrentPrincipal,
    conn: DbConn,
    settings: Settings,
    params: Paging,
    filters: Annotated[ProposalFilters, Query()],
) -> dict[str, Any]:
    """Proposals: the area's for coordinators and admins, own clients' for a caseworker, own
    organisation's for an employer."""
    require(principal, *READERS)
    items, total = proposals.list_proposals(conn, principal, settings, filters, params)
    return page(items, total, params)


@router.get(
    "/proposals/{proposal_id}",
    tags=["proposals"],
    response_model=StaffProposalDetail | Proposal,
    responses=problem_responses(401, 403, 404, 422),
)
def get_proposal(
    proposal_id: int,
    principal: CurrentPrincipal,
    conn: DbConn,
    settings: Settings,
    accept_language: Annotated[
        str | None, Header(max_length=500, description="The language of the frozen explanation: fi, sv or en")
    ] = None,
) -> dict[str, Any]:
    """One proposal; staff see the ranking explanation frozen with it, in the language asked for."""
    require(principal, *READERS)
    return proposals.get_proposal(
        conn, principal, proposal_id, settings, i18n.accept_language(accept_language)
    )


def _card(conn: Conn, principal: Principal, proposal_id: int, language: str = "fi") -> dict[str, Any]:
    require(principal, *READERS)
    return proposals.get_card(conn, principal, proposal_id, language)


@router.get(
    "/proposals/{proposal_id}/card",
    tags=["proposals"],
    responses=rendered_reply(IntroCard) | problem_responses(401, 403, 404, 422),
)
def card(
    proposal_id: int, principal: CurrentPrincipal, conn: DbConn, language: Language = None
) -> JSONResponse:
    """The intro card (esittelykortti): pseudonymous; the employer sees only cards sent to them. The
    matching skills are named in the language asked for."""
    card = _card(conn, principal, proposal_id, i18n.accept_language(language))
    return JSONResponse(card, headers=PRIVATE)


@router.get(
    "/proposals/{proposal_id}/card.html",
    response_class=HTMLResponse,
    tags=["proposals"],
    responses=problem_responses(401, 403, 404, 422),
)
def card_html(
    proposal_id: int, principal: CurrentPrincipal, conn: DbConn, language: Language = None
) -> HTMLResponse:
    """The intro card as a page in the language asked for."""
    lang = i18n.accept_language(language)
    headers = {**PRIVATE, "Content-Security-Policy": STANDALONE_POLICY, "Content-Language": lang}
    return HTMLResponse(cards.render_html(_card(conn, principal, proposal_id, lang), lang), headers=headers)


@router.get(
    "/proposals/{proposal_id}/card.pdf",
    tags=["proposals"],
    response_class=Response,
    responses=file_reply("application/pdf", "The intro card as a PDF")
    | problem_responses(401, 403, 404, 422),
)
def card_pdf(
    proposal_id: int, principal: CurrentPrincipal, conn: DbConn, language: Language = None
) -> Response:
    """The intro card as a PDF in the language asked for."""
    lang = i18n.accept_language(language)
    content = cards.render_pdf(_card(conn, principal, proposal_id, lang), lang)
    headers = {
        **PRIVATE,
        "Content-Disposition": f'inline; filename="{cards.file_name(proposal_id, lang)}"',
        "Content-Language": lang,
    }
    return Response(content, media_type="application/pdf", headers=headers)


@router.get(
    "/proposals/{proposal_id}/candidate",
    tags=["proposals"],
    responses=rendered_reply(Candidate) | problem_responses(401, 403, 404, 422),
)
def candidate(proposal_id: int, principal: CurrentPrincipal, conn: DbConn) -> JSONResponse:
    """The candidate's name and contact details, for the employer, once the jobseeker has consented
    and the employer has answered interested (every disclosure is audited)."""
    require(principal, Role.EMPLOYER)
    return JSONResponse(proposals.disclose_candidate(conn, principal, proposal_id), headers=PRIVATE)


@router.post(
    "/proposals/{proposal_id}/answer",
    tags=["proposals"],
    responses=rendered_reply(Proposal) | problem_responses(401, 403, 404, 409, 413, 422),
)
def answer(
    proposal_id: int,
    body: AnswerIn,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    settings: Settings,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """The employer answers an intro card: interested, not_now or not_suitable (with reason_code)."""
    require(principal, Role.EMPLOYER)

    def produce() -> tuple[int, Any, dict[str, str]]:
        return 200, workflow.answer_proposal(conn, principal, proposal_id, body, settings), {}

    def audit(_: Any) -> None:
        proposals.record_replay(conn, principal, proposal_id, "answer_replay", "intro card answer")

    return idempotent_create(
        conn, principal, key, request_fingerprint(request, body), produce, on_replay=audit
    )


@router.post(
    "/proposals/{proposal_id}/transitions",
    tags=["proposals"],
    responses=rendered_reply(TransitionResult) | problem_responses(401, 403, 404, 409, 413, 422),
)
def transition(
    proposal_id: int,
    body: TransitionIn,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    settings: Settings,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Move a proposal on: proposed → interested → interview → placed → ended, or declined / not_hired
    from any open step (coordinator, admin, own caseworker). ``placed`` confirms the placement."""
    require(principal, *WORKFLOW)

    def produce() -> tuple[int, Any, dict[str, str]]:
        return 200, workflow.transition(conn, principal, proposal_id, body, settings), {}

    def audit(_: Any) -> None:
        proposals.record_replay(
            conn, principal, proposal_id, "transition_replay", f"proposal {body.to.value}"
        )

    return idempotent_create(
        conn, principal, key, request_fingerprint(request, body), produce, on_replay=audit
    )


# Placements ----------------------------------------------------------------------------------------


@router.get(
    "/placements",
    tags=["placements"],
    response_model=Page[StaffPlacement | Placement],
    responses=problem_responses(401, 403, 422),
)
def list_placements(
    principal: CurrentPrincipal,
    conn: DbConn,
    params: Paging,
    filters: Annotated[PlacementFilters, Query()],
) -> dict[str, Any]:
    """Placements: the area's for coordinators and admins, own clients' for a caseworker, own
    organisation's for an employer."""
    require(principal, *READERS)
    items, total = placed.list_placements(conn, principal, filters, params)
    return page(items, total, params)


@router.get(
    "/placements/{placement_id}",
    tags=["placements"],
    response_model=StaffPlacementDetail | Placement,
    responses=problem_responses(401, 403, 404, 422),
)
def get_placement(placement_id: int, principal: CurrentPrincipal, conn: DbConn) -> dict[str, Any]:
    """One placement (staff also see its follow-ups)."""
    require(principal, *READERS)
    return placed.get_placement(conn, principal, placement_id)


@router.post(
    "/placements/{placement_id}/follow-ups",
    status_code=201,
    tags=["placements"],
    responses=rendered_reply(CreatedFollowUp, 201) | problem_responses(401, 403, 404, 409, 413, 422),
)
def add_follow_up(
    placement_id: int,
    body: FollowUpCreate,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Record the 3- or 6-month follow-up, on or after its due date (coordinator, admin, own caseworker)."""
    require(principal, *WORKFLOW)

    def produce() -> tuple[int, Any, dict[str, str]]:
        return 201, placed.add_follow_up(conn, principal, placement_id, body), {}

    def audit(_: Any) -> None:
        placed.record_replay(conn, principal, placement_id, "follow_up_replay", f"{body.due}-month follow-up")

    return idempotent_create(
        conn, principal, key, request_fingerprint(request, body), produce, on_replay=audit
    )


# Indicators ----------------------------------------------------------------------------------------

By = Annotated[indicators.By, Query(description="area, municipality, coordinator or month")]
_WIDE, _NARROW = ("×".join(map(str, charts.SIZES[size])) for size in ("wide", "narrow"))
ChartSize = Annotated[
    charts.Size,
    Query(
        description=f"wide ({_WIDE} units, the default) or narrow ({_NARROW}, for a phone, as the pages do)"
    ),
]
TargetGroupId = Annotated[
    int | None,
    Query(description="Only the members of this target group of the area (on the period's last day)"),
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _scope(
    conn: Conn,
    principal: Principal,
    date_from: date | None,
    date_to: date | None,
    target_group_id: int | None = None,
    event_id: int | None = None,
) -> indicators.Scope:
    require(principal, *COORDINATION)
    first, last = ledger.default_period(date_from, date_to)
    scope = indicators.Scope(
        area_id=principal.area_id,
        area_name=accounts.get_area(conn, principal.area_id)["name"],
        date_from=first,
        date_to=last,
    )
    return indicators.at_event(conn, indicators.narrowed(conn, scope, target_group_id), event_id)


@router.get(
    "/indicators", tags=["indicators"], response_model=Indicators, responses=problem_responses(401, 403, 422)
)
def get_indicators(
    principal: CurrentPrincipal,
    conn: DbConn,
    date_from: PeriodFrom = None,
    date_to: PeriodTo = None,
    by: By = "area",
    target_group_id: TargetGroupId = None,
    event_id: EventId = None,
    language: Language = None,
) -> dict[str, Any]:
    """The area's indicators for the period, each with its title and definition in the language asked
    for (coordinator, admin); cut by a recruitment event with ``event_id``."""
    scope = _scope(conn, principal, date_from, date_to, target_group_id, event_id)
    return indicators.compute(conn, scope, by, i18n.accept_language(language))


@router.get(
    "/indicators.csv",
    tags=["indicators"],
    response_class=Response,
    responses=file_reply("text/csv", "The indicators as CSV") | problem_responses(401, 403, 422),
)
def indicators_csv(
    principal: CurrentPrincipal,
    conn: DbConn,
    date_from: PeriodFrom = None,
    date_to: PeriodTo = None,
    by: By = "area",
    target_group_id: TargetGroupId = None,
    event_id: EventId = None,
) -> Response:
    """The indicators as CSV."""
    result = indicators.compute(
        conn, _scope(conn, principal, date_from, date_to, target_group_id, event_id), by
    )
    return Response(
        exports.to_csv(result),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="indikaattorit.csv"'},
    )


@router.get(
    "/indicators.xlsx",
    tags=["indicators"],
    response_class=Response,
    responses=file_reply(XLSX, "The indicators as an Excel workbook") | problem_responses(401, 403, 422),
)
def indicators_xlsx(
    principal: CurrentPrincipal,
    conn: DbConn,
    date_from: PeriodFrom = None,
    date_to: PeriodTo = None,
    by: By = "area",
    target_group_id: TargetGroupId = None,
    event_id: EventId = None,
    language: Language = None,
) -> Response:
    """The indicators as an Excel workbook (figures, and titles and definitions in the language asked
    for)."""
    scope = _scope(conn, principal, date_from, date_to, target_group_id, event_id)
    result = indicators.compute(conn, scope, by, i18n.accept_language(language))
    return Response(
        exports.to_xlsx(result),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="indikaattorit.xlsx"'},
    )


@router.get(
    "/indicators/{name}/chart.png",
    tags=["indicators"],
    response_class=Response,
    responses=file_reply("image/png", "The chart as a PNG image") | problem_responses(401, 403, 404, 422),
)
def chart_png(
    name: str,
    principal: CurrentPrincipal,
    conn: DbConn,
    date_from: PeriodFrom = None,
    date_to: PeriodTo = None,
    by: By = "area",
    target_group_id: TargetGroupId = None,
    event_id: EventId = None,
    language: Language = None,
) -> Response:
    """One indicator month by month as a PNG chart (one line per group of ``by``), its texts in
    the language asked for."""
    scope = _scope(conn, principal, date_from, date_to, target_group_id, event_id)
    drawn = charts.chart(conn, scope, name, by, "png", i18n.accept_language(language))
    return Response(drawn, media_type="image/png")


@router.get(
    "/indicators/{name}/chart.svg",
    tags=["indicators"],
    response_class=Response,
    responses=file_reply("image/svg+xml", "The chart as an SVG image")
    | problem_responses(401, 403, 404, 422),
)
def chart_svg(
    name: str,
    principal: CurrentPrincipal,
    conn: DbConn,
    date_from: PeriodFrom = None,
    date_to: PeriodTo = None,
    by: By = "area",
    target_group_id: TargetGroupId = None,
    event_id: EventId = None,
    language: Language = None,
    size: ChartSize = "wide",
) -> Response:
    """One indicator month by month as an SVG chart (one line per group of ``by``) of ``size``, its
    texts in the language asked for."""
    scope = _scope(conn, principal, date_from, date_to, target_group_id, event_id)
    drawn = charts.chart(conn, scope, name, by, "svg", i18n.accept_language(language), size=size)
    return Response(drawn, media_type="image/svg+xml")
