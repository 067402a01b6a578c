"""Bad bytes are refused at the edge, on the pages too: a NUL in any form field (the sign-in's included)
or query parameter answers the 422 page in the user's language, naming the field, never a 500; it does
not echo the value and writes nothing. List pages bound their offset as the API does.

The forms are every POST page route (a new one fails ``test_every_form_has_a_case`` until it gets a
valid form below); the query parameters are every text parameter of the GET page routes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import routing

from accounts.models import Role
from core.db import connect
from core.settings import Settings
from server.app import create_app
from tests.conftest import PASSWORD, AreaWorld, table_state
from tests.foundation.test_authorization_matrix import Objects, add_proposal, make_objects
from tests.web.conftest import Browser, SignIn, csrf_of, email

C, W, E, A = Role.COORDINATOR, Role.CASEWORKER, Role.EMPLOYER, Role.ADMIN
SECRET = "Matti Meikäläinen"
NUL_TEXT = f"{SECRET}\x00"

ROUTES = list(routing.iter_route_contexts(create_app(Settings(embedder="fake")).routes))
PAGE_ROUTES = [r for r in ROUTES if r.methods and not (r.path or "").startswith("/api/")]
POST_PAGES = sorted(r.path for r in PAGE_ROUTES if "POST" in (r.methods or ()))


@dataclass(frozen=True)
class Scene:
    """An employer with a need, and a client with a consent (no proposals yet); a proposal waiting for the
    employer user's answer; a placement."""

    objects: Objects
    proposal_id: int
    placement_id: int
    notice_id: int
    event_id: int
    provider_id: int = 0
    """A provider of the area's actor map, to which the client has an open referral."""

    def ids(self) -> dict[str, int]:
        o = self.objects
        return {
            "employer_id": o.employer_id,
            "contact_id": o.contact_id,
            "need_id": o.need_id,
            "jobseeker_id": o.jobseeker_id,
            "consent_id": o.consent_id,
            "proposal_id": self.proposal_id,
            "placement_id": self.placement_id,
            "user_id": o.user_id,
            "notice_id": self.notice_id,
            "event_id": self.event_id,
            "provider_id": self.provider_id,
            "group_id": o.group_id,
            "plan_id": o.plan_id,
        }


@pytest.fixture
def scene(world: AreaWorld, db: str) -> Scene:
    with connect(db, autocommit=True) as conn:
        caseworker, coordinator = world.user_ids[W], world.user_ids[C]
        objects = make_objects(conn, world.area_id, caseworker, "Web", 1, announce=False)
        proposed = add_proposal(
            conn, make_objects(conn, world.area_id, caseworker, "Web2", 2, announce=False), coordinator, ""
        )
        placed = add_proposal(
            conn,
            make_objects(conn, world.area_id, caseworker, "Web3", 3, announce=False),
            coordinator,
            "placed",
        )
        conn.execute(
            "UPDATE users SET employer_id = %s WHERE id = %s", (proposed.employer_id, world.user_ids[E])
        )
        notice = conn.execute(
            "INSERT INTO notifications (area_id, user_id, kind, subject_key, link)"
            " VALUES (%s, %s, 'intro_card', 'web', '/cards') RETURNING id",
            (world.area_id, world.user_ids[E]),
        ).fetchone()
        assert notice is not None
        provider = conn.execute(
            "INSERT INTO service_providers (area_id, name, kind, services)"
            " VALUES (%s, 'TYP Turku', 'typ', '{rehabilitative_work,career_coaching}') RETURNING id",
            (world.area_id,),
        ).fetchone()
        assert provider is not None
        conn.execute(
            "INSERT INTO referrals (area_id, jobseeker_id, provider_id, service, starts_on, referred_by)"
            " VALUES (%s, %s, %s, 'rehabilitative_work', current_date, %s)",
            (world.area_id, objects.jobseeker_id, provider["id"], caseworker),
        )
    return Scene(
        objects=objects,
        proposal_id=proposed.proposal_id,
        placement_id=placed.placement_id,
        notice_id=notice["id"],
        event_id=objects.event_id,
        provider_id=provider["id"],
    )


@dataclass(frozen=True)
class FormCase:
    """A form as a user of ``role`` sends it, and the fields the NUL goes into. Forms without a text
    field of their own get it in their CSRF token (a hidden field like any other)."""

    role: Role | None
    form: dict[str, str]
    fields: tuple[str, ...]


