"""Sign-in, the current user, the area and its users."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from accounts import service, signin_limits
from accounts.models import Role
from accounts.schemas import Area, Me, MunicipalityAdd, TokenRequest, TokenResponse, User, UserCreate
from api.deps import CurrentPrincipal, DbConn, autocommit_connection, require
from api.http import Paging, page
from api.problems import problem_responses
from core.paging import Page

router = APIRouter(tags=["accounts"])


@router.post("/auth/token", response_model=TokenResponse, responses=problem_responses(401, 413, 422, 429))
def sign_in(body: TokenRequest, request: Request) -> TokenResponse:
    """Exchange email and password for an expiring bearer token.

    At most five failed attempts per email and twenty per client address in five minutes, counted
    together with the sign-in page; past them, 429 with Retry-After.
    """
    client_address = request.client.host if request.client else "unknown"
    # Not the request's transaction (DbConn): the attempt is counted in a transaction committed before
    # the password check, so that a failed sign-in, which rolls a request back, stays counted.
    with autocommit_connection(request) as conn:
        user = signin_limits.sign_in(conn, body.email, body.password, client_address)
        ttl = timedelta(hours=request.app.state.settings.token_ttl_hours)
        with conn.transaction():
            token, expires = service.issue_token(conn, user["id"], ttl)
    return TokenResponse(access_token=token, expires_at=expires, role=Role(user["role"]))


@router.delete("/auth/token", status_code=204, responses=problem_responses(401, 403, 422))
def sign_out(conn: DbConn, principal: CurrentPrincipal, authorization: Annotated[str, Header()]) -> None:
    """Revoke the token used for this request."""
    service.revoke_token(conn, authorization[7:].strip())


@router.get("/me", response_model=Me, responses=problem_responses(401, 403))
def me(principal: CurrentPrincipal) -> dict[str, Any]:
    """Who the token belongs to."""
    return {
        "user_id": principal.user_id,
        "area_id": principal.area_id,
        "role": principal.role,
        "display_name": principal.display_name,
        "employer_id": principal.employer_id,
    }


@router.get("/area", response_model=Area, responses=problem_responses(401, 403))
def current_area(conn: DbConn, principal: CurrentPrincipal) -> dict[str, Any]:
    """The caller's employment area and its municipalities."""
    return service.get_area(conn, principal.area_id)


@router.post(
    "/area/municipalities",
    status_code=201,
    response_model=Area,
    responses=problem_responses(401, 403, 413, 422),
)
def add_municipality(body: MunicipalityAdd, conn: DbConn, principal: CurrentPrincipal) -> dict[str, Any]:
    """Attach a municipality to the area (admin)."""
    require(principal, Role.ADMIN)
    service.add_area_municipality(conn, principal.area_id, body.municipality)
    return service.get_area(conn, principal.area_id)


@router.get("/users", response_model=Page[User], responses=problem_responses(401, 403, 422))
def list_users(conn: DbConn, principal: CurrentPrincipal, params: Paging) -> dict[str, Any]:
    """Users of the area (admin)."""
    require(principal, Role.ADMIN)
    items, total = service.list_users(conn, principal.area_id, limit=params.limit, offset=params.offset)
    return page(items, total, params)


@router.post(
    "/users", status_code=201, response_model=User, responses=problem_responses(401, 403, 409, 413, 422)
)
def create_user(body: UserCreate, conn: DbConn, principal: CurrentPrincipal) -> dict[str, Any]:
    """Create a user in the admin's own area."""
    require(principal, Role.ADMIN)
    return service.create_user(
        conn,
        area_id=principal.area_id,
        email=body.email,
        display_name=body.display_name,
        role=body.role,
        password=body.password,
        employer_id=body.employer_id,
    )
