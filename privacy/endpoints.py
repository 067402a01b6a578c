"""HTTP edge of the right of access and erasure: parse, check role, call one service function."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from accounts.models import Role
from api.deps import CurrentPrincipal, DbConn, require
from api.http import file_reply
from api.problems import problem_responses
from jobseekers.audit import MAX_REASON
from privacy import erasure, pdf
from privacy import personal_data as access_request
from privacy.schemas import Erasure, ErasureRequest, PersonalData

router = APIRouter(tags=["jobseekers"])

PRIVATE = {"Cache-Control": "no-store"}
"""Replies carrying a jobseeker's data are never stored by a browser or proxy."""
ACCESS_REASON = "right of access"
Reason = Annotated[
    str,
    Query(
        min_length=1, max_length=MAX_REASON, description="Why the data is read (recorded in the audit log)"
    ),
]


@router.get(
    "/jobseekers/{jobseeker_id}/personal-data",
    response_model=PersonalData,
    responses=problem_responses(401, 403, 404, 422),
)
def personal_data(
    jobseeker_id: int,
    principal: CurrentPrincipal,
    conn: DbConn,
    response: Response,
    reason: Reason = ACCESS_REASON,
) -> dict[str, Any]:
    """Everything held about the jobseeker, in one document (the right of access): the own caseworker
    or an admin of the area, 404 for anyone else; work-capacity details are the own caseworker's (an
    admin's document names them as withheld). Audited."""
    response.headers.update(PRIVATE)
    return access_request.personal_data(conn, principal, jobseeker_id, reason)


@router.get(
    "/jobseekers/{jobseeker_id}/personal-data.pdf",
    response_class=Response,
    responses=file_reply("application/pdf", "The same document as a readable PDF (Finnish)")
    | problem_responses(401, 403, 404, 422),
)
def personal_data_pdf(
    jobseeker_id: int, principal: CurrentPrincipal, conn: DbConn, reason: Reason = ACCESS_REASON
) -> Response:
    """The right-of-access document as a PDF, for the same readers; audited."""
    document = access_request.personal_data(conn, principal, jobseeker_id, reason)
    headers = {**PRIVATE, "Content-Disposition": f'attachment; filename="henkilotiedot-{jobseeker_id}.pdf"'}
    return Response(pdf.render_pdf(document), media_type="application/pdf", headers=headers)


@router.post(
    "/jobseekers/{jobseeker_id}/erase",
    response_model=Erasure,
    responses=problem_responses(401, 403, 404, 413, 422),
)
def erase(
    jobseeker_id: int, body: ErasureRequest, principal: CurrentPrincipal, conn: DbConn
) -> dict[str, Any]:
    """Erase the jobseeker's identity and free text, keeping the pseudonymous facts that the indicators
    need and the audit trail (admin; the reason is audited). Erasing again answers the same."""
    require(principal, Role.ADMIN)
    return erasure.erase(conn, principal, jobseeker_id, body.reason)
