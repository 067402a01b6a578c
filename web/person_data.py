"""A person's data on request, for the area's admins: find the jobseeker, hand over everything held
about them (PDF or JSON, the same document as the API's right of access) and erase them.

Only jobseekers: the API and the command line hand over and erase jobseekers alone; an employer contact
user is deactivated on the user's own page. Whoever is found, handed over or erased is of the admin's
own area (the services' access rule and the database's row-level security); the reads and the erasure
are audited by the services, each with its reason.
"""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Request, Response

from accounts.models import Role
from core.errors import AppError, NotFound
from core.paging import PageParams
from jobseekers import service as jobseekers
from jobseekers.audit import MAX_REASON
from jobseekers.schemas import JobseekerFilters
from privacy import erasure, pdf
from privacy import personal_data as access_request
from privacy.schemas import PersonalData
from web.forms import Form, service_error
from web.i18n import N_
from web.pages import Ctx, PageRoute, Posted, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

FOUND_AT_MOST: Final = 20
HANDOVER_REASON: Final = "web: right of access"
PRIVATE: Final = {"Cache-Control": "no-store"}
"""A handover is never stored by a browser or proxy."""
MAX_QUERY: Final = 200


def _found(ctx: Ctx, who: str) -> list[dict[str, Any]]:
    """The jobseekers of the admin's area that ``who`` names: a number by client id or customer number
    (exactly: the digits of a pseudonym do not count), anything else by name (part of it), pseudonym or
    customer number; erased ones included. Audited as a search."""
    reason = "web: person search"
    if who.isdecimal():
        # Exactly (the digits of a pseudonym do not count); each one found is read, audited, on its own.
        found = jobseekers.find_by_reference(ctx.conn, who, ctx.principal.area_id)
        return [jobseekers.get_jobseeker(ctx.conn, ctx.principal, r["id"], reason) for r in found]
    filters = JobseekerFilters(who=who, include_archived=True, sort="-created_at")
    rows, _ = jobseekers.list_jobseekers(
        ctx.conn, ctx.principal, filters, PageParams(limit=FOUND_AT_MOST, offset=0), reason=reason
    )
    return rows


@router.get("/admin/personal-data")
def search(request: Request, who: str = "") -> Response:
    """Find a person of the area by name, pseudonym or client id."""
    with page(request, Role.ADMIN) as ctx:
        who = who.strip()[:MAX_QUERY]
        return ctx.render(
            "personal_data_search.html",
            search_form=Form.initial({"who": who}),
            people=_found(ctx, who) if who else None,
        )


def _person_page(ctx: Ctx, jobseeker_id: int, form: Form | None = None, status: int = 200) -> Response:
    person = jobseekers.get_jobseeker(ctx.conn, ctx.principal, jobseeker_id, "web: personal data page")
    return ctx.render(
        "personal_data.html",
        status=status,
        person=person,
        form=form or Form(),
        max_reason=MAX_REASON,
    )


@router.get("/admin/personal-data/{jobseeker_id:int}")
def person(request: Request, jobseeker_id: int) -> Response:
    """One person: the handover files and, unless done, the erasure form (404 outside the admin's area)."""
    with page(request, Role.ADMIN) as ctx:
        return _person_page(ctx, jobseeker_id)


@router.get("/admin/personal-data/{jobseeker_id:int}/handover.pdf")
def handover_pdf(request: Request, jobseeker_id: int) -> Response:
    """Everything held about the person, as the readable PDF (audited as a right-of-access read)."""
    with page(request, Role.ADMIN) as ctx:
        document = access_request.personal_data(ctx.conn, ctx.principal, jobseeker_id, HANDOVER_REASON)
    disposition = f'attachment; filename="henkilotiedot-{jobseeker_id}.pdf"'
    return Response(
        pdf.render_pdf(document),
        media_type="application/pdf",
        headers={**PRIVATE, "Content-Disposition": disposition},
    )


@router.get("/admin/personal-data/{jobseeker_id:int}/handover.json")
def handover_json(request: Request, jobseeker_id: int) -> Response:
    """The same document as JSON, as the API answers it (audited as a right-of-access read)."""
    with page(request, Role.ADMIN) as ctx:
        document = access_request.personal_data(ctx.conn, ctx.principal, jobseeker_id, HANDOVER_REASON)
    disposition = f'attachment; filename="henkilotiedot-{jobseeker_id}.json"'
    return Response(
        PersonalData.model_validate(document).model_dump_json(indent=2),
        media_type="application/json",
        headers={**PRIVATE, "Content-Disposition": disposition},
    )


@router.post("/admin/personal-data/{jobseeker_id:int}/erase")
def erase(request: Request, jobseeker_id: int, posted: Posted) -> Response:
    """Erase the person: a reason (audited) and the pseudonym typed again as confirmation are required;
    nothing is erased without both."""
    with page(request, Role.ADMIN, form=posted) as ctx:
        form = Form.of(posted)
        current = jobseekers.get_jobseeker(ctx.conn, ctx.principal, jobseeker_id, "web: erasure")
        reason = form.value("reason").strip()
        if not reason:
            form.add("reason", ctx._(N_("Give the reason for the erasure.")))
        elif len(reason) > MAX_REASON:
            form.add("reason", ctx._(N_("The reason is too long.")))
        if form.value("confirm").strip().upper() != current["pseudonym"].upper():
            form.add("confirm", ctx._(N_("Type the person's pseudonym exactly as shown to confirm.")))
        if not form.ok:
            return _person_page(ctx, jobseeker_id, form, status=422)
        try:
            with ctx.savepoint():
                erasure.erase(ctx.conn, ctx.principal, jobseeker_id, reason)
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n, fallback_field="reason")
            return _person_page(ctx, jobseeker_id, form, status=exc.status)
        return ctx.redirect(f"/admin/personal-data/{jobseeker_id}", flash="person_erased")
