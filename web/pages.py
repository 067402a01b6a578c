"""The page edge: who is asking, CSRF, one connection per request, templates and error pages.

Every page handler opens :func:`page` (signed in, optionally limited to roles) or :func:`public_page`,
calls one or a few service functions on ``ctx.conn`` and renders a template or redirects (POST, redirect,
GET). Expected failures raised by the services become error pages in the user's language through
:class:`PageRoute`.

Transactions follow the API's rule (``api.deps.get_conn``): one per request, opened by :func:`page` or
:func:`public_page` and committed when the handler returns (before the page or redirect is sent), rolled
back when it raises (an error page leaves nothing half-written). Handlers open no transactions.
Three documented exceptions:

- the session's idle clock is restarted and committed on its own before the request's transaction, so
  that the session row is not locked for the whole request (a browser's overlapping requests, such as
  search-as-you-type, would otherwise wait for each other);
- a step whose expected failure the page answers itself (the form again, with the error) runs in
  :meth:`Ctx.savepoint`: the failed step is undone alone, so the form leaves no half-written rows and the
  page can still read and render;
- the sign-in (``public_page(..., transaction=False)``) counts the attempt in a transaction committed
  before the password check, as ``accounts.signin_limits`` requires, and then opens its own for the new
  session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Final
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from psycopg_pool import ConnectionPool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from accounts import service as accounts
from accounts.models import Principal, Role
from core.clock import today
from core.db import Conn
from core.errors import AppError, Forbidden, NotFound
from core.logs import log_unexpected
from core.paging import MAX_OFFSET
from employers.field_work import may_do_field_work
from web import sessions
from web.forms import PROBLEM_MESSAGES, name_fields
from web.i18n import LANGUAGE_COOKIE, LANGUAGE_NAMES, LANGUAGES, N_, I18n, pick_language
from web.labels import ROLES
from web.sessions import ANONYMOUS_CSRF_COOKIE, SESSION_COOKIE, WebSession
from web.tables import label_cells

log = logging.getLogger("kohtaamo.web")

TEMPLATES_DIR: Final = Path(__file__).resolve().parent / "templates"
FLASH_COOKIE: Final = "kohtaamo_flash"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "X-CSRF-Token"

templates = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def _to_date(value: str | date | None) -> date | None:
    """An ISO date string (as services put dates into JSON) as a date, for the date format."""
    return date.fromisoformat(value) if isinstance(value, str) else value


templates.filters["todate"] = _to_date


def _overdue(value: str | date | None) -> bool:
    """Whether a due date is past (today is not late yet): the pages' "overdue" tag."""
    due = _to_date(value)
    return due is not None and due < today()


templates.filters["overdue"] = _overdue

# Short confirmations shown once after a redirect; the cookie carries only the key.
FLASHES: Final = {
    "signed_out": N_("You have signed out."),
    "saved": N_("Saved."),
    "visit_saved": N_("The visit was recorded."),
    "coordinator_saved": N_("The responsible coordinator was saved."),
    "step_done": N_("The next step was marked done."),
    "settings_saved": N_("The settings were saved."),
    "task_saved": N_("The task was recorded."),
    "carved_job_saved": N_("The carved job was saved. Its matches are on its need page."),
    "visit_need_saved": N_("The visit and the new hidden need were recorded."),
    "visit_public_need_saved": N_("The visit and the new public need were recorded."),
    "contact_saved": N_("The contact was recorded."),
    "contact_need_saved": N_("The contact and the new hidden need were recorded."),
    "contact_public_need_saved": N_("The contact and the new public need were recorded."),
    "employer_saved": N_("The employer was added to the register."),
    "need_saved": N_("The need was saved."),
    "event_saved": N_("The event was saved."),
    "attendance_saved": N_(
        "The attendance was saved. Employers who attended have the event in their contact log."
    ),
    "need_closed": N_("The need was closed."),
    "target_group_removed": N_("The target group was removed."),
    "proposed": N_("The candidate was proposed and the intro card sent."),
    "answered": N_("Thank you, your answer was sent."),
    "consent_saved": N_("The consent was recorded."),
    "consent_withdrawn": N_("The consent was withdrawn."),
    "placement_saved": N_("The placement was confirmed."),
    "followup_saved": N_("The follow-up was recorded."),
    "user_saved": N_("The user was created."),
    "person_erased": N_("The person's data was erased. What was kept is listed below."),
    "user_updated": N_("The user's details were saved."),
    "user_deactivated": N_("The user was deactivated. Their sessions and tokens no longer work."),
    "user_reactivated": N_("The user was reactivated."),
    "password_changed": N_("Your password was changed. Your other sessions were signed out."),
    "password_reset": N_("Your new password was set. Sign in with it."),
    "client_saved": N_("The client was added."),
    "capacity_saved": N_("The work capacity was saved."),
    "notice_read": N_("The notice was marked read."),
    "notices_read": N_("Every notice was marked read."),
}


