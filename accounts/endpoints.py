"""Sign-in, the current user, the area and its users."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request

from accounts import care, service, signin_limits
from accounts.models import Role
from accounts.schemas import (
    Area,
    Me,
    MunicipalityAdd,
    PasswordChange,
    PasswordReset,
    ResetLinkReply,
    TokenRequest,
    TokenResponse,
    User,
    UserCreate,
    UserUpdate,
)
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


@router.get("/users/{user_id}", response_model=User, responses=problem_responses(401, 403, 404, 422))
def get_user(user_id: int, conn: DbConn, principal: CurrentPrincipal) -> dict[str, Any]:
    """A user of the admin's area (another area's user is not found)."""
    require(principal, Role.ADMIN)
    return care.get_user(conn, principal.area_id, user_id)


@router.patch(
    "/users/{user_id}", response_model=User, responses=problem_responses(401, 403, 404, 409, 413, 422)
)
def update_user(user_id: int, body: UserUpdate, conn: DbConn, principal: CurrentPrincipal) -> dict[str, Any]:
    """Change a user of the admin's area: name, email, role, employer, active. ``active: false``
    deactivates the user: their sessions and tokens stop working at once. An admin cannot change their
    own role nor deactivate themselves."""
    require(principal, Role.ADMIN)
    given = body.model_fields_set
    changes = care.UserChanges(
        display_name=body.display_name,
        email=body.email,
        role=body.role,
        employer_id=body.employer_id,
        set_employer="employer_id" in given,
        active=body.active,
    )
    return care.update_user(conn, principal, user_id, changes)


@router.post(
    "/users/{user_id}/password-reset",
    status_code=201,
    response_model=ResetLinkReply,
    responses=problem_responses(401, 403, 404, 409, 422),
)
def issue_reset_link(
    user_id: int, request: Request, conn: DbConn, principal: CurrentPrincipal
) -> ResetLinkReply:
    """A one-time link with which the user sets a new password (24 hours, once; a new link replaces an
    earlier unused one). Give it to the user: it is shown here once and never stored."""
    require(principal, Role.ADMIN)
    link = care.issue_reset_link(conn, principal, user_id)
    return ResetLinkReply(url=link.url(str(request.base_url)), expires_at=link.expires_at)


@router.post("/auth/password-reset", status_code=204, responses=problem_responses(413, 422))
def reset_password(body: PasswordReset, conn: DbConn) -> None:
    """Set a new password with the token of a reset link (no sign-in needed). The link is used up and
    every session and token of the user ends; an unknown, used or expired token is a 422 on ``token``."""
    care.use_reset_link(conn, body.token, body.new_password)


@router.post("/me/password", status_code=204, responses=problem_responses(401, 403, 413, 422))
def change_password(
    body: PasswordChange,
    conn: DbConn,
    principal: CurrentPrincipal,
    authorization: Annotated[str, Header()],
) -> None:
    """Change one's own password (the current one is required). Every other token and web session of
    the user ends; the token of this request keeps working."""
    care.change_own_password(
        conn,
        principal,
        body.current_password,
        body.new_password,
        keep_token=authorization[7:].strip(),
    )
