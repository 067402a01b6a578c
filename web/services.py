"""Pages of services beyond placements: the area's actor map (admins and coordinators keep it, staff
read it), and the own caseworker's referrals of a client on the client page."""

from __future__ import annotations

from typing import Any, Final

from fastapi import APIRouter, Request, Response

from accounts.models import COORDINATION, STAFF, Role
from core.errors import AppError, NotFound, ValidationFailed
from core.sql import ANY_VERSION
from services import providers, referrals
from services.schemas import ProviderIn, ProviderUpdate, ReferralIn, ReferralUpdate
from web import labels
from web.caseworker import _client_page
from web.forms import Form, drop_empty, options, service_error, validate, whole_number
from web.i18n import N_
from web.pages import Ctx, PageRoute, Posted, once, page
from web.path import _day

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _choices(ctx: Ctx) -> dict[str, Any]:
    return {
        "kind_choices": options(labels.PROVIDER_KINDS.items(), ctx.i18n),
        "service_choices": options(labels.SERVICE_KINDS.items(), ctx.i18n),
        "provider_kinds": labels.PROVIDER_KINDS,
        "service_kinds": labels.SERVICE_KINDS,
    }


def _provider_values(form: Form) -> dict[str, Any]:
    return {
        "name": form.text("name"),
        "kind": form.text("kind"),
        "municipality": form.text("municipality"),
        "services": form.chosen("services"),
        "contact": form.text("contact"),
        "description": form.value("description").strip(),
    }


def _map_page(ctx: Ctx, form: Form | None = None, status: int = 200) -> Response:
    return ctx.render(
        "service_providers.html",
        status=status,
        providers=providers.list_providers(ctx.conn, ctx.principal)[0],
        form=form or Form(),
        may_keep=ctx.principal.role in COORDINATION,
        **_choices(ctx),
    )


@router.get("/service-providers")
def actor_map(request: Request) -> Response:
    """The area's service providers and what each offers (staff); the form to add one (admins and
    coordinators)."""
    with page(request, *STAFF) as ctx:
        return _map_page(ctx)


@router.post("/service-providers")
def add_provider(request: Request, posted: Posted) -> Response:
    """Add a provider to the area's map (admins and coordinators)."""
    with page(request, *COORDINATION, form=posted) as ctx:
        form = Form.of(posted)
        data = validate(ProviderIn, drop_empty(_provider_values(form)), form, ctx.i18n)
        if data is None:
            return _map_page(ctx, form, status=422)
        try:
            with ctx.savepoint():

                def produce() -> str:
                    providers.create_provider(ctx.conn, ctx.principal, data)
                    return "/service-providers"

                location = once(ctx, form.text("form_token"), produce)
        except AppError as exc:
            service_error(exc, form, ctx.i18n, fallback_field="name")
            return _map_page(ctx, form, status=exc.status)
        return ctx.redirect(location, flash="saved")


def _edit_page(ctx: Ctx, provider: dict[str, Any], form: Form | None = None, status: int = 200) -> Response:
    return ctx.render(
        "service_provider.html",
        status=status,
        provider=provider,
        form=form or Form.initial({**provider, "contact": provider["contact"] or None}),
        **_choices(ctx),
    )


@router.get("/service-providers/{provider_id:int}")
def provider_form(request: Request, provider_id: int) -> Response:
    """Change or archive one provider (admins and coordinators)."""
    with page(request, *COORDINATION) as ctx:
        return _edit_page(ctx, providers.get_provider(ctx.conn, ctx.principal, provider_id))


