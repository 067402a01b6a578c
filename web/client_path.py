"""The jobseeker's path on the client pages: the target-group facts of the profile form, and what the
client page shows of service-need assessments, plans and the change in work ability (the forms are
handled by :mod:`web.path`)."""

from __future__ import annotations

from typing import Any

from jobseekers import assessments, form_choices, plans, target_groups
from jobseekers.assessments import ServiceNeedLevel
from jobseekers.plans import PlanKind
from jobseekers.schemas import Benefit
from recruitment import service as recruitment
from services import providers, referrals
from web import labels
from web.forms import Form, options
from web.i18n import N_, I18n
from web.needs import number
from web.pages import Ctx

BENEFITS = {
    Benefit.LABOUR_MARKET_SUBSIDY.value: N_("Labour market subsidy"),
    Benefit.EARNINGS_RELATED.value: N_("Earnings-related allowance"),
    Benefit.NONE.value: N_("No benefit"),
}
YES_NO = {"true": N_("Yes"), "false": N_("No")}
LEVELS = {
    ServiceNeedLevel.JOB_READY.value: N_("Ready for work"),
    ServiceNeedLevel.LIGHT_SUPPORT.value: N_("Light support"),
    ServiceNeedLevel.INTENSIVE_SUPPORT.value: N_("Intensive support"),
    ServiceNeedLevel.MULTI_PROFESSIONAL.value: N_("Multi-professional support"),
}
PLAN_KINDS = {
    PlanKind.ACTIVATION.value: N_("Activation plan"),
    PlanKind.EMPLOYMENT.value: N_("Employment plan"),
}
ITEM_KINDS = {"goal": N_("Goal"), "step": N_("Step")}
FORM_CHANGES = {"added": N_("Accepts"), "removed": N_("No longer accepts")}


def fact_values(form: Form) -> dict[str, Any]:
    """The target-group facts from the profile form (an emptied field clears the fact)."""
    flag = form.text("integration_plan")
    return {
        "unemployed_since": form.text("unemployed_since"),
        "benefit": form.text("benefit"),
        "subsidy_days": number(form.text("subsidy_days")),
        "integration_plan": {"true": True, "false": False}.get(flag or "", flag),
    }


def fact_initial(record: dict[str, Any]) -> dict[str, Any]:
    """The profile form's target-group facts of a stored record."""
    flag = record.get("integration_plan")
    return {
        "unemployed_since": record.get("unemployed_since"),
        "benefit": record.get("benefit"),
        "subsidy_days": record.get("subsidy_days"),
        "integration_plan": None if flag is None else ("true" if flag else "false"),
    }


def fact_choices(i18n: I18n) -> dict[str, Any]:
    """Option lists of the target-group facts."""
    return {
        "benefit_choices": options(BENEFITS.items(), i18n),
        "yes_no_choices": options(YES_NO.items(), i18n),
    }


def group_choices(ctx: Ctx) -> list[tuple[str, str]]:
    """The area's target groups as choices of a list filter."""
    return [(str(g["id"]), g["name"]) for g in target_groups.list_target_groups(ctx.conn, ctx.principal)[0]]


def client_context(ctx: Ctx, record: dict[str, Any], own: bool, forms: dict[str, Form]) -> dict[str, Any]:
    """What the client page shows of the path: plans and recruitment events (everyone who sees the
    client); service-need
    assessments and the work-ability change (the own caseworker only), with their forms."""
    jobseeker_id = record["id"]
    reason = "web: client page"
    out: dict[str, Any] = {
        "plans": plans.list_plans(ctx.conn, ctx.principal, jobseeker_id, reason)[0],
        "plan_form": forms.get("plan") or Form.initial({"kind": "employment"}),
        "plan_kinds": PLAN_KINDS,
        "item_kinds": ITEM_KINDS,
        "plan_kind_choices": options(PLAN_KINDS.items(), ctx.i18n),
        "levels": LEVELS,
        "level_choices": options(LEVELS.items(), ctx.i18n),
        "benefits": BENEFITS,
        "need_assessments": [],
        "ability_changes": [],
        "need_form": forms.get("need") or Form(),
        "form_history": form_choices.history_of(ctx.conn, jobseeker_id),
        "form_changes": FORM_CHANGES,
        "placement_form_labels": labels.PLACEMENT_FORMS,
        "form_change_choices": options(FORM_CHANGES.items(), ctx.i18n),
        "choice_form": forms.get("choice") or Form.initial({"change": "added"}),
        "events": recruitment.events_of_jobseeker(ctx.conn, ctx.principal, jobseeker_id, audited=False),
        "event_kinds": labels.EVENT_KINDS,
        "attendance_labels": labels.ATTENDANCE,
    }
    out |= referral_context(ctx, jobseeker_id, own, forms)
    if own:
        out["need_assessments"], _ = assessments.list_service_need_assessments(
            ctx.conn, ctx.principal, jobseeker_id, reason
        )
        out["ability_changes"] = assessments.work_ability_changes(
            ctx.conn, ctx.principal, jobseeker_id, reason
        )
    return out


def referral_context(ctx: Ctx, jobseeker_id: int, own: bool, forms: dict[str, Form]) -> dict[str, Any]:
    """What the client page shows of referrals (everyone who sees the client) and, for the own
    caseworker, the forms to refer and to record an end."""
    rows, _ = referrals.list_referrals(ctx.conn, ctx.principal, jobseeker_id, "web: client page")
    out: dict[str, Any] = {
        "referrals": rows,
        "service_kinds": labels.SERVICE_KINDS,
        "referral_outcomes": labels.REFERRAL_OUTCOMES,
        "referral_form": forms.get("referral") or Form(),
        "end_form": forms.get("end") or Form(),
    }
    if own:
        out |= {
            "offer_choices": offer_choices(ctx),
            "outcome_choices": options(labels.REFERRAL_OUTCOMES.items(), ctx.i18n),
        }
    return out


def offer_choices(ctx: Ctx) -> list[tuple[str, str]]:
    """The referral form's one choice of "provider – service" pairs: only services a provider of the area
    offers (``web.services.refer`` reads the value ``provider_id:service``), by provider, each provider's
    services in the order of the service kinds."""
    order = list(labels.SERVICE_KINDS)
    return [
        (f"{p['id']}:{kind}", f"{p['name']} – {ctx._(labels.SERVICE_KINDS[kind])}")
        for p in providers.list_providers(ctx.conn, ctx.principal)[0]
        for kind in sorted(set(p["services"]) & set(order), key=order.index)
    ]
