"""The own caseworker's service-need assessments (palvelutarpeen arvio) and the change in repeated
work-ability measurements.

Both are health-related: only the jobseeker's own caseworker records or reads them (as work capacity),
the database walls them the same way (row-level security), and nothing of their content is logged or
reaches employers. Someone else who sees the jobseeker is refused with 403 and nothing is written.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, field_validator

from accounts.models import Principal, Role
from core import clock
from core.db import Conn
from core.errors import Forbidden, InvalidValue
from core.i18n import N_
from core.paging import PageParams
from core.sql import insert_row, paged_rows
from employers.schemas import FilterDay, Label, LongText, Strict
from jobseekers import access
from jobseekers.audit import record_access
from jobseekers.schemas import FUTURE_ASSESSMENT


class ServiceNeedLevel(StrEnum):
    """How much support the client needs to find work."""

    JOB_READY = "job_ready"
    LIGHT_SUPPORT = "light_support"
    INTENSIVE_SUPPORT = "intensive_support"
    MULTI_PROFESSIONAL = "multi_professional"


class ServiceNeedAssessmentIn(Strict):
    assessed_on: FilterDay
    level: ServiceNeedLevel
    needs: list[Label] = Field(default_factory=list, max_length=20, description="Named needs, e.g. coaching")
    notes: LongText = ""

    @field_validator("assessed_on")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        if value > clock.today():
            raise InvalidValue(FUTURE_ASSESSMENT)
        if value < date(2000, 1, 1):
            raise InvalidValue(N_("An assessment cannot be dated before 2000. Write the day it was made."))
        return value

    @field_validator("needs")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class ServiceNeedAssessment(BaseModel):
    id: int
    jobseeker_id: int
    assessed_on: date
    level: ServiceNeedLevel
    needs: list[str]
    notes: str
    recorded_by: int | None
    created_at: datetime


class MeasureChange(BaseModel):
    """One work-ability measure over its dated measurements."""

    measure: str
    first_on: date
    first_score: float
    latest_on: date
    latest_score: float
    measurements: int
    change: float | None = Field(description="Latest minus first; none with a single measurement")


def _own_client(conn: Conn, principal: Principal, jobseeker_id: int, *, change: bool = False) -> None:
    """Pass for the own caseworker; 403 for every other role, 404 for a caseworker's colleague's client
    (or one of another area), whom the caseworker may not know to exist; with ``change``, 409 when the
    client was erased."""
    if principal.role is not Role.CASEWORKER:
        raise Forbidden("only the client's own caseworker records and reads service-need assessments")
    row = access.subject(conn, jobseeker_id)
    if change:
        access.check_editable(principal, row, own_client=True)
    else:
        access.check_own_client(principal, row)


def add_service_need_assessment(
    conn: Conn, principal: Principal, jobseeker_id: int, data: ServiceNeedAssessmentIn, reason: str
) -> dict[str, Any]:
    """Record a dated service-need assessment (own caseworker only; 409 when the client was erased)."""
    _own_client(conn, principal, jobseeker_id, change=True)
    values = data.model_dump(mode="json") | {"jobseeker_id": jobseeker_id, "recorded_by": principal.user_id}
    row = insert_row(conn, "service_need_assessments", values)
    record_access(conn, principal, [jobseeker_id], "service_need_record", reason)
    return row


def assessments_of(
    conn: Conn, jobseeker_id: int, page: PageParams | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The jobseeker's service-need assessments, newest first, the slice ``page`` asks for (all for
    ``None``) and how many there are, whoever asks: for a caller that has applied
    :func:`jobseekers.access.sees_health` and audits the read (the right of access)."""
    return paged_rows(
        conn,
        "SELECT * FROM service_need_assessments WHERE jobseeker_id = %s",
        (jobseeker_id,),
        "assessed_on DESC, id DESC",
        page,
    )


def list_service_need_assessments(
    conn: Conn, principal: Principal, jobseeker_id: int, reason: str, page: PageParams | None = None
) -> tuple[list[dict[str, Any]], int]:
    """The client's service-need assessments, newest first, the slice ``page`` asks for and how many
    there are (own caseworker only)."""
    _own_client(conn, principal, jobseeker_id)
    record_access(conn, principal, [jobseeker_id], "service_need_read", reason)
    return assessments_of(conn, jobseeker_id, page)


def work_ability_changes(
    conn: Conn, principal: Principal, jobseeker_id: int, reason: str
) -> list[dict[str, Any]]:
    """Per measure, the first and latest work-ability measurement and the change between them (own
    caseworker only; 404 for anyone else, as the measurements themselves); a measure measured once has
    no change."""
    access.check_own_client(principal, access.subject(conn, jobseeker_id))
    rows = conn.execute(
        "SELECT measure, count(*) AS measurements,"
        " (array_agg(assessed_on ORDER BY assessed_on, id))[1] AS first_on,"
        " (array_agg(score ORDER BY assessed_on, id))[1]::float8 AS first_score,"
        " (array_agg(assessed_on ORDER BY assessed_on DESC, id DESC))[1] AS latest_on,"
        " (array_agg(score ORDER BY assessed_on DESC, id DESC))[1]::float8 AS latest_score"
        " FROM work_capacity_assessments WHERE jobseeker_id = %s GROUP BY measure ORDER BY lower(measure)",
        (jobseeker_id,),
    ).fetchall()
    record_access(conn, principal, [jobseeker_id], "assessments_read", reason)
    for r in rows:
        changed = r["measurements"] > 1
        r["change"] = round(r["latest_score"] - r["first_score"], 2) if changed else None
    return rows
