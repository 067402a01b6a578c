"""Who may see which jobseeker: the one rule that jobseekers, matching and placements apply.

A jobseeker is seen by the staff of their employment area: coordinators and admins see every jobseeker of
the area, a caseworker only their own clients, an employer user none (an employer learns of a candidate
only through the intro card of a proposal made to them, which placements decides). Of those who see a
jobseeker, the own caseworker and admins change the record; work-capacity details and assessments are
the own caseworker's alone (and the operator's, whose commands export them). The own caseworker and
admins also hand the person everything held about them (the right of access). Whoever may not see a
jobseeker is answered 404, whatever the reason: a 403 would tell them that the jobseeker exists.

A jobseeker erased on request (``erased_at`` set, :mod:`privacy.erasure`) is still seen, pseudonymously,
but never changed again: every write to the record goes through :func:`check_editable`, which refuses it
with :class:`JobseekerErased` (409), so no one can put personal data back into an erased record.

The checks take a row that carries the jobseeker's ``area_id`` and ``caseworker_id``: a jobseeker row, or
a row of another domain read with its jobseeker's caseworker (see :func:`caseworker_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from accounts.models import CASE_HANDLERS, Principal, Role
from core.db import Conn
from core.errors import Conflict, Forbidden, NotFound

Row = TypeVar("Row", bound=Mapping[str, Any])


class JobseekerErased(Conflict):
    type = "jobseeker-erased"
    title = "The jobseeker's data has been erased"


def subject(conn: Conn, jobseeker_id: int) -> dict[str, Any] | None:
    """What this rule needs of a jobseeker (``area_id``, ``caseworker_id``, ``erased_at``), or None when
    there is none: for a check that needs nothing else of the record."""
    return conn.execute(
        "SELECT area_id, caseworker_id, erased_at FROM jobseekers WHERE id = %s", (jobseeker_id,)
    ).fetchone()


def may_see(principal: Principal, row: Mapping[str, Any]) -> bool:
    """True when the principal may see the jobseeker of ``row``."""
    if row["area_id"] != principal.area_id or principal.role is Role.EMPLOYER:
        return False
    return principal.role is not Role.CASEWORKER or row["caseworker_id"] == principal.user_id


def check_visible(principal: Principal, row: Row | None) -> Row:
    """``row`` when it exists and the principal may see its jobseeker; 404 otherwise."""
    if row is None or not may_see(principal, row):
        raise NotFound("jobseeker not found")
    return row


def check_editable(principal: Principal, row: Row | None, *, own_client: bool = False) -> Row:
    """``row`` when the principal may change the jobseeker's record: the own caseworker or an admin (with
    ``own_client``, the own caseworker only, 404 for everyone else); 404 when they may not see the
    jobseeker, 403 when they only see it; 409 (:class:`JobseekerErased`) when the jobseeker was erased.

    Every write to a jobseeker's record, in any domain, passes here; ``row`` carries ``erased_at``."""
    if own_client:
        checked = check_own_client(principal, row)
    else:
        checked = check_visible(principal, row)
        if principal.role not in CASE_HANDLERS:
            raise Forbidden("only the client's own caseworker or an admin changes a jobseeker's record")
    refuse_erased(checked)
    return checked


def refuse_erased(row: Mapping[str, Any]) -> None:
    """409 (:class:`JobseekerErased`) when the jobseeker of ``row`` was erased: nothing is written about
    them again. For a write that names the person without changing their record (an invitation)."""
    if row["erased_at"] is not None:
        raise JobseekerErased(
            "the jobseeker's personal data was erased on request; the record can no longer be changed"
        )


def own_client(principal: Principal, row: Mapping[str, Any]) -> bool:
    """True when the principal is the jobseeker's own caseworker."""
    return principal.role is Role.CASEWORKER and may_see(principal, row)


def check_own_client(principal: Principal, row: Row | None) -> Row:
    """``row`` when the principal is the jobseeker's own caseworker (work capacity, assessments); 404
    otherwise."""
    if row is None or not own_client(principal, row):
        raise NotFound("jobseeker not found")
    return row


def check_case_handler(principal: Principal, row: Row | None) -> Row:
    """``row`` when the principal handles the jobseeker's case as a whole: their own caseworker, or an
    admin of the area (the operator of a command included); 404 for everyone else. Whoever may hand the
    person everything held about them, or erase them."""
    if row is None:
        raise NotFound("jobseeker not found")
    if not (own_client(principal, row) or (principal.role is Role.ADMIN and may_see(principal, row))):
        raise NotFound("jobseeker not found")
    return row


def sees_health(principal: Principal, row: Mapping[str, Any]) -> bool:
    """True when the principal may read the jobseeker's work-capacity details and assessments: their own
    caseworker, and the operator of a command (the command line is the operator's tool, as exports
    are); no one else."""
    return own_client(principal, row) or (principal.operator is not None and may_see(principal, row))


def caseworker_scope(principal: Principal) -> int | None:
    """The caseworker to whose clients a search or ranking of jobseekers is limited: the principal when
    they are a caseworker, None when they see the whole area."""
    return principal.user_id if principal.role is Role.CASEWORKER else None


def visible_where(principal: Principal, *, via: str | None = None) -> list[tuple[str, Any]]:
    """List conditions (for :func:`core.sql.list_rows`) that keep only jobseekers the principal may see.

    On the jobseekers table itself (``via`` None), or on a table of the area whose ``via`` column holds
    the jobseeker's id (a name from code, never from input). An employer user is given none.
    """
    if principal.role is Role.EMPLOYER:
        return [("false", None)]
    where: list[tuple[str, Any]] = [("area_id = %s", principal.area_id)]
    scope = caseworker_scope(principal)
    if scope is not None:
        if via is None:
            where.append(("caseworker_id = %s", scope))
        else:
            # The jobseekers domain offers no list of a caseworker's clients; this one subquery is it.
            where.append((f"{via} IN (SELECT id FROM jobseekers WHERE caseworker_id = %s)", scope))
    return where


def caseworker_of(jobseeker_id: str) -> str:
    """A select-list item: the caseworker of the jobseeker whose id is in column ``jobseeker_id`` (a name
    from code), as ``caseworker_id``, for reading another domain's row together with what this rule needs."""
    return f"(SELECT caseworker_id FROM jobseekers j WHERE j.id = {jobseeker_id}) AS caseworker_id"