@router.post("/service-providers/{provider_id:int}")
def change_provider(request: Request, provider_id: int, posted: Posted) -> Response:
    """Save the changed provider at the version the form showed (admins and coordinators)."""
    with page(request, *COORDINATION, form=posted) as ctx:
        provider = providers.get_provider(ctx.conn, ctx.principal, provider_id)
        form = Form.of(posted)
        values = _provider_values(form)
        values |= {"contact": values["contact"] or "", "archived": form.flag("archived")}
        if not values["municipality"]:
            values["municipality"] = None
        for name in ("name", "kind", "services"):
            if not values[name]:
                values.pop(name)
                form.add(name, ctx._(N_("This field is required.")))
        data = validate(ProviderUpdate, values, form, ctx.i18n)
        version = form.version(ctx.i18n)
        if data is None or not form.ok or version is None:
            return _edit_page(ctx, provider, form, status=422)
        try:
            with ctx.savepoint():
                providers.update_provider(ctx.conn, ctx.principal, provider_id, version, data)
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n, fallback_field="name")
            return _edit_page(ctx, provider, form, status=exc.status)
        return ctx.redirect("/service-providers", flash="saved")


# Referrals on the client page ------------------------------------------------------------------------


_AT_OFFER: Final = {"provider_id": "offer", "service": "offer"}


@router.post("/clients/{jobseeker_id:int}/referrals")
def refer(request: Request, jobseeker_id: int, posted: Posted) -> Response:
    """Refer the client to a provider's service (the own caseworker only)."""
    with page(request, Role.CASEWORKER, form=posted) as ctx:
        form = Form.of(posted)
        # The page offers one choice of "provider – service" pairs (``provider_id:service``); the two
        # fields apart are read as well, and their errors are shown at that choice.
        provider_id, _, service = (form.text("offer") or "").partition(":")
        values = {
            "provider_id": provider_id or form.text("provider_id"),
            "service": service or form.text("service"),
            "starts_on": _day(form.text("starts_on")),
            "ends_on": _day(form.text("ends_on")),
            "outcome": form.text("outcome"),
        }
        data = validate(ReferralIn, drop_empty(values), form, ctx.i18n, _AT_OFFER)
        if data is None:
            return _client_page(ctx, jobseeker_id, path_forms={"referral": form}, status=422)
        try:
            with ctx.savepoint():

                def produce() -> str:
                    referrals.refer(ctx.conn, ctx.principal, jobseeker_id, data, "web: referral")
                    return f"/clients/{jobseeker_id}#referrals"

                location = once(ctx, form.text("form_token"), produce)
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            service_error(exc, form, ctx.i18n, fallback_field="offer")
            for name in _AT_OFFER:
                if name in form.errors:
                    form.errors.setdefault("offer", form.errors.pop(name))
            return _client_page(ctx, jobseeker_id, path_forms={"referral": form}, status=exc.status)
        return ctx.redirect(location, flash="saved")


@router.post("/clients/{jobseeker_id:int}/referral-end")
def end_referral(request: Request, jobseeker_id: int, posted: Posted) -> Response:
    """Record the end and outcome of one of the client's referrals (the own caseworker only)."""
    with page(request, Role.CASEWORKER, form=posted) as ctx:
        form = Form.of(posted)
        chosen = whole_number(form.text("referral") or "")
        values = {"ends_on": _day(form.text("ended_on")), "outcome": form.text("end_outcome")}
        names = {"ends_on": "ended_on", "outcome": "end_outcome"}
        if chosen is None:
            form.add("referral", ctx._(N_("Choose one of the options.")))
        if not values["ends_on"]:
            form.add("ended_on", ctx._(N_("This field is required.")))
        data = validate(ReferralUpdate, drop_empty(values), form, ctx.i18n, names)
        if data is None or chosen is None or not form.ok:
            return _client_page(ctx, jobseeker_id, path_forms={"end": form}, status=422)
        try:
            with ctx.savepoint():
                ours = {r["id"] for r in referrals.referrals_of(ctx.conn, jobseeker_id)[0]}
                if chosen not in ours:
                    raise ValidationFailed("no referral of the client has this id", field="referral")
                referrals.update_referral(ctx.conn, ctx.principal, chosen, ANY_VERSION, data, "web: referral")
        except AppError as exc:
            if isinstance(exc, NotFound):
                raise
            exc.field = names.get(exc.field or "", exc.field)
            service_error(exc, form, ctx.i18n, fallback_field="referral")
            return _client_page(ctx, jobseeker_id, path_forms={"end": form}, status=exc.status)
        return ctx.redirect(f"/clients/{jobseeker_id}#referrals", flash="saved")
