"""Every form error names its field: each form, sent with one bad value, comes back with an error summary
whose entry for that field starts with the field's label as the form shows it, and links to the field.

The POST forms are every POST page route (a new one fails ``test_every_form_has_a_bad_value_case`` until
it gets a case or a reason below); the GET forms are the list and search filters.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import pytest

from accounts.models import Role
from core.db import connect
from tests.conftest import PASSWORD
from tests.web.conftest import Browser, csrf_of, email
from tests.web.test_control_characters import POST_PAGES, Scene, _path, scene  # noqa: F401 (a fixture)

C, W, E, A = Role.COORDINATOR, Role.CASEWORKER, Role.EMPLOYER, Role.ADMIN


@dataclass(frozen=True)
class BadForm:
    """A form as a user of ``role`` sends it, with a bad value in ``field``."""

    role: Role
    form: dict[str, str]
    field: str
    state: str | None = None
    """The proposal's state first, where the form is shown only in one."""


BAD_POSTS = {
    "/employers/new": BadForm(
        C, {"name": "Uusi Oy", "business_id": "123", "municipality": "Lieto"}, "business_id"
    ),
    "/employers/{employer_id:int}/visit": BadForm(
        C, {"kind": "visit", "contact_date": "eilen", "summary": "Käynti"}, "contact_date"
    ),
    "/employers/{employer_id:int}/coordinator": BadForm(
        C, {"responsible_coordinator": "joku muu", "version": "1"}, "responsible_coordinator"
    ),
    "/admin/settings": BadForm(A, {"caseworker_field_work": "ehkä"}, "caseworker_field_work"),
    "/admin/personal-data/{jobseeker_id:int}/erase": BadForm(
        A, {"reason": "pyyntö", "confirm": "väärä"}, "confirm"
    ),
    "/carving/tasks/new": BadForm(
        C, {"employer_id": "{employer_id}", "title": "Siivous", "hours_per_week": "paljon"}, "hours_per_week"
    ),
    "/carving/jobs/new": BadForm(C, {"title": "x" * 201}, "title"),
    "/needs/{need_id:int}/propose": BadForm(
        C, {"jobseeker_id": "{jobseeker_id}", "note": "x" * 2001}, "note"
    ),
    "/needs/new": BadForm(
        E, {"title": "Kesätyö", "municipality": "Turku", "hours_per_week": "paljon"}, "hours_per_week"
    ),
    "/needs/{need_id:int}/edit": BadForm(
        C, {"title": "Keräilijä", "municipality": "Turku", "positions": "0", "version": "1"}, "positions"
    ),
    "/clients/new": BadForm(
        W, {"full_name": "Maija", "municipality": "Lieto", "birth_year": "x"}, "birth_year"
    ),
    "/clients/{jobseeker_id:int}": BadForm(
        W,
        {"full_name": "Maija", "municipality": "Turku", "max_commute_km": "kaukana", "version": "1"},
        "max_commute_km",
    ),
    "/clients/{jobseeker_id:int}/capacity": BadForm(
        W, {"max_hours_per_day": "x", "version": "1"}, "max_hours_per_day"
    ),
    "/clients/{jobseeker_id:int}/consents": BadForm(W, {"scope": "everything"}, "scope"),
    "/clients/{jobseeker_id:int}/placement-forms": BadForm(
        W, {"form": "work_trial", "change": "added", "decided_on": "eilen"}, "decided_on"
    ),
    "/proposals/{proposal_id:int}/transition": BadForm(
        C, {"to": "placed", "form": "work_trial", "start_date": "huomenna"}, "start_date", state="interview"
    ),
    "/cards/{proposal_id:int}/answer": BadForm(E, {"answer": "not_suitable"}, "reason_code"),
    "/placements/{placement_id:int}/follow-ups": BadForm(
        C, {"due": "3", "outcome": "lottovoitto"}, "outcome"
    ),
    "/admin/users": BadForm(
        A,
        {"display_name": "Uusi", "email": "ei-osoite", "role": "coordinator", "password": "pitkä-salasana"},
        "email",
    ),
    "/clients/{jobseeker_id:int}/service-need": BadForm(
        W, {"assessed_on": "eilen", "level": "light_support"}, "assessed_on"
    ),
    "/clients/{jobseeker_id:int}/plans": BadForm(
        W, {"kind": "employment", "drawn_up_on": "eilen", "steps": "Trukkikortti"}, "drawn_up_on"
    ),
    "/target-groups": BadForm(A, {"name": "Nuoret", "age_under": "nuori"}, "age_under"),
    "/clients/{jobseeker_id:int}/plans/{plan_id:int}/edit": BadForm(
        W,
        {"kind": "employment", "drawn_up_on": "10.1.2025", "steps": "Trukkikortti 1.1.2025", "version": "1"},
        "steps",
    ),
    "/target-groups/{group_id:int}/edit": BadForm(
        C, {"name": "Nuoret", "age_min": "30", "age_under": "25", "version": "1"}, "age_min"
    ),
    "/events/new": BadForm(
        C, {"kind": "fair", "title": "Messut", "event_date": "eilen", "municipality": "Turku"}, "event_date"
    ),
    "/events/{event_id:int}/edit": BadForm(
        W,
        {"title": "Messut", "event_date": "2025-11-05", "municipality": "Helsinki", "version": "1"},
        "municipality",
    ),
    "/events/{event_id:int}/participants": BadForm(C, {"employer_id": "kaikki"}, "employer_id"),
    "/service-providers": BadForm(
        C, {"name": "Kela Turku", "kind": "pankki", "services": "rehabilitation"}, "kind"
    ),
    "/service-providers/{provider_id:int}": BadForm(
        A, {"name": "TYP Turku", "kind": "pankki", "services": "career_coaching", "version": "1"}, "kind"
    ),
    "/clients/{jobseeker_id:int}/referrals": BadForm(
        W,
        {
            "provider_id": "{provider_id}",
            "service": "career_coaching",
            "starts_on": "1.1.2026",
            "ends_on": "1.1.2025",
        },
        "ends_on",
    ),
    "/clients/{jobseeker_id:int}/referral-end": BadForm(
        W, {"referral": "1", "ended_on": "eilen"}, "ended_on"
    ),
    "/employers/{employer_id:int}/kind": BadForm(C, {"kind": "arvaus"}, "kind"),
    "/inbox/preferences": BadForm(E, {"email": "intro_card", "language": "de"}, "language"),
    "/admin/users/{user_id:int}": BadForm(
        A, {"display_name": "Uusi Nimi", "email": "ei-osoite", "role": "coordinator"}, "email"
    ),
    "/account/password": BadForm(
        C,
        {"current_password": PASSWORD, "new_password": "lyhyt", "new_password_again": "lyhyt"},
        "new_password",
    ),
}
NO_TYPED_FIELD = {
    "/login": "a wrong email or password is one error of the whole form (which field is not told)",
    "/logout": "a button",
    "/language": "buttons",
    "/needs/{need_id:int}/close": "a choice of two; anything else closes as cancelled",
    "/clients/{jobseeker_id:int}/consents/{consent_id:int}/withdraw": "a button",
    "/admin/users/{user_id:int}/active": "a button",
    "/admin/users/{user_id:int}/reset-link": "a button",
    "/inbox/read-all": "a button",
    "/contacts/{contact_id:int}/done": "a button",
    "/events/{event_id:int}/attendance": "choices from lists only: a value outside them is one error of"
    " the whole form (tests/web/test_event_pages.py)",
    "/inbox/{notice_id:int}/read": "a button",
    "/target-groups/{group_id:int}/delete": "a button (asked first on its own page)",
    "/password/reset": "needs a live link: tests/web/test_account_pages.py checks its summary",
}
BAD_GETS = {
    "/search?searched=true&text=": (C, "text"),
    "/needs?created_from=eilen": (C, "created_from"),
    "/clients?created_to=huomenna": (W, "created_to"),
    "/clients?created_from=0": (W, "created_from"),  # not seconds since 1970
    "/employers?municipality=Atlantis": (C, "municipality"),
    "/employers?created_from=eilen": (C, "created_from"),
    "/proposals?proposed_to=31.2.2026": (C, "proposed_to"),
    "/proposals?municipality=Atlantis": (W, "municipality"),
    "/placements?start_from=eilen": (C, "start_from"),
    "/placements?municipality=Atlantis": (A, "municipality"),
    "/placements?start_to=huomenna": (E, "start_to"),
    "/indicators?date_from=2025-12-01&date_to=2025-01-01": (A, "date_from"),
    "/carving?min_hours=30&max_hours=20": (C, "max_hours"),
    "/carving?max_distance_km=kaukana": (C, "max_distance_km"),
    "/events?date_from=eilen": (W, "date_from"),
}

