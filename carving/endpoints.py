"""HTTP edge of job carving: tasks, carved jobs and suggested bundles (coordinators and admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from accounts.models import COORDINATION
from api.deps import CurrentPrincipal, DbConn, require
from api.http import Paging, idempotent_create, page, rendered_reply, request_fingerprint
from api.problems import problem_responses
from carving import service, suggestions
from carving.schemas import (
    CarvedJob,
    CarvedJobCreate,
    Suggestion,
    SuggestionParams,
    Task,
    TaskCreate,
    TaskFilters,
)
from core.paging import Page

router = APIRouter()

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


@router.post(
    "/carving/tasks",
    status_code=201,
    tags=["carving"],
    responses=rendered_reply(Task, 201) | problem_responses(401, 403, 404, 409, 413, 422),
)
def create_task(
    body: TaskCreate, request: Request, principal: CurrentPrincipal, conn: DbConn, key: IdempotencyKey = None
) -> JSONResponse:
    """Record a small task found at an employer of the area: hours a week, weekly slots, skills, physical
    demands and municipality (coordinator, admin)."""
    require(principal, *COORDINATION)

    def produce() -> tuple[int, Any, dict[str, str]]:
        row = service.create_task(conn, principal, body)
        return 201, row, {"Location": f"/api/v1/carving/tasks/{row['id']}"}

    return idempotent_create(conn, principal, key, request_fingerprint(request, body), produce)


@router.get(
    "/carving/tasks",
    tags=["carving"],
    response_model=Page[Task],
    responses=problem_responses(401, 403, 422),
)
def list_tasks(
    principal: CurrentPrincipal, conn: DbConn, params: Paging, filters: Annotated[TaskFilters, Query()]
) -> dict[str, Any]:
    """Tasks of the area, newest first."""
    require(principal, *COORDINATION)
    items, total = service.list_tasks(conn, principal, filters, params)
    return page(items, total, params)


@router.get(
    "/carving/tasks/{task_id}",
    tags=["carving"],
    response_model=Task,
    responses=problem_responses(401, 403, 404, 422),
)
def get_task(task_id: int, principal: CurrentPrincipal, conn: DbConn) -> dict[str, Any]:
    """One task."""
    require(principal, *COORDINATION)
    return service.get_task(conn, principal, task_id)


@router.get(
    "/carving/suggestions",
    tags=["carving"],
    response_model=list[Suggestion],
    responses=problem_responses(401, 403, 422),
)
def suggest(
    principal: CurrentPrincipal, conn: DbConn, params: Annotated[SuggestionParams, Query()]
) -> list[dict[str, Any]]:
    """Bundles of the area's open tasks that lie near one another, fit together in the week and reach the
    hours asked (20-37.5 a week unless said), best first, each with its reason."""
    require(principal, *COORDINATION)
    found = suggestions.suggest(service.open_tasks(conn, principal.area_id), params)
    return [bundle.as_dict() for bundle in found]


@router.post(
    "/carving/jobs",
    status_code=201,
    tags=["carving"],
    responses=rendered_reply(CarvedJob, 201) | problem_responses(401, 403, 404, 409, 413, 422),
)
def create_carved_job(
    body: CarvedJobCreate,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Bundle open tasks into a carved job, a need like any other: 422 naming the slots where the
    schedules overlap, 409 when a task is already in a carved job (as when another coordinator bundled
    it a moment earlier)."""
    require(principal, *COORDINATION)

    def produce() -> tuple[int, Any, dict[str, str]]:
        row = service.bundle(conn, principal, body)
        return 201, row, {"Location": f"/api/v1/carving/jobs/{row['need_id']}"}

    return idempotent_create(conn, principal, key, request_fingerprint(request, body), produce)


@router.get(
    "/carving/jobs",
    tags=["carving"],
    response_model=Page[CarvedJob],
    responses=problem_responses(401, 403, 422),
)
def list_carved_jobs(principal: CurrentPrincipal, conn: DbConn, params: Paging) -> dict[str, Any]:
    """The area's carved jobs with their tasks, newest first."""
    require(principal, *COORDINATION)
    items, total = service.list_carved_jobs(conn, principal, params)
    return page(items, total, params)


@router.get(
    "/carving/jobs/{need_id}",
    tags=["carving"],
    response_model=CarvedJob,
    responses=problem_responses(401, 403, 404, 422),
)
def get_carved_job(need_id: int, principal: CurrentPrincipal, conn: DbConn) -> dict[str, Any]:
    """One carved job with its tasks (its need is at /needs/{need_id})."""
    require(principal, *COORDINATION)
    return service.get_carved_job(conn, principal, need_id)
