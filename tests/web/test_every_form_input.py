"""Every form a signed-in user can reach, sent with bad input: never a 5xx, never a half-write.

For each role the test walks the pages its navigation leads to (over the world of
``test_control_characters.scene``: an employer with a need, clients, a proposal waiting for an answer, a
placement, an event, a provider; some of their optional fields empty), reads each ``<form method="post">``
as a browser would (its action, inputs, selects and textareas with what they hold) and sends it:

- as shown, every field kept (what a user who changes nothing sends);
- with every field it shows empty;
- with hostile text in every typed field: very long, markup, SQL-ish, odd numbers and dates, wide
  digits, bytes that are not UTF-8 (a lone surrogate's), control characters (spread over the fields,
  not crossed);
- with a choice that none of its selects, radios or checkboxes offers;
- without its CSRF token.

Every answer is below 500. A refusal (4xx) writes nothing (``table_state`` unchanged); a refused form
comes back as the form again with an error in Finnish (the error summary or the error page), a missing
CSRF token as 403. A form's own answers may move the world on (a field saved, a proposal answered), so
forms that end something (delete, withdraw, close, deactivate) are sent last.
"""

from __future__ import annotations

import re
import secrets
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

from accounts.models import Role
from core.db import Conn, connect
from tests.conftest import table_state
from tests.web.conftest import Browser, email
from tests.web.test_control_characters import FORMS, POST_PAGES, Scene, scene  # noqa: F401 (a fixture)

C, W, E, A = Role.COORDINATOR, Role.CASEWORKER, Role.EMPLOYER, Role.ADMIN

MAX_PAGES = 70
"""Pages visited per role; with one page per route (ids and queries folded) every route is reached."""
SKIPPED_ACTIONS = ("/logout", "/language")
"""Forms that end the crawl's session or only set a cookie (test_control_characters sends both)."""
LAST = ("read-all", "reset-link", "close", "withdraw", "delete", "active")
"""Forms that end or remove what others show: sent after all the rest, in this order (a deactivated user
gets no reset link)."""
NOT_CRAWLED = re.compile(r"\.(csv|pdf|svg|png|json|xlsx)$|/export|/download|/static/|^/api/")

BAD_UTF8 = "<not UTF-8>"
"""Stands for a lone surrogate's UTF-8 bytes and a stray byte (%ED%B3%BF%FF), put in by :func:`send`."""
HOSTILE = (
    "x" * 10_000,
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
    "-1",
    "1e309",
    "NaN",
    "９９",
    "2026-02-30",
    "31.2.2026",
    BAD_UTF8,
    "ä" * 5_000 + "😀" * 2_000,
    "0",
    "99999999999999999999999",
    "²",
    " ",
)
"""Values for text fields, spread over a form's fields round by round (see :func:`hostile_rounds`)."""
HIDDEN = ("", "x" * 10_000, "-1", "９９", "²", "9" * 30, "1.5")
"""Values for hidden fields (versions, ids): what a tampered or truncated form may carry."""
CONTROL = ("Testi\x00", "Testi\x1b[31m")
"""Control characters: each its own round, as the edge refuses the whole form for one of them."""
ROUNDS = 4
NOT_AN_OPTION = "ei-vaihtoehto"
TEXT_TYPES = {"text", "email", "number", "date", "search", "tel", "url", "password", "time", "month", ""}
SUMMARY = 'class="error-summary"'
ERROR_PAGE = re.compile(r'<section class="narrow">\s*<h1>[^<]+</h1>\s*<p>[^<]+</p>')
"""The error page (a refusal of the whole form, like a control character's): a title and what to do."""
NOT_WRITES = {"web_sessions", "need_vectors", "jobseeker_vectors"}
"""What a request does not write itself: the session's idle clock, restarted by every page, and the
vectors the matching engine writes in the background for a record an earlier accepted form changed."""
READ_ACTIONS = {"read", "list", "card_view"}
"""Audit actions of reads (and every ``*_read``): a refused form shows its page again, which reads."""


