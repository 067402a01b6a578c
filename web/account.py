"""Account care in the pages: an admin edits, deactivates and reactivates a user and makes a one-time
reset link; a user changes their own password; anyone with a reset link sets a new password.

The rules are ``accounts.care``'s; these handlers parse the forms and show the errors on their fields.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from accounts import care
from accounts.models import Role
from core.errors import AppError
from web import labels
from web.forms import Form, options, service_error, whole_number
from web.i18n import N_
from web.lookups import employer_choices
from web.pages import Ctx, PageRoute, Posted, page, public_page
from web.sessions import SESSION_COOKIE

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _user_page(
    ctx: Ctx, user: dict[str, Any], form: Form, status: int = 200, reset_link: care.ResetLink | None = None
) -> Response:
    return ctx.render(
        "user_edit.html",
        status=status,
        form=form,
        account=user,
        is_self=user["id"] == ctx.principal.user_id,
        events=care.account_events(ctx.conn, ctx.principal.area_id, user["id"]),
        role_choices=options(labels.ROLES.items(), ctx.i18n),
        employer_choices=employer_choices(ctx),
        reset_link=reset_link,
        reset_url=reset_link.url(str(ctx.request.base_url)) if reset_link else None,
        labels=labels,
    )


def _initial(user: dict[str, Any]) -> Form:
    return Form.initial({k: user[k] for k in ("display_name", "email", "role", "employer_id")})


@router.get("/admin/users/{user_id:int}")
def user_page(request: Request, user_id: int) -> Response:
    """One user of the area: edit, deactivate or reactivate, make a reset link; what was done to them."""
    with page(request, Role.ADMIN) as ctx:
        user = care.get_user(ctx.conn, ctx.principal.area_id, user_id)
        return _user_page(ctx, user, _initial(user))


@router.post("/admin/users/{user_id:int}")
def edit_user(request: Request, user_id: int, posted: Posted) -> Response:
    """Save the user's name, email, role and employer."""
    with page(request, Role.ADMIN, form=posted) as ctx:
        user = care.get_user(ctx.conn, ctx.principal.area_id, user_id)
        form = Form.of(posted)
        for name in ("display_name", "email", "role"):
            if not form.text(name):
                form.add(name, ctx._(N_("This field is required.")))
        role = form.text("role")
        if role is not None and role not in {r.value for r in Role}:
            form.add("role", ctx._(N_("Choose one of the options.")))
        employer = form.text("employer_id")
        employer_id = whole_number(employer or "")
        if employer is not None and employer_id is None:
            form.add("employer_id", ctx._(N_("Choose one of the options.")))
        if role == Role.EMPLOYER.value and employer is None:
            form.add("employer_id", ctx._(N_("An employer contact needs an employer.")))
        if not form.ok:
            return _user_page(ctx, user, form, status=422)
        changes = care.UserChanges(
            display_name=form.text("display_name"),
            email=form.text("email"),
            role=Role(role) if role else None,
            employer_id=employer_id,
            set_employer=True,
        )
        try:
            with ctx.savepoint():
                care.update_user(ctx.conn, ctx.principal, user_id, changes)
        except AppError as exc:
            service_error(exc, form, ctx.i18n)
            return _user_page(ctx, user, form, status=exc.status)
        return ctx.redirect(f"/admin/users/{user_id}", flash="user_updated")


@router.post("/admin/users/{user_id:int}/active")
def set_active(request: Request, user_id: int, posted: Posted) -> Response:
    """Deactivate (every session and token of the user ends at once) or reactivate the user."""
    with page(request, Role.ADMIN, form=posted) as ctx:
        user = care.get_user(ctx.conn, ctx.principal.area_id, user_id)
        active = Form.of(posted).text("active") == "true"
        try:
            with ctx.savepoint():
                care.set_active(ctx.conn, ctx.principal, user_id, active)
        except AppError as exc:
            form = _initial(user)
            service_error(exc, form, ctx.i18n)
            return _user_page(ctx, user, form, status=exc.status)
        return ctx.redirect(
            f"/admin/users/{user_id}", flash="user_reactivated" if active else "user_deactivated"
        )


