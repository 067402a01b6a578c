"""Area administration: the users of the area and the area's settings."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from accounts import service as accounts
from accounts.models import Role
from accounts.schemas import UserCreate
from core.errors import AppError
from employers import field_work
from web import labels
from web.forms import Form, options, service_error, validate
from web.i18n import N_
from web.lookups import employer_choices
from web.pages import Ctx, PageRoute, Posted, list_offset, once, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 50


def _users_page(ctx: Ctx, form: Form, offset: int = 0, status: int = 200) -> Response:
    users, total = accounts.list_users(ctx.conn, ctx.principal.area_id, limit=PAGE_SIZE, offset=offset)
    choices = employer_choices(ctx)
    return ctx.render(
        "users.html",
        status=status,
        form=form,
        users=users,
        total=total,
        offset=offset,
        page_size=PAGE_SIZE,
        employer_names={int(k): v for k, v in choices},
        role_choices=options(labels.ROLES.items(), ctx.i18n),
        employer_choices=choices,
        labels=labels,
    )


@router.get("/admin/users")
def users(request: Request, offset: int = 0) -> Response:
    """The area's users, and a form to create one."""
    with page(request, Role.ADMIN) as ctx:
        return _users_page(ctx, Form.initial({"role": "coordinator"}), list_offset(offset))


@router.post("/admin/users")
def create_user(request: Request, posted: Posted) -> Response:
    """Create a user in the administrator's own area."""
    with page(request, Role.ADMIN, form=posted) as ctx:
        form = Form.of(posted)
        password = form.values.pop("password", [""])[0]
        role = form.text("role")
        values = {
            "email": form.text("email") or "",
            "display_name": form.text("display_name") or "",
            "role": role,
            "password": password,
            "employer_id": form.text("employer_id") if role == Role.EMPLOYER.value else None,
        }
        if role == Role.EMPLOYER.value and not values["employer_id"]:
            form.add("employer_id", ctx._(N_("An employer contact needs an employer.")))
        if 0 < len(password) < accounts.MIN_PASSWORD_LENGTH:
            form.add("password", ctx._(N_("The password needs at least 8 characters.")))
        data = validate(UserCreate, values, form, ctx.i18n)
        if data is None or not form.ok:
            return _users_page(ctx, form, status=422)
        try:
            with ctx.savepoint():

                def produce() -> str:
                    accounts.create_user(
                        ctx.conn,
                        area_id=ctx.principal.area_id,
                        email=data.email,
                        display_name=data.display_name,
                        role=data.role,
                        password=data.password,
                        employer_id=data.employer_id,
                    )
                    return "/admin/users"

                location = once(ctx, form.text("form_token"), produce)
        except AppError as exc:
            service_error(exc, form, ctx.i18n)
            return _users_page(ctx, form, status=exc.status)
        return ctx.redirect(location, flash="user_saved")


# The area's settings ----------------------------------------------------------------------------

FIELD_WORK_CHOICES = (("yes", N_("Yes")), ("no", N_("No")))


def _settings_page(ctx: Ctx, form: Form, status: int = 200) -> Response:
    settings = field_work.area_settings(ctx.conn, ctx.principal.area_id)
    return ctx.render(
        "area_settings.html",
        status=status,
        form=form,
        settings=settings,
        changed_by=accounts.display_names(
            ctx.conn, [settings["updated_by"]] if settings["updated_by"] else []
        ),
        field_work_choices=options(FIELD_WORK_CHOICES, ctx.i18n),
    )


@router.get("/admin/settings")
def area_settings(request: Request) -> Response:
    """The area's settings: whether caseworkers (job coaches) log employer contacts and record needs."""
    with page(request, Role.ADMIN) as ctx:
        on = field_work.area_settings(ctx.conn, ctx.principal.area_id)["caseworker_field_work"]
        return _settings_page(ctx, Form.initial({"caseworker_field_work": "yes" if on else "no"}))


@router.post("/admin/settings")
def save_area_settings(request: Request, posted: Posted) -> Response:
    """Save the area's settings."""
    with page(request, Role.ADMIN, form=posted) as ctx:
        form = Form.of(posted)
        chosen = form.text("caseworker_field_work")
        if chosen not in ("yes", "no"):
            form.add("caseworker_field_work", ctx._(N_("Choose yes or no.")))
            return _settings_page(ctx, form, status=422)
        field_work.update_area_settings(ctx.conn, ctx.principal, chosen == "yes")
        return ctx.redirect("/admin/settings", flash="settings_saved")