FORMS = {
    "/login": FormCase(
        None, {"email": email(C), "password": PASSWORD, "next": "/"}, ("email", "password", "next")
    ),
    "/logout": FormCase(C, {}, ("csrf_token",)),
    "/language": FormCase(None, {"language": "sv", "next": "/login"}, ("next", "language")),
    "/employers/new": FormCase(
        C,
        {"name": "Uusi Oy", "business_id": "1572860-0", "municipality": "Lieto"},
        ("name",),
    ),
    "/employers/{employer_id:int}/visit": FormCase(
        C,
        {"kind": "visit", "contact_date": "2025-11-05", "summary": "Käynti", "next_step": "Soita"},
        ("summary", "next_step"),
    ),
    "/contacts/{contact_id:int}/done": FormCase(C, {"back": "card"}, ("csrf_token", "back")),
    "/employers/{employer_id:int}/coordinator": FormCase(
        C, {"responsible_coordinator": "", "version": "1"}, ("responsible_coordinator", "version")
    ),
    "/admin/settings": FormCase(A, {"caseworker_field_work": "no"}, ("caseworker_field_work",)),
    "/admin/personal-data/{jobseeker_id:int}/erase": FormCase(
        A, {"reason": "pyyntö", "confirm": "Hakija-ABCDEF"}, ("reason", "confirm")
    ),
    "/carving/tasks/new": FormCase(
        C,
        {
            "employer_id": "{employer_id}",
            "title": "Siivous",
            "hours_per_week": "8",
            "schedule": "ma 8.00-10.00",
        },
        ("title", "schedule"),
    ),
    "/carving/jobs/new": FormCase(
        C, {"title": "Palveluavustaja", "description": "Kaksi tehtävää"}, ("title",)
    ),
    "/needs/{need_id:int}/propose": FormCase(
        C, {"jobseeker_id": "{jobseeker_id}", "note": "Sopiva"}, ("note",)
    ),
    "/needs/new": FormCase(E, {"title": "Kesätyö", "description": "Puistotöitä."}, ("title", "description")),
    "/needs/{need_id:int}/edit": FormCase(
        C,
        {"title": "Keräilijä", "municipality": "Turku", "positions": "2", "version": "1"},
        ("title",),
    ),
    "/needs/{need_id:int}/close": FormCase(C, {"status": "filled", "version": "1"}, ("status",)),
    "/clients/new": FormCase(
        W,
        {
            "full_name": "Maija Meikäläinen",
            "municipality": "Lieto",
            "skills": "keräily",
            "service_stage": "job_search",
        },
        ("full_name", "skills"),
    ),
    "/clients/{jobseeker_id:int}": FormCase(
        W,
        {"full_name": "Maija", "municipality": "Turku", "profile_text": "Varastotyö", "version": "1"},
        ("profile_text",),
    ),
    "/clients/{jobseeker_id:int}/capacity": FormCase(
        W, {"details": "Selkä", "max_hours_per_day": "6", "version": "1"}, ("details",)
    ),
    "/clients/{jobseeker_id:int}/consents": FormCase(
        W,
        {"scope": "disclose_identity", "employer_id": "{employer_id}"},
        ("scope",),
    ),
    "/clients/{jobseeker_id:int}/consents/{consent_id:int}/withdraw": FormCase(W, {}, ("csrf_token",)),
    "/clients/{jobseeker_id:int}/placement-forms": FormCase(
        W, {"form": "work_trial", "change": "added", "decided_on": "2025-11-05"}, ("decided_on",)
    ),
    "/clients/{jobseeker_id:int}/service-need": FormCase(
        W, {"assessed_on": "2025-11-05", "level": "light_support", "notes": "Uni"}, ("notes",)
    ),
    "/clients/{jobseeker_id:int}/plans": FormCase(
        W, {"kind": "employment", "drawn_up_on": "2025-11-05", "steps": "Trukkikortti"}, ("steps",)
    ),
    "/target-groups": FormCase(A, {"name": "Nuoret", "age_under": "25"}, ("name",)),
    "/target-groups/{group_id:int}/edit": FormCase(
        C, {"name": "Nuoret", "age_under": "25", "version": "1"}, ("name", "version")
    ),
    "/target-groups/{group_id:int}/delete": FormCase(A, {}, ("csrf_token",)),
    "/clients/{jobseeker_id:int}/plans/{plan_id:int}/edit": FormCase(
        W,
        {"kind": "employment", "drawn_up_on": "2025-01-10", "steps": "Trukkikortti", "version": "1"},
        ("steps", "version"),
    ),
    "/service-providers": FormCase(
        C,
        {"name": "Kela Turku", "kind": "kela", "services": "rehabilitation", "contact": "puh"},
        ("name", "contact"),
    ),
    "/service-providers/{provider_id:int}": FormCase(
        A,
        {
            "name": "TYP Turku",
            "kind": "typ",
            "services": "career_coaching",
            "description": "Kuvaus",
            "version": "1",
        },
        ("description",),
    ),
    "/clients/{jobseeker_id:int}/referrals": FormCase(
        W,
        {"provider_id": "{provider_id}", "service": "career_coaching", "starts_on": "2025-11-05"},
        ("starts_on", "service"),
    ),
    "/clients/{jobseeker_id:int}/referral-end": FormCase(
        W, {"referral": "1", "ended_on": "2025-11-05", "end_outcome": "education"}, ("ended_on",)
    ),
    "/employers/{employer_id:int}/kind": FormCase(C, {"kind": "firm"}, ("kind",)),
    "/proposals/{proposal_id:int}/transition": FormCase(
        C, {"to": "interested", "note": "Soitettu"}, ("note",)
    ),
    "/cards/{proposal_id:int}/answer": FormCase(
        E, {"answer": "interested", "comment": "Kiinnostaa"}, ("comment",)
    ),
    "/placements/{placement_id:int}/follow-ups": FormCase(
        C, {"due": "3", "outcome": "studies", "note": "Opiskelee"}, ("note",)
    ),
    "/inbox/{notice_id:int}/read": FormCase(E, {}, ("csrf_token",)),
    "/events/new": FormCase(
        C,
        {
            "kind": "fair",
            "title": "Messut",
            "event_date": "2025-11-05",
            "municipality": "Turku",
            "place": "Halli",
        },
        ("title", "place"),
    ),
    "/events/{event_id:int}/edit": FormCase(
        C,
        {"title": "Messut", "event_date": "2025-11-05", "municipality": "Turku", "version": "1"},
        ("title",),
    ),
    "/events/{event_id:int}/participants": FormCase(C, {"employer_id": "{employer_id}"}, ("employer_id",)),
    "/events/{event_id:int}/attendance": FormCase(C, {}, ("csrf_token",)),
    "/inbox/read-all": FormCase(E, {}, ("csrf_token",)),
    "/inbox/preferences": FormCase(E, {"email": "intro_card", "language": "sv"}, ("language",)),
    "/admin/users": FormCase(
        A,
        {
            "display_name": "Uusi",
            "email": "uusi@a.example",
            "role": "coordinator",
            "password": "pitkä-salasana",
        },
        ("display_name", "password"),
    ),
    "/admin/users/{user_id:int}": FormCase(
        A,
        {"display_name": "Uusi Nimi", "email": "uusi@a.example", "role": "coordinator"},
        ("display_name", "email"),
    ),
    "/admin/users/{user_id:int}/active": FormCase(A, {"active": "false"}, ("active",)),
    "/admin/users/{user_id:int}/reset-link": FormCase(A, {}, ("csrf_token",)),
    "/account/password": FormCase(
        C,
        {
            "current_password": PASSWORD,
            "new_password": "uusi-salasana-1",
            "new_password_again": "uusi-salasana-1",
        },
        ("current_password", "new_password"),
    ),
    "/password/reset": FormCase(
        None,
        {"token": "linkin-avain", "new_password": "uusi-salasana-1", "new_password_again": "uusi-salasana-1"},
        ("token", "new_password"),
    ),
}


