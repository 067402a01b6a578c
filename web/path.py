"""Pages of the jobseeker's path: the own caseworker records service-need assessments and plans on the
client page; staff see the area's target groups, and admins and coordinators save new ones."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response

from accounts.models import COORDINATION, STAFF, Role
from core.errors import AppError, NotFound, PreconditionFailed, ValidationFailed
from jobseekers import access, assessments, form_choices, plans, target_groups
from jobseekers.assessments import ServiceNeedAssessmentIn
from jobseekers.form_choices import FormChoiceIn
from jobseekers.plans import PlanIn, PlanUpdate
from jobseekers.target_groups import TargetGroupIn, TargetGroupUpdate
from web import client_path
from web.caseworker import _client_page, certificates_text, parse_certificates
from web.forms import Form, drop_empty, options, service_error, validate, whole_number
from web.i18n import N_
from web.needs import number
from web.pages import Ctx, PageRoute, Posted, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _day(text: str | None) -> str | None:
    """A date as typed (d.m.yyyy or yyyy-mm-dd), ISO for validation; the text itself when unreadable."""
    if not text:
        return None
    parts = text.split(".")
    if len(parts) == 3 and all(p.isdecimal() for p in parts):
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


def _plan_of(ctx: Ctx, jobseeker_id: int, plan_id: int) -> dict[str, Any]:
    """The own client's plan (404 for anyone else's, or a plan of another client)."""
    access.check_own_client(ctx.principal, access.subject(ctx.conn, jobseeker_id))
    for plan in plans.list_plans(ctx.conn, ctx.principal, jobseeker_id, "web: plan edit")[0]:
        if plan["id"] == plan_id:
            return plan
    raise NotFound("plan not found")


def _plan_page(
    ctx: Ctx, jobseeker_id: int, plan: dict[str, Any], form: Form | None = None, status: int = 200
) -> Response:
    if form is None:

        def lines(kind: str) -> str:
            chosen = [i for i in plan["items"] if i["kind"] == kind]
            return certificates_text([{"name": i["text"], "expires_on": i["due_on"]} for i in chosen])

        form = Form.initial(
            {
                "kind": plan["kind"],
                "drawn_up_on": plan["drawn_up_on"].isoformat(),
                "review_on": plan["review_on"].isoformat() if plan["review_on"] else None,
                "agreed_with_client": plan["agreed_with_client"],
                "goals": lines("goal"),
                "steps": lines("step"),
                "version": plan["version"],
            }
        )
    return ctx.render(
        "plan_edit.html",
        status=status,
        jobseeker_id=jobseeker_id,
        plan=plan,
        form=form,
        plan_kind_choices=options(client_path.PLAN_KINDS.items(), ctx.i18n),
    )


@router.get("/clients/{jobseeker_id:int}/plans/{plan_id:int}/edit")
def edit_plan_page(request: Request, jobseeker_id: int, plan_id: int) -> Response:
    """The form that changes the client's plan: goals, steps, review date (the own caseworker only)."""
    with page(request, Role.CASEWORKER) as ctx:
        return _plan_page(ctx, jobseeker_id, _plan_of(ctx, jobseeker_id, plan_id))


@router.post("/clients/{jobseeker_id:int}/plans/{plan_id:int}/edit")
def edit_plan(request: Request, jobseeker_id: int, plan_id: int, posted: Posted) -> Response:
    """Change the client's plan at the version the form was drawn from (the own caseworker only)."""
    with page(request, Role.CASEWORKER, form=posted) as ctx:
        plan = _plan_of(ctx, jobseeker_id, plan_id)
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
        data = validate(PlanUpdate, values, form, ctx.i18n) if form.ok else None
        version = form.version(ctx.i18n)
        if data is None or version is None:
            return _plan_page(ctx, jobseeker_id, plan, form, status=422)
        try:
            with ctx.savepoint():
                plans.update_plan(ctx.conn, ctx.principal, plan_id, version, data, "web: plan edit")
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n, fallback_field="kind")
            return _plan_page(ctx, jobseeker_id, plan, form, status=exc.status)
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
        groups=target_groups.list_target_groups(ctx.conn, ctx.principal)[0],
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


def _group_data(ctx: Ctx, form: Form, model: type[TargetGroupIn] | type[TargetGroupUpdate]) -> Any:
    """The name and rule as typed, validated into ``model``; None when a field is wrong (named)."""
    flag = form.text("integration_plan")
    rule: dict[str, Any] = {name: number(form.text(name)) for name in _RULE_NUMBERS}
    rule |= {
        "benefits": form.chosen("benefits"),
        "integration_plan": {"true": True, "false": False}.get(flag or ""),
    }
    names = dict.fromkeys(("", "rule"), "_form")
    names |= {f"rule.{field}": field for field in (*_RULE_NUMBERS, "benefits", "integration_plan")}
    data = validate(model, {"name": form.text("name"), "rule": drop_empty(rule)}, form, ctx.i18n, names)
    if data is None or data.rule is None:
        return data
    try:
        target_groups.check_rule(data.rule)
    except ValidationFailed as exc:
        field = (exc.field or "").removeprefix("rule.")
        form.add(names.get(exc.field or "", field), ctx._(_RULE_ERRORS.get(field, _RULE_ERRORS["rule"])))
        return None
    return data


