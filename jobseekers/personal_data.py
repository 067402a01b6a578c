"""What the jobseekers domain holds about one person, whole: its part of the right of access, and erasure.

The right of access (:func:`person_part`) gives the profile as staff see it (the target-group facts
included), the work capacity with its details, the work-ability and service-need assessments (to those
:func:`jobseekers.access.sees_health` allows; withheld from anyone else), the plans, every consent given
and withdrawn, and the whole audit trail naming who read and why.

Erasure (:func:`erase_identity`) removes the identity and the free text and keeps the pseudonymous facts
that the indicators count, as :data:`ERASED` and :data:`KEPT` say. The row stays (proposals,
placements, consents and audit rows refer to it); it is archived and unavailable, so nothing matches or
proposes it again, and matching is told it changed.

Neither checks who asks nor audits: :mod:`privacy` does both, once for the whole person.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from core.db import Conn
from core.events import notify_change
from jobseekers import assessments, consents, form_choices, plans
from jobseekers.audit import trail_of
from jobseekers.service import derived_constraints, staff_record

ERASED: Final = (
    "name, e-mail address, phone number and birth year",
    "the external id (the source register's reference to the person)",
    "profile text, education and work history",
    "skills, languages, desired occupations, driving licences, placement forms wanted, desired hours,"
    " commuting distance and service stage",
    "the target-group facts: when unemployment began, the benefit, the subsidy days paid and whether an"
    " integration plan applies",
    "certificates",
    "the work capacity record and its assessments",
    "the service-need assessments and the plans with their goals and steps",
)
"""What erasing a jobseeker removes from this domain's tables."""
KEPT: Final = (
    "the pseudonym, the area, the home municipality, the caseworker and the date of registration"
    " (the indicators count and group people by them)",
    "consents with their dates (each one in force is withdrawn)",
    "the audit trail, whole",
)
"""What stays of an erased jobseeker in this domain's tables, and why."""


def person_part(conn: Conn, jobseeker_id: int, *, health: bool) -> dict[str, Any] | None:
    """Everything this domain holds about the jobseeker, or None when there is none.

    ``health``: include the work capacity details and assessments; otherwise both are None (the
    caller names them as withheld).
    """
    profile = staff_record(conn, jobseeker_id)
    if profile is None:
        return None
    erased = conn.execute("SELECT erased_at FROM jobseekers WHERE id = %s", (jobseeker_id,)).fetchone()
    part: dict[str, Any] = {
        "profile": profile,
        "erased_at": erased["erased_at"] if erased else None,
        "work_capacity": None,
        "assessments": None,
        "service_need_assessments": None,
        "plans": plans.plans_of(conn, jobseeker_id)[0],
        "placement_form_choices": form_choices.history_of(conn, jobseeker_id),
        "consents": consents.consents_of(conn, jobseeker_id),
        "audit_trail": trail_of(conn, jobseeker_id),
    }
    if health:
        part["work_capacity"] = _work_capacity(conn, jobseeker_id)
        part["assessments"] = conn.execute(
            "SELECT id, jobseeker_id, assessed_on, measure, score::float8 AS score, notes, recorded_by,"
            " created_at FROM work_capacity_assessments WHERE jobseeker_id = %s ORDER BY assessed_on, id",
            (jobseeker_id,),
        ).fetchall()
        part["service_need_assessments"] = assessments.assessments_of(conn, jobseeker_id)[0]
    return part


def _work_capacity(conn: Conn, jobseeker_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT jobseeker_id, max_hours_per_day::float8 AS max_hours_per_day,"
        " max_hours_per_week::float8 AS max_hours_per_week, no_heavy_lifting, no_night_shifts, no_shift_work,"
        " needs_supervisor, excluded_demands, details, version, updated_at"
        " FROM work_capacity WHERE jobseeker_id = %s",
        (jobseeker_id,),
    ).fetchone()
    if row is None:
        return None
    return {**row, "constraints": derived_constraints(conn, jobseeker_id)}


def erase_identity(conn: Conn, jobseeker_id: int) -> tuple[datetime, bool] | None:
    """Erase the jobseeker's identity and free text (see :data:`ERASED`), once.

    Returns when they were erased and whether it happened now (False: already erased, nothing changed),
    or None when there is no such jobseeker. Serialised on the jobseeker's row.
    """
    row = conn.execute(
        "SELECT area_id, erased_at FROM jobseekers WHERE id = %s FOR UPDATE", (jobseeker_id,)
    ).fetchone()
    if row is None:
        return None
    if row["erased_at"] is not None:
        return row["erased_at"], False
    erased = conn.execute(
        "UPDATE jobseekers SET external_id = NULL, full_name = NULL, email = NULL, phone = NULL,"
        " birth_year = NULL, profile_text = '', education = '', work_history = '', skills = '{}',"
        " languages = '{}'::jsonb, desired_occupations = '{}', desired_hours_per_week = NULL,"
        " max_commute_km = NULL, driving_licences = '{}', placement_forms = '{}', service_stage = NULL,"
        " unemployed_since = NULL, benefit = NULL, subsidy_days = NULL, integration_plan = NULL,"
        " available = false, archived = true, erased_at = now(), version = version + 1, updated_at = now()"
        " WHERE id = %s RETURNING erased_at",
        (jobseeker_id,),
    ).fetchone()
    assert erased is not None
    for table in (
        "jobseeker_certificates",
        "work_capacity",
        "work_capacity_assessments",
        "service_need_assessments",
        "plans",
        "placement_form_choices",
    ):
        conn.execute(f"DELETE FROM {table} WHERE jobseeker_id = %s", (jobseeker_id,))
    conn.execute(
        "UPDATE consents SET withdrawn_at = now() WHERE jobseeker_id = %s AND withdrawn_at IS NULL",
        (jobseeker_id,),
    )
    notify_change(conn, "jobseeker", jobseeker_id, row["area_id"])
    return erased["erased_at"], True
