"""HTTP edge of employers, contacts and needs: parse, check role, call one service function."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from accounts.models import COORDINATION, FIELD_WORKERS, NEED_RECORDERS, NEED_WRITERS, READERS, STAFF, Role
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
from employers import field_work, service
from employers.schemas import (
    AreaSettings,
    AreaSettingsUpdate,
    Contact,
    ContactCreate,
    ContactFilters,
    ContactUpdate,
    Employer,
    EmployerCoordinator,
    EmployerCreate,
    EmployerFilters,
    EmployerUpdate,
    Need,
    NeedCreate,
    NeedFilters,
    NeedUpdate,
)

router = APIRouter()

Version = Annotated[int, Depends(required_version)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def _created(row: dict[str, Any], location: str) -> tuple[int, Any, dict[str, str]]:
    return 201, row, {"ETag": etag_for(row["version"]), "Location": location}


# Employers -----------------------------------------------------------------------------------------


@router.post(
    "/employers",
    status_code=201,
    tags=["employers"],
    responses=rendered_reply(Employer, 201) | problem_responses(401, 403, 409, 413, 422),
)
def create_employer(
    body: EmployerCreate,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Register an employer of the area (coordinator, admin); ``responsible_coordinator`` must be a
    coordinator of the area (else 422, nothing written)."""
    require(principal, *COORDINATION)
    fingerprint = request_fingerprint(request, body)

    def produce() -> tuple[int, Any, dict[str, str]]:
        row = service.create_employer(conn, principal.area_id, body, principal)
        return _created(row, f"/api/v1/employers/{row['id']}")

    return idempotent_create(conn, principal, key, fingerprint, produce)


@router.get(
    "/employers",
    tags=["employers"],
    response_model=Page[Employer],
    responses=problem_responses(401, 403, 422),
)
def list_employers(
    principal: CurrentPrincipal,
    conn: DbConn,
    params: Paging,
    filters: Annotated[EmployerFilters, Query()],
) -> dict[str, Any]:
    """Employers of the area; an employer user sees only their own organisation."""
    items, total = service.list_employers(conn, principal, filters, params)
    return page(items, total, params)


@router.get(
    "/employers/{employer_id}",
    tags=["employers"],
    response_model=Employer,
    responses=problem_responses(401, 403, 404, 422),
)
def get_employer(
    employer_id: int, principal: CurrentPrincipal, conn: DbConn, response: Response
) -> dict[str, Any]:
    """One employer."""
    return with_etag(response, service.get_employer(conn, principal, employer_id))


@router.patch(
    "/employers/{employer_id}",
    tags=["employers"],
    response_model=Employer,
    responses=problem_responses(401, 403, 404, 409, 412, 413, 422, 428),
)
def update_employer(
    employer_id: int,
    body: EmployerUpdate,
    version: Version,
    principal: CurrentPrincipal,
    conn: DbConn,
    response: Response,
) -> dict[str, Any]:
    """Change an employer (coordinator, admin); needs If-Match. Reassigning ``responsible_coordinator`` is
    recorded with who made it; it must be a coordinator of the area (else 422, nothing written)."""
    require(principal, *COORDINATION)
    return with_etag(response, service.update_employer(conn, principal, employer_id, version, body))


