"""Consents a jobseeker has given and withdrawn: what they agreed to share, generally or with one employer.

Two scopes, each gating one disclosure to an employer (given for one employer of the area, or for any):

- ``share_profile``: the pseudonymous intro card may be sent, that is, the jobseeker may be proposed to
  the employer (:func:`has_sharing_consent`, checked when a proposal is made: withdrawing it stops new
  proposals; cards already sent stay with their proposals until the person is erased);
- ``disclose_identity``: the name and contact details may be told to an employer who answered
  interested (:func:`has_disclosure_consent`).

The own caseworker or an admin records and withdraws them; anyone who may see the jobseeker reads them
(:mod:`jobseekers.access`), and every read or change is audited.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Principal
from core.db import Conn
from core.errors import Conflict, NotFound, ValidationFailed
from core.paging import PageParams
from core.signals import Event, EventKind, emit
from core.sql import insert_row, list_rows, order_by
from employers import service as employers
from jobseekers import access
from jobseekers.audit import record_access, record_operator_access
from jobseekers.schemas import CONSENT_SORTS, ConsentCreate, ConsentFilters, ConsentScope


def _consent_record(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "active": row["withdrawn_at"] is None}


def record_consent(
    conn: Conn, principal: Principal, jobseeker_id: int, data: ConsentCreate, reason: str
) -> dict[str, Any]:
    """Record what the jobseeker agreed to share, generally or with one employer of the area.

    Own caseworker or admin. 409 when the same consent is already in force.
    """
    access.check_editable(principal, access.subject(conn, jobseeker_id))
    if data.employer_id is not None:
        try:
            employers.get_employer(conn, principal, data.employer_id)
        except NotFound:
            raise ValidationFailed("employer not found in this area", field="employer_id") from None
    # Serialise consent changes of one jobseeker so that two clicks cannot record the same consent twice.
    conn.execute("SELECT 1 FROM jobseekers WHERE id = %s FOR UPDATE", (jobseeker_id,))
    duplicate = conn.execute(
        "SELECT 1 FROM consents WHERE jobseeker_id = %s AND scope = %s"
        " AND employer_id IS NOT DISTINCT FROM %s AND withdrawn_at IS NULL",
        (jobseeker_id, data.scope.value, data.employer_id),
    ).fetchone()
    if duplicate is not None:
        raise Conflict("this consent is already in force", field="scope")
    row = insert_row(
        conn,
        "consents",
        {
            "jobseeker_id": jobseeker_id,
            "scope": data.scope.value,
            "employer_id": data.employer_id,
            "recorded_by": principal.user_id,
        },
    )
    record_access(conn, principal, [jobseeker_id], "consent_record", reason)
    _tell(conn, principal, "consent_given", row)
    return _consent_record(row)


def _tell(conn: Conn, principal: Principal, kind: EventKind, row: dict[str, Any]) -> None:
    """Tell who follows the jobseeker that a consent was given or withdrawn (:mod:`core.signals`)."""
    ids = {"consent_id": row["id"], "jobseeker_id": row["jobseeker_id"], "scope": row["scope"]}
    emit(conn, Event(kind, principal.area_id, principal.user_id, ids))


def withdraw_consent(
    conn: Conn, principal: Principal, jobseeker_id: int, consent_id: int, reason: str
) -> dict[str, Any]:
    """Withdraw a consent (own caseworker or admin); withdrawing it again changes nothing."""
    access.check_editable(principal, access.subject(conn, jobseeker_id))
    before = conn.execute(
        "SELECT withdrawn_at FROM consents WHERE id = %s AND jobseeker_id = %s FOR UPDATE",
        (consent_id, jobseeker_id),
    ).fetchone()
    already_withdrawn = before is not None and before["withdrawn_at"] is not None
    row = conn.execute(
        "UPDATE consents SET withdrawn_at = coalesce(withdrawn_at, now())"
        " WHERE id = %s AND jobseeker_id = %s RETURNING *",
        (consent_id, jobseeker_id),
    ).fetchone()
    if row is None:
        raise NotFound("consent not found")
    record_access(conn, principal, [jobseeker_id], "consent_withdraw", reason)
    if row["withdrawn_at"] is not None and not already_withdrawn:
        _tell(conn, principal, "consent_withdrawn", row)
    return _consent_record(row)


def list_consents(
    conn: Conn,
    principal: Principal,
    jobseeker_id: int,
    filters: ConsentFilters,
    page: PageParams,
    *,
    reason: str,
) -> tuple[list[dict[str, Any]], int]:
    """Consents given and withdrawn, for anyone who may see the jobseeker (audited)."""
    access.check_visible(principal, access.subject(conn, jobseeker_id))
    where: list[tuple[str, Any]] = [("jobseeker_id = %s", jobseeker_id)]
    if filters.active_only:
        where.append(("withdrawn_at IS NULL", None))
    ordering = order_by(filters.sort, CONSENT_SORTS, "-given_at")
    rows, total = list_rows(conn, "consents", where, ordering, page.limit, page.offset)
    record_access(conn, principal, [jobseeker_id], "consents_read", reason)
    return [_consent_record(r) for r in rows], total


def consents_of(conn: Conn, jobseeker_id: int) -> list[dict[str, Any]]:
    """Every consent the jobseeker gave, oldest first, whoever asks: for a caller that has applied
    :mod:`jobseekers.access` and audits the read."""
    rows = conn.execute(
        "SELECT * FROM consents WHERE jobseeker_id = %s ORDER BY given_at, id", (jobseeker_id,)
    ).fetchall()
    return [_consent_record(r) for r in rows]


def _in_force(conn: Conn, scope: ConsentScope, jobseeker_id: int, employer_id: int) -> bool:
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM consents WHERE jobseeker_id = %s AND scope = %s"
        " AND withdrawn_at IS NULL AND (employer_id IS NULL OR employer_id = %s)) AS ok",
        (jobseeker_id, scope.value, employer_id),
    ).fetchone()
    return bool(row and row["ok"])


def has_disclosure_consent(conn: Conn, jobseeker_id: int, employer_id: int) -> bool:
    """True when the jobseeker's identity may be disclosed to ``employer_id``.

    That takes a ``disclose_identity`` consent not withdrawn, given for that employer or for any.
    """
    return _in_force(conn, ConsentScope.DISCLOSE_IDENTITY, jobseeker_id, employer_id)


def has_sharing_consent(conn: Conn, jobseeker_id: int, employer_id: int) -> bool:
    """True when the jobseeker's intro card may be sent to ``employer_id`` (they may be proposed there).

    That takes a ``share_profile`` consent not withdrawn, given for that employer or for any.
    """
    return _in_force(conn, ConsentScope.SHARE_PROFILE, jobseeker_id, employer_id)


def record_standing_consents(conn: Conn, area_id: int, scope: ConsentScope, operator: str) -> int:
    """Record ``scope``, for any employer, for every jobseeker of the area that has none in force (not
    erased); returns how many were recorded. For a loader whose people have all given it (the demo area);
    each one recorded is audited in the name of ``operator``, the operating-system user running it."""
    rows = conn.execute(
        "INSERT INTO consents (jobseeker_id, scope) SELECT j.id, %s FROM jobseekers j"
        " WHERE j.area_id = %s AND j.erased_at IS NULL AND NOT EXISTS (SELECT 1 FROM consents c"
        " WHERE c.jobseeker_id = j.id AND c.scope = %s AND c.withdrawn_at IS NULL AND c.employer_id IS NULL)"
        " ORDER BY j.id RETURNING jobseeker_id",
        (scope.value, area_id, scope.value),
    ).fetchall()
    recorded = [r["jobseeker_id"] for r in rows]
    record_operator_access(conn, area_id, recorded, "consent_record", "standing consent", operator)
    return len(recorded)