_RULE_ERRORS = {
    "rule": N_("Give at least one condition."),
    "unemployment_months_min": N_("The shortest unemployment cannot be longer than the longest."),
    "age_min": N_("The lowest age must be below the age limit."),
}


@router.post("/target-groups")
def save_target_group(request: Request, posted: Posted) -> Response:
    """Save a target group (admins and coordinators)."""
    with page(request, *COORDINATION, form=posted) as ctx:
        form = Form.of(posted)
        data = _group_data(ctx, form, TargetGroupIn)
        if data is None:
            return _groups_page(ctx, form, status=422)
        try:
            with ctx.savepoint():
                target_groups.create_target_group(ctx.conn, ctx.principal, data)
        except AppError as exc:
            service_error(exc, form, ctx.i18n, fallback_field="name")
            return _groups_page(ctx, form, status=exc.status)
        return ctx.redirect("/target-groups", flash="saved")


def _edit_page(ctx: Ctx, group: dict[str, Any], form: Form | None = None, status: int = 200) -> Response:
    if form is None:
        rule = group["rule"]
        flag = rule.get("integration_plan")
        form = Form.initial(
            {
                "name": group["name"],
                "version": group["version"],
                **{name: rule.get(name) for name in _RULE_NUMBERS},
                "benefits": rule.get("benefits") or [],
                "integration_plan": None if flag is None else ("true" if flag else "false"),
            }
        )
    return ctx.render(
        "target_group_edit.html",
        status=status,
        group=group,
        form=form,
        benefit_choices=options(client_path.BENEFITS.items(), ctx.i18n),
        yes_no_choices=options(client_path.YES_NO.items(), ctx.i18n),
    )


@router.get("/target-groups/{group_id:int}/edit")
def edit_target_group_page(request: Request, group_id: int) -> Response:
    """The form that renames a target group or changes its rule (admins and coordinators)."""
    with page(request, *COORDINATION) as ctx:
        return _edit_page(ctx, target_groups.get_target_group(ctx.conn, ctx.principal, group_id))


@router.post("/target-groups/{group_id:int}/edit")
def edit_target_group(request: Request, group_id: int, posted: Posted) -> Response:
    """Change a target group at the version the form was drawn from (admins and coordinators)."""
    with page(request, *COORDINATION, form=posted) as ctx:
        group = target_groups.get_target_group(ctx.conn, ctx.principal, group_id)
        form = Form.of(posted)
        data = _group_data(ctx, form, TargetGroupUpdate)
        version = form.version(ctx.i18n)
        if data is None or version is None:
            return _edit_page(ctx, group, form, status=422)
        try:
            with ctx.savepoint():
                target_groups.update_target_group(ctx.conn, ctx.principal, group_id, version, data)
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n, fallback_field="name")
            return _edit_page(ctx, group, form, status=exc.status)
        return ctx.redirect("/target-groups", flash="saved")


def _delete_page(ctx: Ctx, group_id: int, form: Form | None = None, status: int = 200) -> Response:
    """The question, about the group as it is now: its version goes with the answer."""
    group = target_groups.get_target_group(ctx.conn, ctx.principal, group_id)
    return ctx.render("target_group_delete.html", status=status, group=group, form=form or Form())


@router.get("/target-groups/{group_id:int}/delete")
def delete_target_group_confirm(request: Request, group_id: int) -> Response:
    """Ask before removing a target group (works without JavaScript: the edit page links here)."""
    with page(request, *COORDINATION) as ctx:
        return _delete_page(ctx, group_id)


@router.post("/target-groups/{group_id:int}/delete")
def delete_target_group(request: Request, group_id: int, posted: Posted) -> Response:
    """Remove a target group at the version the question showed, once confirmed; lists and indicators
    filtered by it show everyone again. Changed since (or no version sent): asked again, as it is now."""
    with page(request, *COORDINATION, form=posted) as ctx:
        form = Form.of(posted)
        version = whole_number(form.text("version") or "")
        try:
            if version is None:
                raise PreconditionFailed("the removal names no version of the group")
            with ctx.savepoint():
                target_groups.delete_target_group(ctx.conn, ctx.principal, group_id, version)
        except PreconditionFailed as exc:
            service_error(exc, form, ctx.i18n)
            return _delete_page(ctx, group_id, form, status=exc.status)
        return ctx.redirect("/target-groups", flash="target_group_removed")