@router.post(
    "/employers/{employer_id}/archive",
    tags=["employers"],
    response_model=Employer,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
def archive_employer(
    employer_id: int, version: Version, principal: CurrentPrincipal, conn: DbConn, response: Response
) -> dict[str, Any]:
    """Archive an employer (coordinator, admin); needs If-Match."""
    require(principal, *COORDINATION)
    return with_etag(response, service.archive_employer(conn, principal, employer_id, version))


@router.get(
    "/employers/{employer_id}/coordinator",
    tags=["employers"],
    response_model=EmployerCoordinator,
    responses=problem_responses(401, 403, 404, 422),
)
def employer_coordinator(employer_id: int, principal: CurrentPrincipal, conn: DbConn) -> dict[str, Any]:
    """The employer's responsible coordinator with their contact details (every role; an employer user
    their own organisation's); staff also get the reassignments, newest first."""
    employer = service.get_employer(conn, principal, employer_id)
    coordinator = field_work.coordinator_of(conn, principal.area_id, employer["responsible_coordinator"])
    staff = principal.role in STAFF
    history = field_work.reassignments(conn, principal.area_id, employer_id) if staff else []
    return {"employer_id": employer_id, "coordinator": coordinator, "reassignments": history}


# Area settings -------------------------------------------------------------------------------------


@router.get(
    "/area-settings",
    tags=["area"],
    response_model=AreaSettings,
    responses=problem_responses(401, 403, 422),
)
def get_area_settings(principal: CurrentPrincipal, conn: DbConn) -> dict[str, Any]:
    """The area's settings, e.g. whether caseworkers may log employer contacts and record needs (staff)."""
    require(principal, *STAFF)
    return field_work.area_settings(conn, principal.area_id)


@router.put(
    "/area-settings",
    tags=["area"],
    response_model=AreaSettings,
    responses=problem_responses(401, 403, 413, 422),
)
def put_area_settings(body: AreaSettingsUpdate, principal: CurrentPrincipal, conn: DbConn) -> dict[str, Any]:
    """Change the area's settings (admin)."""
    require(principal, Role.ADMIN)
    return field_work.update_area_settings(conn, principal, body.caseworker_field_work)


# Contacts ------------------------------------------------------------------------------------------


@router.post(
    "/employers/{employer_id}/contacts",
    status_code=201,
    tags=["contacts"],
    responses=rendered_reply(Contact, 201) | problem_responses(401, 403, 404, 409, 413, 422),
)
def create_contact(
    employer_id: int,
    body: ContactCreate,
    request: Request,
    principal: CurrentPrincipal,
    conn: DbConn,
    key: IdempotencyKey = None,
) -> JSONResponse:
    """Log a contact with an employer (coordinator, admin; a caseworker unless the area's settings
    switch field work by caseworkers off: 403)."""
    require(principal, *FIELD_WORKERS)
    fingerprint = request_fingerprint(request, body)

    def produce() -> tuple[int, Any, dict[str, str]]:
        row = service.create_contact(conn, principal, employer_id, body)
        return _created(row, f"/api/v1/contacts/{row['id']}")

    return idempotent_create(conn, principal, key, fingerprint, produce)


@router.get(
    "/contacts",
    tags=["contacts"],
    response_model=Page[Contact],
    responses=problem_responses(401, 403, 422),
)
def list_contacts(
    principal: CurrentPrincipal,
    conn: DbConn,
    params: Paging,
    filters: Annotated[ContactFilters, Query()],
) -> dict[str, Any]:
    """The contact log of the area; ``due_before`` lists next steps due (coordinator, admin)."""
    require(principal, *COORDINATION)
    items, total = service.list_contacts(conn, principal, filters, params)
    return page(items, total, params)


# ":int": /contacts/due (placements) is not a contact, whatever the method (PATCH /contacts/due is a 405).
@router.get(
    "/contacts/{contact_id:int}",
    tags=["contacts"],
    response_model=Contact,
    responses=problem_responses(401, 403, 404, 422),
)
def get_contact(
    contact_id: int, principal: CurrentPrincipal, conn: DbConn, response: Response
) -> dict[str, Any]:
    """One contact log entry (coordinator, admin)."""
    require(principal, *COORDINATION)
    return with_etag(response, service.get_contact(conn, principal, contact_id))


@router.patch(
    "/contacts/{contact_id:int}",
    tags=["contacts"],
    response_model=Contact,
    responses=problem_responses(401, 403, 404, 412, 413, 422, 428),
)
def update_contact(
    contact_id: int,
    body: ContactUpdate,
    version: Version,
    principal: CurrentPrincipal,
    conn: DbConn,
    response: Response,
) -> dict[str, Any]:
    """Change a contact log entry; needs If-Match."""
    require(principal, *COORDINATION)
    return with_etag(response, service.update_contact(conn, principal, contact_id, version, body))


@router.post(
    "/contacts/{contact_id}/archive",
    tags=["contacts"],
    response_model=Contact,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
def archive_contact(
    contact_id: int, version: Version, principal: CurrentPrincipal, conn: DbConn, response: Response
) -> dict[str, Any]:
    """Archive a contact log entry; needs If-Match."""
    require(principal, *COORDINATION)
    return with_etag(response, service.archive_contact(conn, principal, contact_id, version))


@router.post(
    "/contacts/{contact_id:int}/next-step/done",
    tags=["contacts"],
    response_model=Contact,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def mark_next_step_done(
    contact_id: int, principal: CurrentPrincipal, conn: DbConn, response: Response
) -> dict[str, Any]:
    """Mark the contact's agreed next step done (coordinator, admin): it leaves the due list and the
    reminders. Again: nothing changes. A contact without a next step is a 409."""
    require(principal, *COORDINATION)
    return with_etag(response, service.mark_next_step_done(conn, principal, contact_id))


# Needs ---------------------------------------------------------------------------------------------


@router.post(
    "/needs",
    status_code=201,
    tags=["needs"],
    responses=rendered_reply(Need, 201) | problem_responses(401, 403, 404, 409, 413, 422),
)
def create_need(
    body: NeedCreate, request: Request, principal: CurrentPrincipal, conn: DbConn, key: IdempotencyKey = None
) -> JSONResponse:
    """Record a need (coordinator, admin; a caseworker unless the area's settings switch field work by
    caseworkers off: 403) or post one's own (employer)."""
    require(principal, *NEED_RECORDERS)
    fingerprint = request_fingerprint(request, body)

    def produce() -> tuple[int, Any, dict[str, str]]:
        row = service.create_need(conn, principal, body)
        return _created(row, f"/api/v1/needs/{row['id']}")

    return idempotent_create(conn, principal, key, fingerprint, produce)


@router.get(
    "/needs",
    tags=["needs"],
    response_model=Page[Need],
    responses=problem_responses(401, 403, 422),
)
def list_needs(
    principal: CurrentPrincipal,
    conn: DbConn,
    params: Paging,
    filters: Annotated[NeedFilters, Query()],
) -> dict[str, Any]:
    """Needs of the area; an employer user sees only their own organisation's."""
    require(principal, *READERS)
    items, total = service.list_needs(conn, principal, filters, params)
    return page(items, total, params)


@router.get(
    "/needs/{need_id}",
    tags=["needs"],
    response_model=Need,
    responses=problem_responses(401, 403, 404, 422),
)
def get_need(need_id: int, principal: CurrentPrincipal, conn: DbConn, response: Response) -> dict[str, Any]:
    """One need."""
    return with_etag(response, service.get_need(conn, principal, need_id))


@router.patch(
    "/needs/{need_id}",
    tags=["needs"],
    response_model=Need,
    responses=problem_responses(401, 403, 404, 409, 412, 413, 422, 428),
)
def update_need(
    need_id: int,
    body: NeedUpdate,
    version: Version,
    principal: CurrentPrincipal,
    conn: DbConn,
    response: Response,
) -> dict[str, Any]:
    """Change a need (coordinator, admin, its own employer); needs If-Match."""
    require(principal, *NEED_WRITERS)
    return with_etag(response, service.update_need(conn, principal, need_id, version, body))


@router.post(
    "/needs/{need_id}/archive",
    tags=["needs"],
    response_model=Need,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
def archive_need(
    need_id: int, version: Version, principal: CurrentPrincipal, conn: DbConn, response: Response
) -> dict[str, Any]:
    """Archive a need (coordinator, admin, its own employer); needs If-Match."""
    require(principal, *NEED_WRITERS)
    return with_etag(response, service.archive_need(conn, principal, need_id, version))
