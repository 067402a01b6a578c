"""Sign-in, sign-out and the language switch."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request, Response

from accounts import service as accounts
from accounts import signin_limits
from core.errors import TooManyRequests, Unauthorized
from web import sessions
from web.forms import Form
from web.i18n import LANGUAGE_COOKIE, LANGUAGES, N_
from web.pages import PageRoute, Posted, public_page, safe_next
from web.sessions import SESSION_COOKIE

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LANGUAGE_MAX_AGE = 365 * 24 * 3600


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The sign-in form (straight on to ``next`` when already signed in)."""
    with public_page(request) as ctx:
        if ctx.session is not None:
            return ctx.redirect(safe_next(next))
        expired = SESSION_COOKIE in request.cookies
        return ctx.render("login.html", form=Form(), next=safe_next(next), expired=expired)


@router.post("/login")
def login(request: Request, posted: Posted) -> Response:
    """Check the password within the sign-in limits, which the API's sign-in shares."""
    # Outside the request's transaction: the attempt is counted in a transaction of its own, committed
    # before the password check (accounts.signin_limits); the new session gets its own transaction below.
    with public_page(request, posted, transaction=False) as ctx:
        form = Form.of(posted)
        email, password = form.text("email") or "", form.values.get("password", [""])[0]
        form.values.pop("password", None)
        target = safe_next(form.text("next"))
        client_address = request.client.host if request.client else "unknown"
        if not email:
            form.add("email", ctx._(N_("This field is required.")))
        if not password:
            form.add("password", ctx._(N_("This field is required.")))
        if not form.ok:
            return ctx.render("login.html", status=422, form=form, next=target, expired=False)
        try:
            user = signin_limits.sign_in(ctx.conn, email, password, client_address)
        except TooManyRequests as exc:
            form.add("_form", ctx._(N_("Too many failed attempts. Wait five minutes and try again.")))
            blocked = ctx.render("login.html", status=429, form=form, next=target, expired=False)
            blocked.headers["Retry-After"] = str(exc.retry_after)
            return blocked
        except Unauthorized:
            form.add("_form", ctx._(N_("Wrong email or password.")))
            return ctx.render("login.html", status=401, form=form, next=target, expired=False)
        with ctx.conn.transaction():
            # A new sign-in always gets a new session (never one a cookie set before it).
            sessions.end_session(ctx.conn, request.cookies.get(SESSION_COOKIE))
            lifetime = timedelta(hours=request.app.state.settings.token_ttl_hours)
            ctx.cookies[SESSION_COOKIE] = (sessions.start_session(ctx.conn, user["id"], lifetime), None)
        return ctx.redirect(target)


@router.post("/logout")
def logout(request: Request, posted: Posted) -> Response:
    """End the session and return to the sign-in page."""
    with public_page(request, posted) as ctx:
        sessions.end_session(ctx.conn, request.cookies.get(SESSION_COOKIE))
        response = ctx.redirect("/login", flash="signed_out")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


@router.post("/language")
def choose_language(request: Request, posted: Posted) -> Response:
    """Remember the chosen language in a cookie (and, for a signed-in user, as theirs: the language of their
    e-mails until they choose one for e-mail) and go back to the page."""
    with public_page(request, posted) as ctx:
        form = Form.of(posted)
        language = form.text("language")
        if language in LANGUAGES:
            assert language is not None
            ctx.cookies[LANGUAGE_COOKIE] = (language, LANGUAGE_MAX_AGE)
            if ctx.session is not None:
                accounts.choose_ui_language(ctx.conn, ctx.session.principal, language)
        return ctx.redirect(safe_next(form.text("next")))