def _path(template: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: str(ids[m.group(1)]), template)


def test_every_form_has_a_case() -> None:
    assert sorted(FORMS) == POST_PAGES


FORM_CASES = [
    pytest.param(template, field, id=f"POST {template} {field}")
    for template, case in FORMS.items()
    for field in case.fields
]


def _signed_in(browser: Browser, role: Role | None) -> Browser:
    if role is not None:
        assert browser.sign_in(email(role)).status_code == 303
    return browser


@pytest.mark.parametrize(("template", "field"), FORM_CASES)
def test_a_nul_in_a_form_field_is_the_422_page_naming_it(
    browser: Browser, scene: Scene, db: str, template: str, field: str
) -> None:
    case = FORMS[template]
    ids = scene.ids()
    _signed_in(browser, case.role)
    shown = browser.get("/" if case.role else "/login")  # any page: the CSRF token is the session's
    data = {"csrf_token": csrf_of(shown.text), **{k: v.format(**ids) for k, v in case.form.items()}}
    data[field] = data[field] + "\x00" if field == "csrf_token" else NUL_TEXT
    browser.client.cookies.set("kohtaamo_lang", "en")
    with connect(db, autocommit=True) as conn:
        before = table_state(conn)

        sent = browser.client.post(_path(template, ids), data=data, follow_redirects=False)

        assert sent.status_code == 422, (sent.status_code, sent.text[-600:])
        assert sent.headers["content-type"].startswith("text/html")
        assert f"The field “{field}” contains a control character" in sent.text
        assert "Matti" not in sent.text
        assert table_state(conn) == before, "a refused form wrote to the database"


