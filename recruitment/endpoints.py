"""HTTP edge of recruitment events: parse, check role, call one service function.

Staff only: an employer user is refused (403), since an event names the jobseekers who came."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from accounts.models import STAFF
from api.deps import CurrentPrincipal, DbConn, require
from api.http import (
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
from core.paging import Page
from recruitment import service
from recruitment.schemas import (
    AttendanceIn,
    Event,
    EventCreate,
    EventDetail,
    EventFilters,
    EventUpdate,
    JobseekerEvent,
    ParticipantsIn,
)

router = APIRouter(tags=["events"])

Version = Annotated[int, Depends(required_version)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


@router.post(
    "/events",
    status_code=201,
    responses=rendered_reply(EventDetail, 201) | problem_responses(401, 403, 404, 409, 413, 422),
)
def create_event(
    body: EventCreate,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Create a recruitment event with its employers and invited jobseekers (staff). The municipality must
    be one of the area's, the organiser its staff, every employer and jobseeker the area's (and a
    caseworker invites own clients); otherwise nothing is written."""
    require(principal, *STAFF)
    fingerprint = request_fingerprint(request, body)

    def produce() -> tuple[int, Any, dict[str, str]]:
        row = service.create_event(conn, principal, body)
        location = f"/api/v1/events/{row['id']}"
        return 201, EventDetail.model_validate(row), {"ETag": etag_for(row["version"]), "Location": location}

    def audit_replay(body: Any) -> None:
        service.audit_replay(conn, principal, body)

    return idempotent_create(conn, principal, key, fingerprint, produce, on_replay=audit_replay)


@router.get("/events", response_model=Page[Event], responses=problem_responses(401, 403, 422))
def list_events(
    principal: CurrentPrincipal,
    conn: DbConn,
    params: Paging,
    filters: Annotated[EventFilters, Query()],
) -> dict[str, Any]:
    """Recruitment events of the area, newest first by default (staff)."""
    require(principal, *STAFF)
    items, total = service.list_events(conn, principal, filters, params)
    return page(items, total, params)


@router.get("/events/{event_id}", response_model=EventDetail, responses=problem_responses(401, 403, 404, 422))
def get_event(event_id: int, principal: CurrentPrincipal, conn: DbConn, response: Response) -> dict[str, Any]:
    """One event with its employers, the invited jobseekers the caller may see (by pseudonym; audited),
    and the needs found at it (staff)."""
    require(principal, *STAFF)
    return with_etag(response, service.get_event(conn, principal, event_id))


@router.patch(
    "/events/{event_id}",
    response_model=EventDetail,
    responses=problem_responses(401, 403, 404, 412, 413, 422, 428),
)
def update_event(
    event_id: int,
    body: EventUpdate,
    version: Version,
    principal: CurrentPrincipal,
    conn: DbConn,
    response: Response,
) -> dict[str, Any]:
    """Change an event (staff); needs If-Match."""
    require(principal, *STAFF)
    return with_etag(response, service.update_event(conn, principal, event_id, version, body))


@router.post(
    "/events/{event_id}/participants",
    response_model=EventDetail,
    responses=problem_responses(401, 403, 404, 409, 413, 422),
)
def add_participants(
    event_id: int, body: ParticipantsIn, principal: CurrentPrincipal, conn: DbConn, response: Response
) -> dict[str, Any]:
    """Add employers of the area to an event and invite jobseekers (staff; a caseworker own clients)."""
    require(principal, *STAFF)
    return with_etag(response, service.add_participants(conn, principal, event_id, body))


@router.post(
    "/events/{event_id}/attendance",
    response_model=EventDetail,
    responses=problem_responses(401, 403, 404, 409, 413, 422),
)
def record_attendance(
    event_id: int, body: AttendanceIn, principal: CurrentPrincipal, conn: DbConn, response: Response
) -> dict[str, Any]:
    """Mark who came (staff). Anyone named who does not take part is refused with 409 ``not-invited``
    and nothing is written; an employer marked attended gets the event in its contact log."""
    require(principal, *STAFF)
    return with_etag(response, service.record_attendance(conn, principal, event_id, body))


@router.get(
    "/jobseekers/{jobseeker_id}/events",
    response_model=list[JobseekerEvent],
    responses=problem_responses(401, 403, 404, 422),
)
def jobseeker_events(jobseeker_id: int, principal: CurrentPrincipal, conn: DbConn) -> list[dict[str, Any]]:
    """The events a jobseeker was invited to and whether they came (staff who see the jobseeker;
    audited)."""
    require(principal, *STAFF)
    return service.events_of_jobseeker(conn, principal, jobseeker_id)
