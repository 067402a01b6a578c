"""The right of access: everything held about one jobseeker, gathered from every domain that holds a part,
in one document (and as a readable PDF, :mod:`privacy.pdf`).

The own caseworker and the area's admins give it (:func:`jobseekers.access.check_case_handler`; 404 for
anyone else), and the operator from the command line. Work-capacity details and assessments stay the own
caseworker's (and the operator's): an admin's document names them as withheld. The read is audited once
(action ``personal_data``), before the trail is read, so the document's trail ends with this very read.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any, Final

from accounts.models import Principal
from core.clock import now
from core.db import Conn
from core.errors import NotFound
from jobseekers import access
from jobseekers import personal_data as jobseekers
from jobseekers.audit import record_access
from matching.vectors import vector_facts
from placements import personal_data as placements
from recruitment import service as recruitment
from services import referrals

ACTION: Final = "personal_data"
WITHHELD_REASON: Final = "work-capacity details and assessments are given by the person's own caseworker"


def personal_data(conn: Conn, principal: Principal, jobseeker_id: int, reason: str) -> dict[str, Any]:
    """Everything held about the jobseeker (:class:`privacy.schemas.PersonalData`), for their own
    caseworker, an admin of the area or the operator; 404 for anyone else. Audited."""
    row = access.check_case_handler(principal, access.subject(conn, jobseeker_id))
    health = access.sees_health(principal, row)
    record_access(conn, principal, [jobseeker_id], ACTION, reason)
    part = jobseekers.person_part(conn, jobseeker_id, health=health)
    if part is None:
        raise NotFound("jobseeker not found")
    withheld = (
        []
        if health
        else [
            {"part": "work_capacity", "reason": WITHHELD_REASON},
            {"part": "assessments", "reason": WITHHELD_REASON},
            {"part": "service_need_assessments", "reason": WITHHELD_REASON},
        ]
    )
    return {
        "jobseeker_id": jobseeker_id,
        "pseudonym": part["profile"]["pseudonym"],
        # In UTC like every other moment of the file (the PDF reads it in Helsinki time).
        "generated_at": now().astimezone(UTC),
        "erased_at": part["erased_at"],
        "profile": part["profile"],
        "work_capacity": part["work_capacity"],
        "assessments": part["assessments"],
        "service_need_assessments": part["service_need_assessments"],
        "withheld": withheld,
        "consents": part["consents"],
        **placements.person_part(conn, jobseeker_id),
        "plans": part["plans"],
        "placement_form_choices": part["placement_form_choices"],
        "recruitment_events": recruitment.person_part(conn, jobseeker_id),
        "referrals": referrals.referrals_of(conn, jobseeker_id)[0],
        "profile_vector": vector_facts(conn, "jobseeker", jobseeker_id),
        "audit_trail": part["audit_trail"],
    }