class SignInRequired(Exception):
    """No live session: go to the sign-in page and come back afterwards."""


class CsrfRejected(Exception):
    """A form without this session's CSRF token."""


def _principal_nav(principal: Principal, field_work: bool = False) -> list[tuple[str, str]]:
    """The main navigation of a role: (path, label message id); a caseworker who does field work
    (``employers.field_work``) also finds the employer register there."""
    staff_common = [("/needs", N_("Needs")), ("/search", N_("Match search"))]
    inbox = ("/inbox", N_("Inbox"))
    if principal.role is Role.EMPLOYER:
        return [
            ("/", N_("Our needs")),
            ("/cards", N_("Intro cards")),
            ("/placements", N_("Placements")),
            inbox,
        ]
    if principal.role is Role.CASEWORKER:
        return [
            ("/clients", N_("My clients")),
            *([("/employers", N_("Employers"))] if field_work else []),
            *staff_common,
            ("/proposals", N_("Proposals")),
            ("/events", N_("Events")),
            ("/target-groups", N_("Target groups")),
            ("/service-providers", N_("Service providers")),
            inbox,
        ]
    nav = [
        ("/", N_("Today")),
        ("/employers", N_("Employers")),
        *staff_common,
        ("/carving", N_("Job carving")),
        ("/proposals", N_("Proposals")),
        ("/placements", N_("Placements")),
        ("/events", N_("Events")),
        ("/indicators", N_("Indicators")),
        ("/target-groups", N_("Target groups")),
        ("/service-providers", N_("Service providers")),
        inbox,
    ]
    if principal.role is Role.ADMIN:
        nav += [
            ("/admin/users", N_("Users")),
            ("/admin/settings", N_("Settings")),
            ("/admin/personal-data", N_("Personal data")),
            ("/admin/outbox", N_("Mail outbox")),
        ]
    return nav


