"""Referrals of a client to a service of the area's actor map, with start, end and outcome.

The own caseworker refers their client and records how the service ended; staff who see the jobseeker
read the referrals (a referral is no health record: the service is named, never why). Refused, with
nothing written: a provider of another area (or none), a service the provider does not offer, an end
before the start, an outcome before the end, and anyone but the client's own caseworker.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from accounts.models import Principal, Role
from core import clock
from core.db import Conn
from core.errors import Forbidden, NotFound, ValidationFailed
from core.paging import PageParams
from core.sql import paged_rows, update_versioned
from jobseekers import access
from jobseekers.audit import record_access
from services.schemas import ReferralIn, ReferralUpdate

_SELECT = (
    "SELECT r.*, p.name AS provider_name FROM referrals r JOIN service_providers p ON p.id = r.provider_id"
)


def _check_own_caseworker(conn: Conn, principal: Principal, jobseeker_id: int) -> None:
    if principal.role is not Role.CASEWORKER:
        raise Forbidden("only the client's own caseworker refers them to a service")
    access.check_editable(principal, access.subject(conn, jobseeker_id), own_client=True)


def check_dates(starts_on: date, ends_on: date | None, outcome: object) -> None:
    """Refuse a start before 2000 or over a year ahead, an end before the start or over five years after
    it, and an outcome before the end (422 naming the field)."""
    today = clock.today()
    if not date(2000, 1, 1) <= starts_on <= today + timedelta(days=366):
        raise ValidationFailed("a service starts between 2000 and a year from today", field="starts_on")
    if ends_on is not None:
        if ends_on < starts_on:
            raise ValidationFailed("a service cannot end before it starts", field="ends_on")
        if ends_on > starts_on + timedelta(days=5 * 366):
            raise ValidationFailed("a referral lasts at most five years", field="ends_on")
    if outcome is not None and ends_on is None:
        raise ValidationFailed("an outcome is recorded once the service has ended", field="outcome")


def _offered(conn: Conn, principal: Principal, provider_id: int, service: str) -> None:
    provider = conn.execute(
        "SELECT services, archived FROM service_providers WHERE id = %s AND area_id = %s",
        (provider_id, principal.area_id),
    ).fetchone()
    if provider is None or provider["archived"]:
        raise ValidationFailed("no provider of the area has this id", field="provider_id")
    if service not in provider["services"]:
        raise ValidationFailed("the provider does not offer this service", field="service")


def _one(conn: Conn, referral_id: int) -> dict[str, Any]:
    row = conn.execute(_SELECT + " WHERE r.id = %s", (referral_id,)).fetchone()
    assert row is not None
    return row


def refer(
    conn: Conn, principal: Principal, jobseeker_id: int, data: ReferralIn, reason: str
) -> dict[str, Any]:
    """Refer the client to a provider's service (own caseworker only: 403 for other roles, 404 for a
    colleague's client); 422 naming the field for another area's provider or a service it does not
    offer, and for dates out of order."""
    _check_own_caseworker(conn, principal, jobseeker_id)
    _offered(conn, principal, data.provider_id, data.service.value)
    check_dates(data.starts_on, data.ends_on, data.outcome)
    row = conn.execute(
        "INSERT INTO referrals (area_id, jobseeker_id, provider_id, service, starts_on, ends_on, outcome,"
        " referred_by) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (
            principal.area_id,
            jobseeker_id,
            data.provider_id,
            data.service.value,
            data.starts_on,
            data.ends_on,
            data.outcome.value if data.outcome else None,
            principal.user_id,
        ),
    ).fetchone()
    assert row is not None
    record_access(conn, principal, [jobseeker_id], "referral_record", reason)
    return _one(conn, row["id"])


def update_referral(
    conn: Conn, principal: Principal, referral_id: int, version: int, data: ReferralUpdate, reason: str
) -> dict[str, Any]:
    """Record the referral's start, end or outcome at the version the client read (own caseworker: 403
    for other roles, 404 for a colleague's client's referral or another area's)."""
    if principal.role is not Role.CASEWORKER:
        raise Forbidden("only the client's own caseworker records how a service ended")
    current = conn.execute(
        "SELECT * FROM referrals WHERE id = %s AND area_id = %s", (referral_id, principal.area_id)
    ).fetchone()
    if current is None:
        raise NotFound("referral not found")
    _check_own_caseworker(conn, principal, current["jobseeker_id"])
    changes = data.model_dump(exclude_unset=True, mode="json")
    if "starts_on" in changes and changes["starts_on"] is None:
        raise ValidationFailed("starts_on cannot be empty", field="starts_on")
    merged = {**current, **data.model_dump(exclude_unset=True)}
    if "ends_on" in changes and changes["ends_on"] is None and "outcome" not in changes:
        merged["outcome"] = changes["outcome"] = None
    check_dates(merged["starts_on"], merged["ends_on"], merged["outcome"])
    update_versioned(conn, "referrals", referral_id, principal.area_id, version, changes)
    record_access(conn, principal, [current["jobseeker_id"]], "referral_record", reason)
    return _one(conn, referral_id)


def referrals_of(
    conn: Conn, jobseeker_id: int, page: PageParams | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The jobseeker's referrals, newest first, the slice ``page`` asks for (all for ``None``) and how
    many there are, whoever asks: for a caller that has applied :mod:`jobseekers.access` and audits the
    read (the right of access)."""
    return paged_rows(
        conn, _SELECT + " WHERE r.jobseeker_id = %s", (jobseeker_id,), "starts_on DESC, id DESC", page
    )


def list_referrals(
    conn: Conn, principal: Principal, jobseeker_id: int, reason: str, page: PageParams | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The client's referrals, newest first, the slice ``page`` asks for and how many there are
    (whoever may see the jobseeker; 404 otherwise); audited."""
    access.check_visible(principal, access.subject(conn, jobseeker_id))
    record_access(conn, principal, [jobseeker_id], "referral_read", reason)
    return referrals_of(conn, jobseeker_id, page)
