"""Pages of the jobseeker's path: the own caseworker records service-need assessments and plans on the
client page; staff see the area's target groups, and admins and coordinators save new ones."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response

from accounts.models import COORDINATION, STAFF, Role
from core.errors import AppError, NotFound
from jobseekers import assessments, form_choices, plans, target_groups
from jobseekers.assessments import ServiceNeedAssessmentIn
from jobseekers.form_choices import FormChoiceIn
from jobseekers.plans import PlanIn
from jobseekers.target_groups import TargetGroupIn
from web import client_path
from web.caseworker import _client_page, parse_certificates
from web.forms import Form, drop_empty, options, service_error, validate
from web.i18n import N_
from web.needs import number
from web.pages import Ctx, PageRoute, Posted, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _day(text: str | None) -> str | None:
    """A date as typed (d.m.yyyy or yyyy-mm-dd), ISO for validation; the text itself when unreadable."""
    if not text:
        return None
    parts = text.split(".")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0])).isoformat()
        except ValueError:
            return text
    return text


@router.post("/clients/{jobseeker_id:int}/service-need")
def add_service_need(request: Request, jobseeker_id: int, posted: Posted) -> Response:
    """Record a service-need assessment (the own caseworker only)."""
    with page(request, Role.CASEWORKER, form=posted) as ctx:
        form = Form.of(posted)
        values = {
            "assessed_on": _day(form.text("assessed_on")),
            "level": form.text("level"),
            "needs": form.items("needs"),
            "notes": form.value("notes").strip(),
        }
        data = validate(ServiceNeedAssessmentIn, drop_empty(values), form, ctx.i18n)
        if data is None:
            return _client_page(ctx, jobseeker_id, path_forms={"need": form}, status=422)
        try:
            with ctx.savepoint():
                assessments.add_service_need_assessment(
                    ctx.conn, ctx.principal, jobseeker_id, data, "web: service-need assessment"
                )
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n, fallback_field="level")
            return _client_page(ctx, jobseeker_id, path_forms={"need": form}, status=exc.status)
        return ctx.redirect(f"/clients/{jobseeker_id}#service-need", flash="saved")


@router.post("/clients/{jobseeker_id:int}/placement-forms")
def record_form_choice(request: Request, jobseeker_id: int, posted: Posted) -> Response:
    """Record the client's new decision on a placement form, dated (the own caseworker only)."""
    with page(request, Role.CASEWORKER, form=posted) as ctx:
        form = Form.of(posted)
        values = {
            "form": form.text("form"),
            "change": form.text("change"),
            "decided_on": _day(form.text("decided_on")),
        }
        data = validate(FormChoiceIn, drop_empty(values), form, ctx.i18n)
        if data is None:
            return _client_page(ctx, jobseeker_id, path_forms={"choice": form}, status=422)
        try:
            with ctx.savepoint():
                form_choices.record_choice(
                    ctx.conn, ctx.principal, jobseeker_id, data, "web: placement form choice"
                )
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n, fallback_field="form")
            return _client_page(ctx, jobseeker_id, path_forms={"choice": form}, status=exc.status)
        return ctx.redirect(f"/clients/{jobseeker_id}#placement-forms", flash="saved")


def _items(ctx: Ctx, form: Form, drawn: str | None) -> list[dict[str, Any]]:
    """The plan's goals and steps from their text areas, one per line with an optional date; a date that
    cannot be read, or that is before the plan, is an error on its field."""
    items: list[dict[str, Any]] = []
    for kind, name in (("goal", "goals"), ("step", "steps")):
        parsed = parse_certificates(form.value(name))
        if parsed is None:
            form.add(name, ctx._(N_("Write the date as d.m.yyyy, e.g. 31.12.2027.")))
            continue
        for item in parsed:
            due = item["expires_on"]
            if due is not None and drawn is not None and due.isoformat() < drawn:
                form.add(name, ctx._(N_("A goal or step cannot be dated before the plan.")))
            items.append({"kind": kind, "text": item["name"], "due_on": due})
    return items


@router.post("/clients/{jobseeker_id:int}/plans")
def add_plan(request: Request, jobseeker_id: int, posted: Posted) -> Response:
    """Record the client's plan with its goals, steps and review date (the own caseworker only)."""
    with page(request, Role.CASEWORKER, form=posted) as ctx:
        form = Form.of(posted)
        drawn = _day(form.text("drawn_up_on"))
        review = _day(form.text("review_on"))
        values = {
            "kind": form.text("kind"),
            "drawn_up_on": drawn,
            "review_on": review,
            "agreed_with_client": form.flag("agreed_with_client"),
            "items": _items(ctx, form, drawn),
        }
        if review and drawn and review < drawn:
            form.add("review_on", ctx._(N_("The review cannot be before the plan is drawn up.")))
        data = validate(PlanIn, drop_empty(values), form, ctx.i18n) if form.ok else None
        if data is None:
            return _client_page(ctx, jobseeker_id, path_forms={"plan": form}, status=422)
        try:
            with ctx.savepoint():
                plans.add_plan(ctx.conn, ctx.principal, jobseeker_id, data, "web: plan")
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n, fallback_field="kind")
            return _client_page(ctx, jobseeker_id, path_forms={"plan": form}, status=exc.status)
        return ctx.redirect(f"/clients/{jobseeker_id}#plans", flash="saved")


# Target groups -------------------------------------------------------------------------------------

_RULE_NUMBERS = (
    "unemployment_months_min",
    "unemployment_months_max",
    "subsidy_days_min",
    "age_min",
    "age_under",
)


def _groups_page(ctx: Ctx, form: Form | None = None, status: int = 200) -> Response:
    return ctx.render(
        "target_groups.html",
        status=status,
        groups=target_groups.list_target_groups(ctx.conn, ctx.principal),
        form=form or Form(),
        may_save=ctx.principal.role in COORDINATION,
        benefits=client_path.BENEFITS,
        benefit_choices=options(client_path.BENEFITS.items(), ctx.i18n),
        yes_no_choices=options(client_path.YES_NO.items(), ctx.i18n),
    )


@router.get("/target-groups")
def target_groups_page(request: Request) -> Response:
    """The area's target groups, each with its rule and member count."""
    with page(request, *STAFF) as ctx:
        return _groups_page(ctx)


@router.post("/target-groups")
def save_target_group(request: Request, posted: Posted) -> Response:
    """Save a target group (admins and coordinators)."""
    with page(request, *COORDINATION, form=posted) as ctx:
        form = Form.of(posted)
        flag = form.text("integration_plan")
        rule: dict[str, Any] = {name: number(form.text(name)) for name in _RULE_NUMBERS}
        rule |= {
            "benefits": form.chosen("benefits"),
            "integration_plan": {"true": True, "false": False}.get(flag or ""),
        }
        names = dict.fromkeys(("", "rule"), "_form")
        names |= {f"rule.{field}": field for field in (*_RULE_NUMBERS, "benefits", "integration_plan")}
        data = validate(
            TargetGroupIn, {"name": form.text("name"), "rule": drop_empty(rule)}, form, ctx.i18n, names
        )
        if data is None:
            return _groups_page(ctx, form, status=422)
        try:
            with ctx.savepoint():
                target_groups.create_target_group(ctx.conn, ctx.principal, data)
        except AppError as exc:
            service_error(exc, form, ctx.i18n, fallback_field="name")
            return _groups_page(ctx, form, status=exc.status)
        return ctx.redirect("/target-groups", flash="saved")