@router.post("/admin/users/{user_id:int}/reset-link")
def make_reset_link(request: Request, user_id: int, posted: Posted) -> Response:
    """A one-time reset link, shown on this page once (only its hash is kept)."""
    with page(request, Role.ADMIN, form=posted) as ctx:
        user = care.get_user(ctx.conn, ctx.principal.area_id, user_id)
        try:
            with ctx.savepoint():
                link = care.issue_reset_link(ctx.conn, ctx.principal, user_id)
        except AppError as exc:
            form = _initial(user)
            service_error(exc, form, ctx.i18n)
            return _user_page(ctx, user, form, status=exc.status)
        return _user_page(ctx, user, _initial(user), reset_link=link)


def _password_page(ctx: Ctx, form: Form, status: int = 200) -> Response:
    return ctx.render("password.html", status=status, form=form)


def _check_new_password(ctx: Ctx, form: Form, password: str, again: str) -> None:
    if not password:
        form.add("new_password", ctx._(N_("This field is required.")))
    elif len(password) < 8:
        form.add("new_password", ctx._(N_("The password needs at least 8 characters.")))
    elif len(password) > care.MAX_PASSWORD_LENGTH:
        form.add("new_password", ctx._(N_("The text is too long.")))
    elif password != again:
        form.add("new_password_again", ctx._(N_("The passwords do not match.")))


def _passwords(form: Form, *names: str) -> list[str]:
    """The typed passwords, taken out of the form (a page never shows a password again)."""
    return [form.values.pop(name, [""])[0] for name in names]


@router.get("/account/password")
def password_form(request: Request) -> Response:
    """Change one's own password."""
    with page(request) as ctx:
        return _password_page(ctx, Form())


@router.post("/account/password")
def change_password(request: Request, posted: Posted) -> Response:
    """Check the current password and set the new one; the user's other sessions and tokens end."""
    with page(request, form=posted) as ctx:
        form = Form.of(posted)
        current, new, again = _passwords(form, "current_password", "new_password", "new_password_again")
        if not current:
            form.add("current_password", ctx._(N_("This field is required.")))
        _check_new_password(ctx, form, new, again)
        if not form.ok:
            return _password_page(ctx, form, status=422)
        try:
            with ctx.savepoint():
                care.change_own_password(
                    ctx.conn, ctx.principal, current, new, keep_session=request.cookies.get(SESSION_COOKIE)
                )
        except AppError as exc:
            service_error(exc, form, ctx.i18n)
            return _password_page(ctx, form, status=exc.status)
        return ctx.redirect("/account/password", flash="password_changed")


@router.get("/password/reset")
def reset_form(request: Request, token: str = "") -> Response:
    """The page a reset link opens: a new password, or why the link no longer works."""
    with public_page(request) as ctx:
        valid = care.reset_principal(ctx.conn, token) is not None
        return ctx.render(
            "password_reset.html", status=200 if valid else 404, form=Form(), token=token, valid=valid
        )


@router.post("/password/reset")
def reset_password(request: Request, posted: Posted) -> Response:
    """Set the new password with the link, once; every session of the user ends, and they sign in."""
    with public_page(request, posted) as ctx:
        form = Form.of(posted)
        token = form.text("token") or ""
        new, again = _passwords(form, "new_password", "new_password_again")
        _check_new_password(ctx, form, new, again)
        if not form.ok:
            valid = care.reset_principal(ctx.conn, token) is not None
            return ctx.render("password_reset.html", status=422, form=form, token=token, valid=valid)
        try:
            with ctx.savepoint():
                care.use_reset_link(ctx.conn, token, new)
        except AppError as exc:
            service_error(exc, form, ctx.i18n)
            valid = exc.field != "token"
            return ctx.render("password_reset.html", status=exc.status, form=form, token=token, valid=valid)
        return ctx.redirect("/login", flash="password_reset")