SUMMARY = re.compile(r'<div class="error-summary".*?</div>', re.S)
ENTRY = re.compile(r'<a href="#(f-[\w-]+)"><span class="field-name">(.*?): </span>')


def _label(page: str, field_id: str) -> str:
    found = re.search(rf'<label for="{field_id}">(.*?)</label>', page, re.S) or re.search(
        rf'<label class="check"><input [^>]*id="{field_id}"[^>]*>(.*?)</label>', page, re.S
    )
    assert found, f"no label for {field_id}"
    text = re.sub(r'<span class="req">.*?</span>', "", found.group(1), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", "", text).split())


def _check_summary(page: str, field: str) -> None:
    summaries = SUMMARY.findall(page)
    assert summaries, "no error summary"
    entries = dict(ENTRY.findall("".join(summaries)))
    assert f"f-{field}" in entries, (field, summaries)
    for field_id, named in entries.items():
        assert named and named == _label(page, field_id), (field_id, named)
    # Every entry that links to a field names it (no entry without its label).
    assert "".join(summaries).count('href="#f-') == len(entries)
    assert html.unescape(entries[f"f-{field}"])


def test_every_form_has_a_bad_value_case() -> None:
    assert sorted([*BAD_POSTS, *NO_TYPED_FIELD]) == POST_PAGES


@pytest.mark.parametrize("template", sorted(BAD_POSTS))
def test_a_bad_value_is_named_by_its_label_in_the_summary(
    browser: Browser,
    scene: Scene,  # noqa: F811
    db: str,
    template: str,
) -> None:
    case = BAD_POSTS[template]
    ids = scene.ids()
    if case.state is not None:
        with connect(db, autocommit=True) as conn:
            moved = conn.execute(
                "UPDATE proposals SET state = %s WHERE id = %s", (case.state, scene.proposal_id)
            ).rowcount
            assert moved == 1
    assert browser.sign_in(email(case.role)).status_code == 303
    shown = browser.get("/")
    data = {"csrf_token": csrf_of(shown.text), **{k: v.format(**ids) for k, v in case.form.items()}}
    sent = browser.client.post(_path(template, ids), data=data, follow_redirects=False)
    assert sent.status_code in (409, 422), (sent.status_code, sent.text[-500:])
    _check_summary(sent.text, case.field)


@pytest.mark.parametrize("url", sorted(BAD_GETS))
def test_a_bad_filter_is_named_by_its_label_in_the_summary(browser: Browser, scene: Scene, url: str) -> None:  # noqa: F811
    role, field = BAD_GETS[url]
    assert browser.sign_in(email(role)).status_code == 303
    shown = browser.get(url)
    assert shown.status_code in (200, 422)
    _check_summary(shown.text, field)
