"""HTTP edge of the inbox: the user's own notices, their unread counts, marking them read, and which of
them reach e-mail. Every role has an inbox; each user sees only their own."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import CurrentPrincipal, DbConn
from api.http import Paging, page
from api.problems import problem_responses
from core.paging import Page
from notifications import service
from notifications.schemas import MarkedRead, Notice, NoticeFilters, Preferences, PreferencesIn, UnreadCounts

router = APIRouter(tags=["notifications"])


@router.get("/notifications", response_model=Page[Notice], responses=problem_responses(401, 403, 422))
def list_notices(
    principal: CurrentPrincipal, conn: DbConn, paging: Paging, filters: Annotated[NoticeFilters, Query()]
) -> dict[str, Any]:
    """The user's own notices, newest first (``unread_only`` keeps the unread ones)."""
    items, total = service.list_notices(conn, principal, filters, paging)
    return page(items, total, paging)


@router.get("/notifications/unread", response_model=UnreadCounts, responses=problem_responses(401, 403))
def unread(principal: CurrentPrincipal, conn: DbConn) -> dict[str, Any]:
    """How many of the user's notices are unread, in all and by kind."""
    return service.unread_counts(conn, principal)


@router.post("/notifications/read-all", response_model=MarkedRead, responses=problem_responses(401, 403))
def mark_all_read(principal: CurrentPrincipal, conn: DbConn) -> dict[str, int]:
    """Mark every notice of the user read."""
    return {"marked": service.mark_all_read(conn, principal)}


@router.post(
    "/notifications/{notice_id}/read", response_model=Notice, responses=problem_responses(401, 403, 404, 422)
)
def mark_read(notice_id: int, principal: CurrentPrincipal, conn: DbConn) -> dict[str, Any]:
    """Mark one of the user's notices read (marking it again changes nothing); 404 for anyone else's."""
    return service.mark_read(conn, principal, notice_id)


@router.get("/notifications/preferences", response_model=Preferences, responses=problem_responses(401, 403))
def get_preferences(principal: CurrentPrincipal, conn: DbConn) -> dict[str, Any]:
    """Which kinds of notice reach the user's e-mail, and in which language."""
    return service.get_preferences(conn, principal)


@router.put(
    "/notifications/preferences", response_model=Preferences, responses=problem_responses(401, 403, 413, 422)
)
def put_preferences(body: PreferencesIn, principal: CurrentPrincipal, conn: DbConn) -> dict[str, Any]:
    """Choose which kinds of notice reach e-mail (kinds left out keep their choice) and the language."""
    return service.set_preferences(conn, principal, body)