def test_the_page_speaks_the_users_language_and_a_multipart_form_is_read_too(browser: Browser) -> None:
    shown = browser.get("/login")
    data = {"csrf_token": csrf_of(shown.text), "password": PASSWORD, "next": "/"}
    sent = browser.client.post("/login", data=data, files={"email": (None, NUL_TEXT)}, follow_redirects=False)
    assert sent.status_code == 422
    assert '<html lang="fi">' in sent.text
    assert "Kentässä ”email” on ohjausmerkki" in sent.text


# Query parameters ----------------------------------------------------------------------------------

QUERY_ROLES = {
    "/clients": W,
    "/admin/personal-data": A,
    "/clients/{jobseeker_id:int}/matches": W,
    "/login": None,
    "/password/reset": None,
}
"""Who opens each page with a text parameter (anyone else: a coordinator)."""


def _text_parameters(route: Any) -> list[str]:
    return [p.alias for p in route.dependant.query_params if p.field_info.annotation is str]


QUERY_CASES = [
    pytest.param(route.path, name, id=f"GET {route.path} {name}")
    for route in PAGE_ROUTES
    if "GET" in (route.methods or ()) and hasattr(route, "dependant")
    for name in _text_parameters(route)
] + [pytest.param("/no-such-page", "utm_source", id="GET /no-such-page utm_source")]


def test_the_query_cases_cover_the_text_parameters() -> None:
    covered = {c.values[:2] for c in QUERY_CASES}
    assert {("/needs", "q"), ("/clients", "q"), ("/search", "text"), ("/login", "next")} <= covered
    assert ("/indicators", "date_from") in covered


@pytest.mark.parametrize(("template", "name"), QUERY_CASES)
def test_a_nul_in_a_query_parameter_is_the_422_page_naming_it(
    browser: Browser, scene: Scene, db: str, template: str, name: str
) -> None:
    role = QUERY_ROLES.get(template, C)
    _signed_in(browser, role)
    path = _path(template, {**scene.ids(), "name": "activation_rate", "kind": "svg"})
    with connect(db, autocommit=True) as conn:
        before = table_state(conn)

        sent = browser.client.get(path, params={name: NUL_TEXT}, follow_redirects=False)

        assert sent.status_code == 422, (sent.status_code, sent.text[-600:])
        assert f"Kentässä ”{name}” on ohjausmerkki" in sent.text
        assert "Matti" not in sent.text and "%00" not in sent.text
        assert table_state(conn) == before


# Offsets ---------------------------------------------------------------------------------------------

LISTS = [
    (C, "/employers"),
    (C, "/needs"),
    (W, "/clients"),
    (C, "/proposals"),
    (C, "/placements"),
    (A, "/admin/users"),
]


@pytest.mark.parametrize(("role", "path"), LISTS, ids=[p for _, p in LISTS])
def test_a_list_page_bounds_its_offset(signed_in: SignIn, role: Role, path: str) -> None:
    browser = signed_in(role)
    for offset in (2**63, 2**64 + 5, 10**30, -(2**63) - 1):
        page = browser.get(f"{path}?offset={offset}")
        assert page.status_code == 200, (offset, page.text[-500:])
