"""Request-scoped dependencies: one transaction per request, and who is asking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from psycopg_pool import ConnectionPool

from accounts import service as accounts
from accounts.models import Principal, Role
from core.db import Conn
from core.errors import Forbidden, Unauthorized


def get_pool(request: Request) -> ConnectionPool[Conn]:
    pool: ConnectionPool[Conn] = request.app.state.pool
    return pool


def get_conn(request: Request) -> Iterator[Conn]:
    """The request's connection, inside one transaction committed when the endpoint succeeds."""
    pool = get_pool(request)
    with pool.connection() as conn, conn.transaction():
        yield conn


# "function" scope: the transaction ends (is committed) before the reply is sent, so a client that reads
# right after a success sees its write, and a failed commit is answered as an error, not as a success.
DbConn = Annotated[Conn, Depends(get_conn, scope="function")]


def get_principal(conn: DbConn, authorization: Annotated[str | None, Header()] = None) -> Principal:
    """The principal of the bearer token, or 401."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("send a bearer token from POST /api/v1/auth/token")
    return accounts.principal_for_token(conn, authorization[7:].strip())


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require(principal: Principal, *roles: Role) -> None:
    """403 unless the principal has one of ``roles``."""
    if principal.role not in roles:
        raise Forbidden(f"this action is not open to the {principal.role.value} role")


STAFF = (Role.COORDINATOR, Role.CASEWORKER, Role.ADMIN)
