"""Request-scoped dependencies: one transaction per request, and who is asking."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

import psycopg
from fastapi import Depends, Header, Request
from psycopg_pool import ConnectionPool
from starlette.concurrency import run_in_threadpool

from accounts import service as accounts
from accounts.models import Principal, Role
from core.db import Conn, forget_actor
from core.errors import Forbidden, Unauthorized


def get_pool(request: Request) -> ConnectionPool[Conn]:
    pool: ConnectionPool[Conn] = request.app.state.pool
    return pool


@contextmanager
def request_transaction(request: Request) -> Iterator[Conn]:
    """A pooled connection inside one transaction, committed when the block succeeds."""
    with get_pool(request).connection() as conn, conn.transaction():
        yield conn


def get_conn(request: Request) -> Iterator[Conn]:
    """The request's connection, inside one transaction committed when the endpoint succeeds."""
    with request_transaction(request) as conn:
        yield conn


# "function" scope: the transaction ends (is committed) before the reply is sent, so a client that reads
# right after a success sees its write, and a failed commit is answered as an error, not as a success.
DbConn = Annotated[Conn, Depends(get_conn, scope="function")]


def get_principal(conn: DbConn, authorization: Annotated[str | None, Header()] = None) -> Principal:
    """The principal of the bearer token, or 401; the request's queries then see its area's rows only."""
    if not authorization or not authorization.lower().startswith("bearer "):
        raise Unauthorized("send a bearer token from POST /api/v1/auth/token")
    principal = accounts.principal_for_token(conn, authorization[7:].strip())
    accounts.act_for(conn, principal)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


T = TypeVar("T")


@contextmanager
def autocommit_connection(request: Request) -> Iterator[Conn]:
    """A pooled connection in autocommit mode (each statement commits on its own), handed back as the
    pool lends them: not in autocommit, and naming nobody (who was asking is named for the session here,
    :func:`accounts.service.act_for`)."""
    with get_pool(request).connection() as conn:
        conn.autocommit = True
        try:
            yield conn
        finally:
            try:
                forget_actor(conn)
                conn.autocommit = False
            except psycopg.Error:
                conn.close()  # the pool replaces a closed connection: none goes back naming somebody


async def in_one_thread_hop(
    request: Request, authorization: str | None, roles: tuple[Role, ...], work: Callable[[Conn, Principal], T]
) -> T:
    """What ``DbConn`` + ``CurrentPrincipal`` + a sync endpoint do, in one worker-thread hop, in autocommit.

    FastAPI runs each sync dependency in the thread pool on its own (the transaction's opening and its
    close, the token lookup, the endpoint: four hops). The rankings, the busiest endpoints, spent ~0.5 ms
    of CPU a request on those hops (~10 % of their throughput at 100 000, bench/results/PROFILE.md); they
    call this instead. Same 401/403, same errors.

    No transaction: BEGIN and COMMIT were two of a ranking's six round trips. ``work`` must therefore
    read first and make its one write last (a ranking's audit row), so that a failed write fails the
    reply and nothing is left half-written; a write that may stand alone (a refreshed vector) may come
    earlier. Without a transaction, who is asking is named for the session and forgotten before the
    connection goes back (:func:`autocommit_connection`): two round trips, where a transaction takes three
    (BEGIN, naming, COMMIT).
    """

    def run() -> T:
        with autocommit_connection(request) as conn:
            principal = get_principal(conn, authorization)
            require(principal, *roles)
            return work(conn, principal)

    return await run_in_threadpool(run)


def require(principal: Principal, *roles: Role) -> None:
    """403 unless the principal has one of ``roles``."""
    if principal.role not in roles:
        raise Forbidden(f"this action is not open to the {principal.role.value} role")