def language_of(request: Request) -> I18n:
    """The language the user chose (cookie), else the browser's preferred one of ours, else Finnish."""
    return I18n(pick_language(request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")))


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(
    request: Request, response: Response, name: str, value: str, max_age: int | None = None
) -> None:
    """An HttpOnly, SameSite=Lax cookie for the whole site, Secure over HTTPS."""
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax", secure=_secure(request), path="/"
    )


def safe_next(target: str | None) -> str:
    """A local path to return to after signing in; anything else becomes the front page."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


@dataclass
class Capture:
    """What a page would have rendered, taken instead of the HTML while a list is exported
    (:mod:`web.exports`: ``request.state.capture``)."""

    template: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    status: int = 200

    def clear(self) -> None:
        self.template, self.values, self.status = None, {}, 200


@dataclass
class Ctx:
    """One page request: the connection, who is asking, and how to answer in their language."""

    request: Request
    conn: Conn
    session: WebSession | None
    i18n: I18n
    anonymous_csrf: str | None = None
    cookies: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    """Cookies to set on the answer: name -> (value, max-age in seconds or None for the session)."""

    @property
    def principal(self) -> Principal:
        assert self.session is not None, "a signed-in page"
        return self.session.principal

    @property
    def csrf_token(self) -> str:
        if self.session is not None:
            return self.session.csrf_token
        assert self.anonymous_csrf is not None
        return self.anonymous_csrf

    def _(self, message: str, **values: Any) -> str:
        return self.i18n.gettext(message, **values)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A step whose expected failure the page catches and answers (the form again, with the error).

        A savepoint inside the request's transaction: if the step raises, what it wrote is undone (and the
        connection is usable again), while the rest of the request goes on and commits.
        """
        with self.conn.transaction():
            yield

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        """The template as an HTML page (or fragment), with the common context."""
        capture: Capture | None = getattr(self.request.state, "capture", None)
        if capture is not None and not template.startswith("_"):
            capture.template, capture.values, capture.status = template, values, status
            return HTMLResponse("", status_code=status)
        signed_in = self.session is not None
        if signed_in and self.principal.role is Role.CASEWORKER and not template.startswith("_"):
            values.setdefault(
                "nav", _principal_nav(self.principal, may_do_field_work(self.conn, self.principal))
            )
        html = render_template(self.request, self.i18n, self.session, self.csrf_token, template, **values)
        response = HTMLResponse(html, status_code=status)
        if FLASH_COOKIE in self.request.cookies and not template.startswith("_"):
            # The confirmation was shown on this page; it is not shown again.
            response.delete_cookie(FLASH_COOKIE, path="/")
        self._finish(response)
        return response

    def redirect(self, url: str, flash: str | None = None) -> Response:
        """303 See Other to ``url`` (or HX-Redirect for htmx), with a one-time confirmation."""
        if self.request.headers.get("HX-Request") == "true":
            response: Response = Response(status_code=204, headers={"HX-Redirect": url})
        else:
            response = RedirectResponse(url, status_code=303)
        if flash is not None:
            # A key, or a key and the id of the record it names (``step_done:12``).
            assert flash.split(":", 1)[0] in FLASHES
            set_cookie(self.request, response, FLASH_COOKIE, flash, max_age=60)
        self._finish(response)
        return response

    def _finish(self, response: Response) -> None:
        if self.anonymous_csrf is not None and self.request.cookies.get(ANONYMOUS_CSRF_COOKIE) is None:
            set_cookie(self.request, response, ANONYMOUS_CSRF_COOKIE, self.anonymous_csrf)
        for name, (value, max_age) in self.cookies.items():
            set_cookie(self.request, response, name, value, max_age)


def render_template(
    request: Request,
    i18n: I18n,
    session: WebSession | None,
    csrf_token: str | None,
    template: str,
    **values: Any,
) -> str:
    """Render ``template`` with what every page needs: texts, formats, the user, navigation, CSRF."""
    principal = session.principal if session else None
    flash_key = (request.cookies.get(FLASH_COOKIE) or "").split(":", 1)[0]
    context: dict[str, Any] = {
        "_": i18n.gettext,
        "ngettext": i18n.ngettext,
        "markup": i18n.markup,
        "fmt": i18n,
        "lang": i18n.language,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "user": principal,
        "user_role": i18n.gettext(ROLES[principal.role]) if principal else None,
        "nav": _principal_nav(principal) if principal else [],
        "path": request.url.path,
        "current_url": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        "query_without_offset": urlencode(
            [(k, v) for k, v in request.query_params.multi_items() if k != "offset"]
        ),
        "csrf_token": csrf_token,
        "csrf_field": CSRF_FIELD,
        "flash": i18n.gettext(FLASHES[flash_key]) if flash_key in FLASHES else None,
        "flash_focus": False,
        "form_token": sessions.new_token,
    }
    context.update(values)
    return label_cells(name_fields(templates.get_template(template).render(context)))


def _check_csrf(request: Request, form: FormData | None, expected: str | None) -> None:
    if request.method in ("GET", "HEAD"):
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and form is not None:
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sessions.same_token(sent, expected):
        raise CsrfRejected()


def pool_of(request: Request) -> ConnectionPool[Conn]:
    pool: ConnectionPool[Conn] = request.app.state.pool
    return pool


def _session(conn: Conn, request: Request) -> WebSession | None:
    """The request's session, its idle clock restarted and committed at once (see the module docstring:
    the session row is not kept locked while the request runs)."""
    with conn.transaction():
        return sessions.load_session(conn, request.cookies.get(SESSION_COOKIE))


@contextmanager
def page(request: Request, *roles: Role, form: FormData | None = None) -> Iterator[Ctx]:
    """A signed-in page (of one of ``roles``, if given); a POST must carry the session's CSRF token.

    The block is the request's transaction: committed when it ends normally, rolled back if it raises.
    In it the database shows the rows of the principal's area only (:func:`accounts.service.act_for`).
    """
    with pool_of(request).connection() as conn:
        session = _session(conn, request)
        if session is None:
            raise SignInRequired()
        request.state.web_session = session  # the error pages show the user's navigation too
        if roles and session.principal.role not in roles:
            raise Forbidden("this page is not open to your role")
        _check_csrf(request, form, session.csrf_token)
        with conn.transaction():
            accounts.act_for(conn, session.principal)
            yield Ctx(request=request, conn=conn, session=session, i18n=language_of(request))


@contextmanager
def public_page(request: Request, form: FormData | None = None, *, transaction: bool = True) -> Iterator[Ctx]:
    """A page open without signing in (sign-in, language); forms use a double-submit CSRF cookie.

    The block is the request's transaction, as in :func:`page`; with ``transaction=False`` (only the
    sign-in, see the module docstring) the block gets the connection outside any transaction and runs
    each of its writes in a ``ctx.conn.transaction()`` of its own.
    """
    with pool_of(request).connection() as conn:
        session = _session(conn, request)
        if session is not None:
            _check_csrf(request, form, session.csrf_token)
            ctx = Ctx(request=request, conn=conn, session=session, i18n=language_of(request))
        else:
            cookie = request.cookies.get(ANONYMOUS_CSRF_COOKIE)
            _check_csrf(request, form, cookie)
            ctx = Ctx(
                request=request,
                conn=conn,
                session=None,
                i18n=language_of(request),
                anonymous_csrf=cookie or sessions.new_token(),
            )
        if not transaction:
            yield ctx
            return
        with conn.transaction():
            if session is not None:
                accounts.act_for(conn, session.principal)
            yield ctx


async def read_form(request: Request) -> FormData:
    """The submitted form (a dependency: parsed on the event loop, handled in the thread pool)."""
    return await request.form()


Posted = Annotated[FormData, Depends(read_form)]
"""A handler's submitted form."""


# Error pages -----------------------------------------------------------------------------------------

ERROR_TITLES: Final = {
    400: N_("The request could not be handled"),
    403: N_("Not available to you"),
    404: N_("Page not found"),
    409: N_("This cannot be done now"),
    412: N_("Someone else changed this first"),
    422: N_("Check the details"),
    503: N_("The service is starting up"),
}
ERROR_TEXTS: Final = {
    400: N_("Go back and try again."),
    403: N_("This page is not open to your role. Use the menu to find your own pages."),
    404: N_("The page does not exist, or it is not visible to you. Check the address or use the menu."),
    409: N_("The record is not in a state that allows this. Reload the page to see its current state."),
    412: N_("Reload the page to see the latest version, then make your change again."),
    422: N_("Some details were not accepted. Go back, check them and try again."),
    503: N_("The matching index is still loading. Try again in a moment."),
    500: N_("Something went wrong on our side. Try again in a moment."),
}


def error_page(request: Request, status: int, text: str | None = None, **values: Any) -> HTMLResponse:
    """An error page in the user's language, with the navigation when the user is known; ``values`` fill
    the placeholders of ``text``."""
    i18n = language_of(request)
    title = ERROR_TITLES.get(status, N_("Something went wrong"))
    body = text or ERROR_TEXTS.get(status, ERROR_TEXTS[500])
    session: WebSession | None = getattr(request.state, "web_session", None)
    html = render_template(
        request,
        i18n,
        session,
        None,
        "error.html",
        status=status,
        title=i18n.gettext(title),
        text=i18n.gettext(body, **values),
    )
    return HTMLResponse(html, status_code=status)


def sign_in_redirect(request: Request) -> Response:
    """Back to the sign-in page, remembering where the user was going."""
    if request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        referer = urlsplit(request.headers.get("referer", ""))
        same_site = referer.netloc == request.url.netloc
        target = (referer.path + (f"?{referer.query}" if referer.query else "")) if same_site else "/"
    location = "/login?next=" + quote(safe_next(target), safe="")
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


class PageRoute(APIRoute):
    """A route whose expected failures answer with pages, not problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return sign_in_redirect(request)
            except CsrfRejected:
                return error_page(
                    request,
                    403,
                    N_("The form had expired. Go back, reload the page and send the form again."),
                )
            except NotFound:
                return error_page(request, 404)
            except AppError as exc:
                # An erased person's record says so, whichever page tried to change it.
                erased = exc.type == "jobseeker-erased"
                return error_page(request, exc.status, PROBLEM_MESSAGES[exc.type] if erased else None)
            except RequestValidationError:
                # A malformed address (/needs/abc) is a page that does not exist.
                return error_page(request, 404)
            except StarletteHTTPException as exc:
                return error_page(request, exc.status_code)
            except Exception as exc:
                # As the API does: the message may quote row values, so only the type and frames are logged.
                log_unexpected(log, exc, f"{request.method} {request.url.path}")
                return error_page(request, 500)

        return page_handler


def list_offset(offset: int) -> int:
    """A list page's ``offset`` query parameter within the API's bounds: below 0 the first page, past
    ``MAX_OFFSET`` the furthest slice the API serves (an empty page, not an error)."""
    return min(max(offset, 0), MAX_OFFSET)


def once(ctx: Ctx, token: str | None, produce: Callable[[], str]) -> str:
    """Run ``produce`` once per form token; a repeated submission gets the first one's location.

    The token and the record commit together, in the request's transaction; a repeated submission
    waits on the token's lock until the first one's transaction ends.
    """
    if not token or len(token) > 100:
        return produce()
    previous = sessions.used_form(ctx.conn, ctx.principal.user_id, token)
    if previous is not None:
        return previous
    location = produce()
    sessions.remember_form(ctx.conn, ctx.principal.user_id, token, location)
    return location
