"""HTTP edge of the jobseeker's path: the area's target groups, service-need assessments, plans and
their due reviews, and the change in work-ability measurements."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from accounts.models import COORDINATION, STAFF, Principal
from api.deps import CurrentPrincipal, DbConn, require
from api.http import (
    Paging,
    idempotent_create,
    page,
    rendered_reply,
    request_fingerprint,
    required_version,
    with_etag,
)
from api.problems import problem_responses
from core.db import Conn
from core.paging import Page
from jobseekers import assessments, form_choices, plans, target_groups
from jobseekers.assessments import MeasureChange, ServiceNeedAssessment, ServiceNeedAssessmentIn
from jobseekers.audit import DEFAULT_REASON, MAX_REASON, record_access
from jobseekers.form_choices import FormChoiceIn, FormChoices
from jobseekers.plans import Plan, PlanIn, PlanReview, PlanUpdate
from jobseekers.target_groups import TargetGroup, TargetGroupIn, TargetGroupUpdate

router = APIRouter(tags=["jobseeker path"])

Version = Annotated[int, Depends(required_version)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
Reason = Annotated[
    str,
    Query(
        min_length=1, max_length=MAX_REASON, description="Why the data is read (recorded in the audit log)"
    ),
]


def _replay_audit(
    conn: Conn, principal: Principal, jobseeker_id: int, action: str, reason: str
) -> Callable[[Any], None]:
    """A replayed answer discloses the stored record again: it is audited like the first one."""

    def audit(_body: Any) -> None:
        record_access(conn, principal, [jobseeker_id], action, reason)

    return audit


@router.get("/target-groups", response_model=Page[TargetGroup], responses=problem_responses(401, 403, 422))
def list_target_groups(principal: CurrentPrincipal, conn: DbConn, params: Paging) -> dict[str, Any]:
    """The area's saved target groups, each with its member count today (staff)."""
    require(principal, *STAFF)
    items, total = target_groups.list_target_groups(conn, principal, params)
    return page(items, total, params)