@dataclass
class Form:
    """A POST form as the page shows it."""

    action: str
    page: str
    """The page it was found on (also what the form's answer may link back to)."""
    hidden: dict[str, str] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)
    """Typed fields (inputs of a text-like type and textareas) with what they hold."""
    choices: dict[str, list[str]] = field(default_factory=dict)
    """Selects, radio groups and checkboxes: the values offered."""
    chosen: dict[str, list[str]] = field(default_factory=dict)
    """What the choices hold as shown (selected options, checked boxes)."""

    def shown(self) -> dict[str, Any]:
        """The form as a user who changes nothing sends it."""
        return {**self.hidden, **self.text, **{k: v for k, v in self.chosen.items() if v}}


class _Forms(HTMLParser):
    """The POST forms and the links of a page."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        form = self._form
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"])
        elif tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(action=urljoin(self.page, a.get("action") or self.page), page=self.page)
        elif tag == "option" and form is not None and self._select is not None:
            value = a.get("value", "")
            form.choices[self._select].append(value)
            if "selected" in a:
                form.chosen[self._select].append(value)
        elif form is None or "name" not in a or "disabled" in a:
            return
        elif tag == "input":
            kind, name, value = a.get("type", "text").lower(), a["name"], a.get("value", "")
            if kind == "hidden":
                form.hidden[name] = value
            elif kind in ("radio", "checkbox"):
                form.choices.setdefault(name, []).append(value or "on")
                form.chosen.setdefault(name, [])
                if "checked" in a:
                    form.chosen[name].append(value or "on")
            elif kind in TEXT_TYPES:
                form.text[name] = value
        elif tag == "textarea":
            self._textarea = a["name"]
            form.text[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            form.choices.setdefault(a["name"], [])
            form.chosen.setdefault(a["name"], [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select" and self._form is not None and self._select is not None:
            if not self._form.chosen[self._select] and self._form.choices[self._select]:
                self._form.chosen[self._select].append(self._form.choices[self._select][0])
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            self._form.text[self._textarea] += data


def _route(url: str) -> str:
    """A URL with its ids folded and its query dropped: one visit per route is enough."""
    return re.sub(r"/\d+(?=/|$)", "/{id}", urlsplit(url).path)


def crawl(browser: Browser, seeds: list[str]) -> list[Form]:
    """The POST forms on the pages reachable by links from ``/`` and the ``seeds``, one form per (route,
    fields)."""
    seen_routes: set[str] = set()
    queue: deque[str] = deque(["/", *seeds])
    forms: dict[tuple[str, tuple[str, ...]], Form] = {}
    visited = 0
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        route = _route(url)
        if route in seen_routes:
            continue
        seen_routes.add(route)
        page = browser.get(url)
        visited += 1
        assert page.status_code < 500, (url, page.text[-500:])
        if page.status_code != 200 or not page.headers["content-type"].startswith("text/html"):
            continue
        parser = _Forms(url)
        parser.feed(page.text)
        for link in parser.links:
            if not NOT_CRAWLED.search(urlsplit(link).path) and _route(link) not in seen_routes:
                queue.append(link)
        for form in parser.forms:
            if urlsplit(form.action).path in SKIPPED_ACTIONS:
                continue
            names = tuple(sorted([*form.hidden, *form.text, *form.choices]))
            forms.setdefault((_route(form.action), names), form)
    return sorted(forms.values(), key=is_last)


def is_last(form: Form) -> int:
    """Where the form comes among those that end or remove something (``LAST``); 0: not one of them."""
    end = urlsplit(form.action).path.rsplit("/", 1)[-1]
    return LAST.index(end) + 1 if end in LAST else 0


def refreshed(browser: Browser, form: Form) -> Form:
    """The form as its page shows it now (a version moved on by an earlier form of the same page)."""
    page = browser.get(form.page)
    parser = _Forms(form.page)
    parser.feed(page.text)
    same = [f for f in parser.forms if f.action == form.action and f.hidden.keys() == form.hidden.keys()]
    return same[0] if same else form


TEMPLATES = {t: re.compile(re.sub(r"\{\w+(:\w+)?\}", r"\\d+", t) + "$") for t in POST_PAGES}


def valid_data(form: Form, role: Role, ids: dict[str, int]) -> dict[str, Any] | None:
    """A valid filling of the form as the role's user sends it (``test_control_characters.FORMS``), with
    the page's hidden fields, the choices it does not name as the page made them, a choice it names kept
    whole where the page chose more (a provider's services: one removed may have referrals), and an email
    address of its own (another form may have taken the one there)."""
    path = urlsplit(form.action).path
    template = next((t for t, pattern in TEMPLATES.items() if pattern.match(path)), None)
    if template is None or template not in FORMS or FORMS[template].role is not role or template in NO_VALID:
        return None
    shown = {k: v for k, v in form.chosen.items() if any(v)}
    data: dict[str, Any] = {**shown, **{k: v.format(**ids) for k, v in FORMS[template].form.items()}}
    for name, value in FORMS[template].form.items():
        if value in shown.get(name, ()):
            data[name] = shown[name]
    if "email" in form.text:
        data["email"] = f"{secrets.token_hex(4)}@a.example"
    return {**data, **form.hidden}


def hostile_rounds(form: Form) -> Iterator[tuple[str, dict[str, Any]]]:
    """The form with hostile text: round r gives typed field i the value ``HOSTILE[(i + r * 3) % n]``,
    so that each field meets several values and, over a form of several fields, every value meets one;
    then one round per control character in every typed field; then the hidden fields (versions, ids)
    get the ``HIDDEN`` values, one round each."""
    names = list(form.text)
    for r in range(ROUNDS):
        data = form.shown()
        for i, name in enumerate(names):
            data[name] = HOSTILE[(i + r * 3) % len(HOSTILE)]
        yield f"hostile round {r}", data
    for value in CONTROL:
        yield f"control {value!r}", {**form.shown(), **dict.fromkeys(names, value)}
    hidden = [n for n in form.hidden if n not in ("csrf_token", "form_token")]
    for value in HIDDEN if hidden else ():
        yield f"hidden {value[:20]!r}", {**form.shown(), **dict.fromkeys(hidden, value)}


def variants(form: Form) -> Iterator[tuple[str, dict[str, Any]]]:
    """What is sent to one form (the CSRF token left out of the data: :func:`send` adds it)."""
    yield "empty", {**form.hidden, **dict.fromkeys([*form.text, *form.choices], "")}
    yield from hostile_rounds(form)
    if form.choices:
        yield "no such option", {**form.shown(), **dict.fromkeys(form.choices, NOT_AN_OPTION)}


@dataclass
class Sent:
    """One answer, for the failure message."""

    role: Role
    action: str
    variant: str
    status: int
    body: str

    def __str__(self) -> str:
        said = re.search(r'class="error-summary".*?</(div|p)>', self.body, re.S)
        shown = " ".join(re.sub(r"<[^>]+>", " ", said.group(0)).split()) if said else self.body[-400:]
        return f"{self.role.value} POST {self.action} ({self.variant}): {self.status} {shown!r}"


def send(browser: Browser, form: Form, data: dict[str, Any], *, csrf: bool = True) -> Any:
    """POST the data as the form's browser would (a fresh form token each time, as a fresh page has)."""
    data = dict(data)
    if "form_token" in form.hidden and data.get("form_token") == form.hidden["form_token"]:
        data["form_token"] = secrets.token_urlsafe(16)
    if not csrf:
        data.pop("csrf_token", None)
    # Encoded by hand, so that a value may carry bytes that are not UTF-8 (BAD_UTF8), as a raw client can.
    body = urlencode(data, doseq=True).replace(urlencode({"": BAD_UTF8})[1:], "%ED%B3%BF%FF")
    headers = {"content-type": "application/x-www-form-urlencoded"}
    return browser.client.post(form.action, content=body, headers=headers, follow_redirects=False)


State = tuple[dict[str, tuple[int, int]], int]


def state(conn: Conn) -> State:
    """Each table's rows and newest write (``table_state``), and the newest audit row's id."""
    newest = conn.execute("SELECT coalesce(max(id), 0) AS id FROM audit_log").fetchone()
    assert newest is not None
    return table_state(conn), newest["id"]


def written(conn: Conn, before: State) -> list[str]:
    """The tables a request wrote to since ``before``, leaving out what every page writes: the session's
    idle clock (``web_sessions``) and the audit rows of the jobseekers the answer shows (reads)."""
    tables = table_state(conn)
    wrote = sorted(t for t in tables if tables[t] != before[0].get(t) and t not in NOT_WRITES)
    if "audit_log" in wrote:
        actions = conn.execute("SELECT DISTINCT action FROM audit_log WHERE id > %s", (before[1],))
        done = {a for r in actions if not ((a := r["action"]) in READ_ACTIONS or a.endswith("_read"))}
        wrote.remove("audit_log")
        wrote += [f"audit_log ({a})" for a in sorted(done)]
    return wrote


def check(sent: Sent, wrote: list[str]) -> list[str]:
    """What is wrong with one answer (nothing: an empty list)."""
    problems = []
    if sent.status >= 500:
        problems.append(f"server error: {sent}")
    elif 400 <= sent.status < 500:
        if wrote:
            problems.append(f"refused but wrote {wrote}: {sent}")
        if not (SUMMARY in sent.body or ERROR_PAGE.search(sent.body)):
            problems.append(f"refused without an error shown: {sent}")
        if '<html lang="fi">' not in sent.body:
            problems.append(f"refusal not in Finnish: {sent}")
    return problems


ROLES = [C, W, E, A]
NO_VALID = {"/carving/jobs/new"}
"""Forms that ``FORMS`` does not fill validly in this world (a job is made of two open tasks chosen)."""
SEEDS = {
    C: ["/carving/jobs/new", "/needs/{need_id}/close?status=filled"],
    A: ["/admin/users/{user_id}"],
}
"""Pages no link leads to (a GET form does, or a choice of tasks), and another user's page than one's own
(where the form to deactivate is): visited first."""
REACHED = {
    C: {"/employers/new", "/needs/{id}/edit", "/needs/{id}/close", "/carving/jobs/new", "/target-groups"},
    W: {"/clients/new", "/clients/{id}", "/clients/{id}/capacity", "/clients/{id}/plans/{id}/edit"},
    E: {"/needs/new", "/needs/{id}/edit", "/cards/{id}/answer", "/inbox/preferences"},
    A: {"/admin/users", "/admin/users/{id}/active", "/admin/settings", "/service-providers/{id}"},
}
"""Forms the crawl must find (of the 20-odd each role reaches): a check on the crawl itself."""


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_every_form_of_a_role_refuses_bad_input_without_an_error_or_a_write(
    browser: Browser,
    scene: Scene,  # noqa: F811
    db: str,
    role: Role,
) -> None:
    assert browser.sign_in(email(role)).status_code == 303
    forms = crawl(browser, [seed.format(**scene.ids()) for seed in SEEDS.get(role, [])])
    problems: list[str] = []
    accepted: list[str] = []
    with connect(db, autocommit=True) as conn:
        for form in forms:
            # A user's own sending first: a valid filling, and an edit form sent unchanged, succeed.
            form = refreshed(browser, form)
            for name in ("valid", "as shown"):
                data = valid_data(form, role, scene.ids()) if name == "valid" else form.shown()
                if data is None or (name == "as shown" and ("version" not in form.hidden or is_last(form))):
                    continue
                answer = send(browser, form, data)
                sent = Sent(role, form.action, name, answer.status_code, answer.text)
                if answer.status_code not in (200, 303):
                    problems.append(f"a good form refused: {sent}")
                accepted.append(form.action)
                form = refreshed(browser, form)
            for name, data in variants(form):
                before = state(conn)
                answer = send(browser, form, data)
                sent = Sent(role, form.action, name, answer.status_code, answer.text)
                problems += check(sent, written(conn, before))
            before = state(conn)
            answer = send(browser, form, form.shown(), csrf=False)
            sent = Sent(role, form.action, "no CSRF token", answer.status_code, answer.text)
            wrote = written(conn, before)
            if answer.status_code != 403 or wrote:
                problems.append(f"not refused as forbidden {wrote}: {sent}")
    assert REACHED[role] <= {_route(f.action) for f in forms}, "the crawl missed forms of the role"
    assert len(accepted) >= 3, accepted
    assert not problems, "\n".join(problems)
