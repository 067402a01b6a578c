"""Proposing a candidate, from wherever the match is seen: the need's ranking or the client's matches.

The proposer first sees the intro card exactly as the employer will (built now, from the same code that
freezes it with the proposal) and writes a note; sending it returns to where they came from, at the same
candidate or need, with the confirmation beside it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from accounts.models import CASE_HANDLERS, PROPOSERS
from core.errors import AppError, NotFound
from employers import service as employers
from matching import service as matching
from placements import proposals as proposal_service
from placements.schemas import ProposalCreate
from placements.settings import get_placement_settings
from recruitment import service as recruitment
from web import labels
from web.forms import Form, service_error, validate, whole_number
from web.pages import Ctx, PageRoute, Posted, once, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_NOTE = 2000


def back_to(need_id: int, jobseeker_id: int, back: str | None, proposal_id: int | None = None) -> str:
    """Where the proposer returns: the client's matches at this need, or the need's ranking at this
    candidate; with the new proposal's id when one was made (the page confirms it there)."""
    query = f"?proposed={proposal_id}" if proposal_id is not None else ""
    if back == "client":
        return f"/clients/{jobseeker_id}/matches{query}#need-{need_id}"
    return f"/needs/{need_id}{query}#candidate-{jobseeker_id}"


def _jobseeker_id(form: Form) -> int:
    jobseeker_id = whole_number(form.text("jobseeker_id") or "")
    if jobseeker_id is None:
        raise NotFound("jobseeker not found")
    return jobseeker_id


def _page(ctx: Ctx, need_id: int, jobseeker_id: int, form: Form, status: int = 200) -> Response:
    """The preview: the need, the intro card the employer would get (or why none can be sent), the note."""
    need = employers.get_need(ctx.conn, ctx.principal, need_id)
    card: dict[str, Any] | None = None
    refused = ""
    try:
        with ctx.savepoint():
            card = proposal_service.preview_card(
                ctx.conn,
                matching.engine_of(ctx.request.app.state),
                ctx.principal,
                need_id,
                jobseeker_id,
                ctx.i18n.language,
            )
    except AppError as exc:
        if isinstance(exc, NotFound):
            raise
        service_error(exc, form, ctx.i18n)
        status = exc.status
        refused = exc.type
    # A refusal about the pair itself is the whole form's, not a field's.
    form.errors = {("_form" if k in ("jobseeker_id", "need_id") else k): v for k, v in form.errors.items()}
    return ctx.render(
        "propose.html",
        status=status,
        need=need,
        card=card,
        form=form,
        jobseeker_id=jobseeker_id,
        back=form.text("back") or "need",
        back_url=back_to(need_id, jobseeker_id, form.text("back")),
        may_fix_consent=ctx.principal.role in CASE_HANDLERS,
        refused=refused,
        event_choices=[
            (str(e["id"]), f"{e['title']} ({ctx.i18n.date(e['event_date'])})")
            for e in recruitment.event_choices(ctx.conn, ctx.principal, employer_id=need["employer_id"])
        ],
        labels=labels,
    )


@router.get("/needs/{need_id:int}/propose")
def preview(request: Request, need_id: int, jobseeker_id: int, back: str = "need") -> Response:
    """The intro card as the employer will see it, and a note, before the proposal is sent."""
    with page(request, *PROPOSERS) as ctx:
        form = Form.initial({"jobseeker_id": jobseeker_id, "back": back})
        return _page(ctx, need_id, jobseeker_id, form)


@router.post("/needs/{need_id:int}/propose")
def propose(request: Request, need_id: int, posted: Posted) -> Response:
    """Send the proposal: the explanation and the intro card are frozen and sent; back to where the
    proposer came from, the confirmation beside the candidate."""
    with page(request, *PROPOSERS, form=posted) as ctx:
        form = Form.of(posted)
        jobseeker_id = _jobseeker_id(form)
        data = validate(
            ProposalCreate,
            {
                "need_id": need_id,
                "jobseeker_id": jobseeker_id,
                "note": form.value("note").strip(),
                "event_id": form.text("event_id"),
                "seen_in": "client" if form.text("back") == "client" else "need",
            },
            form,
            ctx.i18n,
        )
        if data is None:
            return _page(ctx, need_id, jobseeker_id, form, status=422)
        try:
            with ctx.savepoint():

                def produce() -> str:
                    made = proposal_service.create_proposal(
                        ctx.conn,
                        matching.engine_of(ctx.request.app.state),
                        ctx.principal,
                        data,
                        get_placement_settings(),
                    )
                    return back_to(need_id, jobseeker_id, form.text("back"), int(made["id"]))

                location = once(ctx, form.text("form_token"), produce)
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n)
            return _page(ctx, need_id, jobseeker_id, form, status=exc.status)
        return ctx.redirect(location)
