"""Erasure: a jobseeker's identity and free text removed from every domain, the pseudonymous facts that
the indicators need and the audit trail kept.

An admin of the area erases (or the operator from the command line), giving a reason; the erasure is
audited (``erase``). Each domain empties its own part (:mod:`jobseekers.personal_data`,
:mod:`placements.personal_data`, the profile's stored vector in :mod:`matching.vectors`), and the
matching index follows the change notification: the record is archived and unavailable, has no text
left to embed, and is never matched or proposed again; each worker then writes its entries snapshot
again without the person's text (:mod:`matching.entry_snapshot`). Stored replies of idempotent requests
that name the person are deleted too, so that no retry answers with what was erased.

Afterwards the record is read-only: every write to it, in any domain, is refused with 409
(:class:`jobseekers.access.JobseekerErased`, raised by :func:`jobseekers.access.check_editable`), so no
one can put personal data back. Admins erase from the API, the command line (:mod:`privacy.cli`) or the
page ``/admin/personal-data`` (:mod:`web.person_data`).

Idempotent: erasing again changes nothing, answers the same and is audited as ``erase_repeat``.
"""

from __future__ import annotations

from typing import Any, Final

from accounts.models import Principal, Role
from core.db import Conn
from core.errors import Forbidden
from jobseekers import access
from jobseekers import personal_data as jobseekers
from jobseekers.audit import record_access
from matching import vectors
from placements import personal_data as placements
from recruitment import service as recruitment

ERASED: Final = (
    *jobseekers.ERASED,
    *placements.ERASED,
    "the embedding of the profile kept for matching; the person leaves the matching index",
    "stored replies of repeatable requests that carried the person's data",
)
KEPT: Final = (*jobseekers.KEPT, *placements.KEPT, *recruitment.KEPT)


def erase(conn: Conn, principal: Principal, jobseeker_id: int, reason: str) -> dict[str, Any]:
    """Erase the jobseeker (admin of the area; 404 when not theirs): :class:`privacy.schemas.Erasure`."""
    if principal.role is not Role.ADMIN:
        raise Forbidden("jobseekers are erased by admins")
    access.check_case_handler(principal, access.subject(conn, jobseeker_id))
    done = jobseekers.erase_identity(conn, jobseeker_id)
    assert done is not None  # the row was just seen, and rows of jobseekers are never deleted
    erased_at, first = done
    pseudonym = conn.execute("SELECT pseudonym FROM jobseekers WHERE id = %s", (jobseeker_id,)).fetchone()
    assert pseudonym is not None
    if first:
        placement_ids = placements.erase_texts(conn, jobseeker_id)
        vectors.forget(conn, "jobseeker", jobseeker_id)
        _forget_stored_replies(conn, jobseeker_id, pseudonym["pseudonym"], placement_ids)
    record_access(conn, principal, [jobseeker_id], "erase" if first else "erase_repeat", reason)
    return {
        "jobseeker_id": jobseeker_id,
        "pseudonym": pseudonym["pseudonym"],
        "erased_at": erased_at,
        "erased": list(ERASED),
        "kept": list(KEPT),
    }


def _forget_stored_replies(conn: Conn, jobseeker_id: int, pseudonym: str, placement_ids: list[int]) -> None:
    """Delete the stored replies (``idempotency_keys``, the API kit's table, which no domain owns) that
    carried the person: a jobseeker, consent or assessment created, a proposal made, answered or moved
    on, a follow-up of their placement. They would otherwise be replayed to a retry within a day."""
    conn.execute(
        "DELETE FROM idempotency_keys WHERE response_body ->> 'jobseeker_id' = %(id)s"
        " OR headers ->> 'Location' = %(location)s OR response_body ->> 'pseudonym' = %(pseudonym)s"
        " OR response_body ->> 'placement_id' = ANY(%(placements)s)",
        {
            "id": str(jobseeker_id),
            "location": f"/api/v1/jobseekers/{jobseeker_id}",
            "pseudonym": pseudonym,
            "placements": [str(i) for i in placement_ids],
        },
    )