@router.post(
    "/target-groups",
    status_code=201,
    responses=rendered_reply(TargetGroup, 201) | problem_responses(401, 403, 409, 413, 422),
)
def create_target_group(
    body: TargetGroupIn,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Save a target group: a name and a rule whose conditions all must hold (admins, coordinators)."""
    require(principal, *COORDINATION)
    fingerprint = request_fingerprint(request, body)

    def produce() -> tuple[int, Any, dict[str, str]]:
        row = target_groups.create_target_group(conn, principal, body)
        return 201, row, {"Location": "/api/v1/target-groups"}

    return idempotent_create(conn, principal, key, fingerprint, produce)


@router.patch(
    "/target-groups/{group_id}",
    response_model=TargetGroup,
    responses=problem_responses(401, 403, 404, 409, 412, 413, 422, 428),
)
def update_target_group(
    group_id: int,
    body: TargetGroupUpdate,
    version: Version,
    principal: CurrentPrincipal,
    conn: DbConn,
    response: Response,
) -> dict[str, Any]:
    """Rename a target group or replace its rule whole (admins, coordinators); needs If-Match. Lists
    and indicators filtered by the group follow the new rule at once."""
    require(principal, *COORDINATION)
    return with_etag(response, target_groups.update_target_group(conn, principal, group_id, version, body))


@router.delete(
    "/target-groups/{group_id}", status_code=204, responses=problem_responses(401, 403, 404, 412, 422, 428)
)
def delete_target_group(
    group_id: int, version: Version, principal: CurrentPrincipal, conn: DbConn
) -> Response:
    """Remove a target group at the version read (admins, coordinators); needs If-Match, as a change
    does. A filter that names it afterwards is answered 422 naming ``target_group_id``; the pages show
    their lists unfiltered."""
    require(principal, *COORDINATION)
    target_groups.delete_target_group(conn, principal, group_id, version)
    return Response(status_code=204)


@router.post(
    "/jobseekers/{jobseeker_id}/service-need-assessments",
    status_code=201,
    responses=rendered_reply(ServiceNeedAssessment, 201) | problem_responses(401, 403, 404, 409, 413, 422),
)
def add_service_need_assessment(
    jobseeker_id: int,
    body: ServiceNeedAssessmentIn,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    key: IdempotencyKey = None,
    reason: Reason = DEFAULT_REASON,
) -> JSONResponse:
    """Record a dated service-need assessment: the own caseworker only (403 for other roles). A retry
    with the same Idempotency-Key gets the first answer and records nothing more."""
    fingerprint = request_fingerprint(request, body)

    def produce() -> tuple[int, Any, dict[str, str]]:
        row = assessments.add_service_need_assessment(conn, principal, jobseeker_id, body, reason)
        return 201, row, {"Location": f"/api/v1/jobseekers/{jobseeker_id}/service-need-assessments"}

    audit = _replay_audit(conn, principal, jobseeker_id, "service_need_replay", reason)
    return idempotent_create(conn, principal, key, fingerprint, produce, on_replay=audit)


@router.get(
    "/jobseekers/{jobseeker_id}/service-need-assessments",
    response_model=Page[ServiceNeedAssessment],
    responses=problem_responses(401, 403, 404, 422),
)
def list_service_need_assessments(
    jobseeker_id: int,
    principal: CurrentPrincipal,
    conn: DbConn,
    params: Paging,
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """Service-need assessments, newest first: the own caseworker only (403 for other roles)."""
    items, total = assessments.list_service_need_assessments(conn, principal, jobseeker_id, reason, params)
    return page(items, total, params)


@router.get(
    "/jobseekers/{jobseeker_id}/work-capacity/changes",
    response_model=list[MeasureChange],
    responses=problem_responses(401, 403, 404, 422),
)
def work_ability_changes(
    jobseeker_id: int, principal: CurrentPrincipal, conn: DbConn, reason: Reason = DEFAULT_REASON
) -> list[dict[str, Any]]:
    """Each work-ability measure's first and latest measurement and their change: the own caseworker."""
    return assessments.work_ability_changes(conn, principal, jobseeker_id, reason)


@router.post(
    "/jobseekers/{jobseeker_id}/plans",
    status_code=201,
    responses=rendered_reply(Plan, 201) | problem_responses(401, 403, 404, 409, 413, 422),
)
def add_plan(
    jobseeker_id: int,
    body: PlanIn,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    key: IdempotencyKey = None,
    reason: Reason = DEFAULT_REASON,
) -> JSONResponse:
    """Record the client's plan with dated goals and steps and its review date (own caseworker). A
    retry with the same Idempotency-Key gets the first answer and records nothing more."""
    fingerprint = request_fingerprint(request, body)

    def produce() -> tuple[int, Any, dict[str, str]]:
        row = plans.add_plan(conn, principal, jobseeker_id, body, reason)
        return 201, row, {"Location": f"/api/v1/jobseekers/{jobseeker_id}/plans"}

    audit = _replay_audit(conn, principal, jobseeker_id, "plan_replay", reason)
    return idempotent_create(conn, principal, key, fingerprint, produce, on_replay=audit)


@router.get(
    "/jobseekers/{jobseeker_id}/plans",
    response_model=Page[Plan],
    responses=problem_responses(401, 403, 404, 422),
)
def list_plans(
    jobseeker_id: int,
    principal: CurrentPrincipal,
    conn: DbConn,
    params: Paging,
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """The client's plans, newest first (whoever may see the jobseeker)."""
    items, total = plans.list_plans(conn, principal, jobseeker_id, reason, params)
    return page(items, total, params)


@router.patch(
    "/plans/{plan_id:int}",
    response_model=Plan,
    responses=problem_responses(401, 403, 404, 409, 412, 413, 422, 428),
)
def update_plan(
    plan_id: int,
    body: PlanUpdate,
    version: Version,
    principal: CurrentPrincipal,
    conn: DbConn,
    response: Response,
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """Change the client's plan: goals and steps (``items`` replaces them all), review date and the rest
    (own caseworker; needs If-Match). A goal or step dated before the plan is refused (422 naming it)
    and nothing is written; the new review date is what the caseworker's due list shows."""
    return with_etag(response, plans.update_plan(conn, principal, plan_id, version, body, reason))


@router.get("/plans/due", response_model=list[PlanReview], responses=problem_responses(401, 403, 422))
def due_plan_reviews(
    principal: CurrentPrincipal,
    conn: DbConn,
    within_days: Annotated[
        int, Query(ge=0, le=366, description="Reviews due up to this many days ahead")
    ] = 14,
) -> list[dict[str, Any]]:
    """The plan reviews due of the caseworker's own clients (empty for other staff)."""
    require(principal, *STAFF)
    return plans.due_plan_reviews(conn, principal, within_days=within_days)


@router.get(
    "/jobseekers/{jobseeker_id}/placement-forms",
    response_model=FormChoices,
    responses=problem_responses(401, 403, 404, 422),
)
def placement_forms(
    jobseeker_id: int, principal: CurrentPrincipal, conn: DbConn, reason: Reason = DEFAULT_REASON
) -> dict[str, Any]:
    """The placement forms the jobseeker accepts now and each recorded change of their mind."""
    return form_choices.form_choices(conn, principal, jobseeker_id, reason)


@router.post(
    "/jobseekers/{jobseeker_id}/placement-forms",
    response_model=FormChoices,
    responses=problem_responses(401, 403, 404, 409, 413, 422),
)
def record_placement_form_choice(
    jobseeker_id: int,
    body: FormChoiceIn,
    principal: CurrentPrincipal,
    conn: DbConn,
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """Record the jobseeker's new decision on a placement form (added or removed, dated): the own
    caseworker only (403 for other roles); a proposal or placement in that form may then proceed."""
    return form_choices.record_choice(conn, principal, jobseeker_id, body, reason)
