"""HTTP edge of jobseekers, their work capacity, consents and audit trail: parse, check role, call one
service function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from accounts.models import CASE_HANDLERS, STAFF, Principal, Role
from api.deps import CurrentPrincipal, DbConn, require
from api.http import (
    IF_MATCH_PATTERN,
    Paging,
    etag_for,
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
from jobseekers import consents, service
from jobseekers.audit import DEFAULT_REASON, MAX_REASON, record_access
from jobseekers.schemas import (
    Assessment,
    AssessmentCreate,
    AssessmentFilters,
    AuditEntry,
    Consent,
    ConsentCreate,
    ConsentFilters,
    Jobseeker,
    JobseekerCreate,
    JobseekerFilters,
    JobseekerUpdate,
    WorkCapacity,
    WorkCapacityIn,
)

router = APIRouter(tags=["jobseekers"])

Version = Annotated[int, Depends(required_version)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
Reason = Annotated[
    str,
    Query(
        min_length=1, max_length=MAX_REASON, description="Why the data is read (recorded in the audit log)"
    ),
]


def _created(row: dict[str, Any], location: str) -> tuple[int, Any, dict[str, str]]:
    headers = {"Location": location}
    if "version" in row:
        headers["ETag"] = etag_for(row["version"])
    return 201, row, headers


def _audit_replay(
    conn: Conn, principal: Principal, jobseeker_id: int | None, action: str, reason: str
) -> Callable[[Any], None]:
    """A replayed answer discloses the stored data again: it is audited like the first one."""

    def audit(body: Any) -> None:
        target = jobseeker_id if jobseeker_id is not None else int(body["id"])
        record_access(conn, principal, [target], action, reason)

    return audit


# Jobseekers ----------------------------------------------------------------------------------------


@router.post(
    "/jobseekers",
    status_code=201,
    responses=rendered_reply(Jobseeker, 201) | problem_responses(401, 403, 409, 413, 422),
)
def create_jobseeker(
    body: JobseekerCreate,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    key: IdempotencyKey = None,
    reason: Reason = DEFAULT_REASON,
) -> JSONResponse:
    """Register a client (caseworker: their own; admin: optionally assigned to a caseworker of the area)."""
    require(principal, *CASE_HANDLERS)
    fingerprint = request_fingerprint(request, body)

    def produce() -> tuple[int, Any, dict[str, str]]:
        record = service.create_jobseeker(conn, principal, body, reason)
        return _created(record, f"/api/v1/jobseekers/{record['id']}")

    audit = _audit_replay(conn, principal, None, "create_replay", reason)
    return idempotent_create(conn, principal, key, fingerprint, produce, on_replay=audit)


@router.get("/jobseekers", response_model=Page[Jobseeker], responses=problem_responses(401, 403, 422))
def list_jobseekers(
    principal: CurrentPrincipal,
    conn: DbConn,
    params: Paging,
    filters: Annotated[JobseekerFilters, Query()],
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """Jobseekers of the area (a caseworker's own clients); every listed one is audited."""
    require(principal, *STAFF)
    items, total = service.list_jobseekers(conn, principal, filters, params, reason=reason)
    return page(items, total, params)


@router.get(
    "/jobseekers/{jobseeker_id}", response_model=Jobseeker, responses=problem_responses(401, 403, 404, 422)
)
def get_jobseeker(
    jobseeker_id: int,
    principal: CurrentPrincipal,
    conn: DbConn,
    response: Response,
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """One jobseeker with derived work-capacity constraints (never the details); audited."""
    return with_etag(response, service.get_jobseeker(conn, principal, jobseeker_id, reason))


@router.patch(
    "/jobseekers/{jobseeker_id}",
    response_model=Jobseeker,
    responses=problem_responses(401, 403, 404, 409, 412, 413, 422, 428),
)
def update_jobseeker(
    jobseeker_id: int,
    body: JobseekerUpdate,
    version: Version,
    principal: CurrentPrincipal,
    conn: DbConn,
    response: Response,
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """Change a profile (own caseworker, admin); needs If-Match."""
    require(principal, *CASE_HANDLERS)
    return with_etag(response, service.update_jobseeker(conn, principal, jobseeker_id, version, body, reason))


@router.post(
    "/jobseekers/{jobseeker_id}/archive",
    response_model=Jobseeker,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
def archive_jobseeker(
    jobseeker_id: int,
    version: Version,
    principal: CurrentPrincipal,
    conn: DbConn,
    response: Response,
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """Archive a client (own caseworker, admin); needs If-Match."""
    require(principal, *CASE_HANDLERS)
    return with_etag(response, service.archive_jobseeker(conn, principal, jobseeker_id, version, reason))


# Work capacity -------------------------------------------------------------------------------------


@router.get(
    "/jobseekers/{jobseeker_id}/work-capacity",
    response_model=WorkCapacity,
    responses=problem_responses(401, 403, 404, 422),
)
def get_work_capacity(
    jobseeker_id: int,
    principal: CurrentPrincipal,
    conn: DbConn,
    response: Response,
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """Work capacity with its details: the own caseworker only, 404 for everyone else."""
    return with_etag(response, service.get_work_capacity(conn, principal, jobseeker_id, reason))


ReplaceIfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="Not sent to record the first work capacity; required to replace it: the ETag of the"
        " version being replaced, or * for the current one (without it 428, an outdated one 412).",
        json_schema_extra={"pattern": IF_MATCH_PATTERN},
    ),
]


@router.put(
    "/jobseekers/{jobseeker_id}/work-capacity",
    response_model=WorkCapacity,
    responses=problem_responses(401, 403, 404, 409, 412, 413, 422, 428)
    | {201: {"model": WorkCapacity, "description": "Recorded for the first time"}},
)
def put_work_capacity(
    jobseeker_id: int,
    body: WorkCapacityIn,
    principal: CurrentPrincipal,
    conn: DbConn,
    response: Response,
    if_match: ReplaceIfMatch = None,
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """Record (201) or replace (200, needs If-Match) the work capacity: the own caseworker only."""
    version = required_version(if_match) if if_match is not None else None
    record, created = service.put_work_capacity(conn, principal, jobseeker_id, version, body, reason)
    if created:
        response.status_code = 201
    return with_etag(response, record)


@router.post(
    "/jobseekers/{jobseeker_id}/work-capacity/assessments",
    status_code=201,
    responses=rendered_reply(Assessment, 201) | problem_responses(401, 403, 404, 409, 413, 422),
)
def add_assessment(
    jobseeker_id: int,
    body: AssessmentCreate,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    key: IdempotencyKey = None,
    reason: Reason = DEFAULT_REASON,
) -> JSONResponse:
    """Record a work-capacity assessment: the own caseworker only."""
    fingerprint = request_fingerprint(request, body)

    def produce() -> tuple[int, Any, dict[str, str]]:
        row = service.add_assessment(conn, principal, jobseeker_id, body, reason)
        return _created(row, f"/api/v1/jobseekers/{jobseeker_id}/work-capacity/assessments")

    audit = _audit_replay(conn, principal, jobseeker_id, "assessment_replay", reason)
    return idempotent_create(conn, principal, key, fingerprint, produce, on_replay=audit)


@router.get(
    "/jobseekers/{jobseeker_id}/work-capacity/assessments",
    response_model=Page[Assessment],
    responses=problem_responses(401, 403, 404, 422),
)
def list_assessments(
    jobseeker_id: int,
    principal: CurrentPrincipal,
    conn: DbConn,
    params: Paging,
    filters: Annotated[AssessmentFilters, Query()],
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """Work-capacity assessments over time: the own caseworker only."""
    items, total = service.list_assessments(conn, principal, jobseeker_id, filters, params, reason=reason)
    return page(items, total, params)


# Consents ------------------------------------------------------------------------------------------


@router.post(
    "/jobseekers/{jobseeker_id}/consents",
    status_code=201,
    responses=rendered_reply(Consent, 201) | problem_responses(401, 403, 404, 409, 413, 422),
)
def record_consent(
    jobseeker_id: int,
    body: ConsentCreate,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    key: IdempotencyKey = None,
    reason: Reason = DEFAULT_REASON,
) -> JSONResponse:
    """Record the jobseeker's consent (own caseworker, admin)."""
    require(principal, *CASE_HANDLERS)
    fingerprint = request_fingerprint(request, body)

    def produce() -> tuple[int, Any, dict[str, str]]:
        row = consents.record_consent(conn, principal, jobseeker_id, body, reason)
        return _created(row, f"/api/v1/jobseekers/{jobseeker_id}/consents")

    audit = _audit_replay(conn, principal, jobseeker_id, "consent_replay", reason)
    return idempotent_create(conn, principal, key, fingerprint, produce, on_replay=audit)


@router.get(
    "/jobseekers/{jobseeker_id}/consents",
    response_model=Page[Consent],
    responses=problem_responses(401, 403, 404, 422),
)
def list_consents(
    jobseeker_id: int,
    principal: CurrentPrincipal,
    conn: DbConn,
    params: Paging,
    filters: Annotated[ConsentFilters, Query()],
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """Consents given and withdrawn (anyone who may see the jobseeker); audited."""
    items, total = consents.list_consents(conn, principal, jobseeker_id, filters, params, reason=reason)
    return page(items, total, params)


@router.post(
    "/jobseekers/{jobseeker_id}/consents/{consent_id}/withdraw",
    response_model=Consent,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def withdraw_consent(
    jobseeker_id: int,
    consent_id: int,
    principal: CurrentPrincipal,
    conn: DbConn,
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """Withdraw a consent (own caseworker, admin); withdrawing twice changes nothing."""
    require(principal, *CASE_HANDLERS)
    return consents.withdraw_consent(conn, principal, jobseeker_id, consent_id, reason)


# Audit trail ---------------------------------------------------------------------------------------


@router.get(
    "/jobseekers/{jobseeker_id}/audit",
    response_model=Page[AuditEntry],
    responses=problem_responses(401, 403, 404, 422),
)
def audit_trail(
    jobseeker_id: int,
    principal: CurrentPrincipal,
    conn: DbConn,
    params: Paging,
    reason: Reason = DEFAULT_REASON,
) -> dict[str, Any]:
    """Who read or changed the jobseeker's data, newest first (admin only); the read is audited too."""
    require(principal, Role.ADMIN)
    items, total = service.audit_trail(conn, principal, jobseeker_id, params, reason)
    return page(items, total, params)
