"""A form error says what is wrong and how to put it right: the range, the limit or the example, in the
reader's language; every error of a form comes at once, listed in the order of the form's fields."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from accounts.models import Role
from core import clock
from core.db import connect
from tests.conftest import AreaWorld
from tests.web.conftest import Browser, csrf_of, email
from tests.web.test_control_characters import Scene, scene  # noqa: F401 (a fixture)

C, W, E, A = Role.COORDINATOR, Role.CASEWORKER, Role.EMPLOYER, Role.ADMIN
SUMMARY = re.compile(r'<div class="error-summary".*?</div>', re.S)
ENTRY = re.compile(r'<a href="#f-([\w-]+)"><span class="field-name">(.*?): </span>(.*?)</a>', re.S)


def _send(browser: Browser, role: Role, url: str, data: dict[str, str], language: str = "fi") -> str:
    """The page a user of ``role`` (signed in here unless someone is) gets back for ``data`` sent to
    ``url``: refused (422)."""
    if browser.get("/login").status_code == 200:
        assert browser.sign_in(email(role)).status_code == 303
    if language != "fi":
        browser.post("/language", {"language": language, "next": "/"})
    shown = browser.get("/")
    sent = browser.client.post(url, data={"csrf_token": csrf_of(shown.text), **data}, follow_redirects=False)
    assert sent.status_code == 422, (sent.status_code, sent.text[-800:])
    return sent.text


def _errors(page: str) -> list[tuple[str, str, str]]:
    """The error summary's entries in order: (field, its label, message)."""
    summaries = SUMMARY.findall(page)
    assert summaries, "no error summary"
    return [
        (field, html.unescape(label), html.unescape(message))
        for field, label, message in ENTRY.findall(summaries[0])
    ]


def _error(page: str, field: str) -> str:
    found = {name: message for name, _, message in _errors(page)}
    assert field in found, (field, _errors(page))
    return found[field]


def _day(days: int) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def _interview(db: str, proposal_id: int) -> None:
    with connect(db, autocommit=True) as conn:
        conn.execute("UPDATE proposals SET state = 'interview' WHERE id = %s", (proposal_id,))


# 1. A validator's refusal says what is wrong -------------------------------------------------------


def test_a_placement_ending_before_it_starts_is_refused_in_the_referral_forms_words(
    browser: Browser,
    scene: Scene,  # noqa: F811
    db: str,
) -> None:
    _interview(db, scene.proposal_id)
    page = _send(
        browser,
        C,
        f"/proposals/{scene.proposal_id}/transition",
        {"to": "placed", "form": "work_trial", "start_date": _day(10), "end_date": _day(5)},
    )
    assert _error(page, "end_date") == "Päättyminen ei voi olla ennen alkamista."


def test_a_birth_year_and_an_unemployment_start_out_of_range_say_the_range(
    browser: Browser,
    world: AreaWorld,
) -> None:
    page = _send(
        browser,
        W,
        "/clients/new",
        {
            "full_name": "Maija",
            "municipality": "Lieto",
            "unemployed_since": "2030-01-01",
            "max_commute_km": "kaukana",
            "birth_year": "1850",
        },
    )
    latest = clock.today().year - 15
    assert _error(page, "birth_year") == f"Kirjoita syntymävuosi väliltä 1900–{latest}."
    assert _error(page, "unemployed_since") == (
        "Työttömyys ei voi alkaa tulevaisuudessa eikä ennen vuotta 1960. Kirjoita päivä, jolloin se alkoi."
    )
    # Listed in the order of the form, not in the order of the checks.
    assert [field for field, _, _ in _errors(page)] == ["birth_year", "unemployed_since", "max_commute_km"]


@pytest.mark.parametrize(
    ("path", "form", "field", "message"),
    [
        (
            "service-need",
            {"assessed_on": "2099-01-01", "level": "light_support"},
            "assessed_on",
            "Arviota ei voi päivätä tulevaisuuteen. Kirjoita päivä, jolloin se tehtiin.",
        ),
        (
            "plans",
            {"kind": "employment", "drawn_up_on": "2099-01-01", "steps": "Trukkikortti"},
            "drawn_up_on",
            "Suunnitelman päivä ei voi olla tulevaisuudessa eikä ennen vuotta 2000. Kirjoita päivä, jolloin"
            " se laadittiin.",
        ),
        (
            "placement-forms",
            {"form": "work_trial", "change": "added", "decided_on": "2099-01-01"},
            "decided_on",
            "Päätöksen päivä ei voi olla tulevaisuudessa eikä ennen vuotta 2000. Kirjoita päivä, jolloin"
            " asiakas päätti.",
        ),
    ],
)
def test_a_record_of_the_clients_path_dated_in_the_future_says_so(
    browser: Browser,
    scene: Scene,  # noqa: F811
    path: str,
    form: dict[str, str],
    field: str,
    message: str,
) -> None:
    page = _send(browser, W, f"/clients/{scene.objects.jobseeker_id}/{path}", form)
    assert _error(page, field) == message


def test_a_new_users_empty_email_is_required_like_the_name_and_a_short_password_tells_the_limit(
    browser: Browser,
    world: AreaWorld,
) -> None:
    page = _send(
        browser,
        A,
        "/admin/users",
        {"display_name": "", "email": "", "role": "coordinator", "password": "lyhyt"},
    )
    assert _error(page, "email") == _error(page, "display_name") == "Tämä kenttä on pakollinen."
    assert "8" in _error(page, "password")
    blank = _send(
        browser,
        A,
        "/admin/users",
        {"display_name": "Uusi", "email": "uusi@a.example", "role": "coordinator", "password": "       x"},
    )
    assert _error(blank, "password") == "Kirjoita vähintään 8 merkkiä."


# 2-3. Formats, whole numbers and limits ------------------------------------------------------------


def test_a_schedule_hour_past_24_names_the_range_and_an_example(
    browser: Browser,
    world: AreaWorld,
) -> None:
    page = _send(
        browser,
        C,
        "/carving/tasks/new",
        {
            "employer_id": str(world.employer_id),
            "title": "Siivous",
            "hours_per_week": "5",
            "schedule": "ma 25.00-26.00",
        },
    )
    message = _error(page, "schedule")
    assert "0–24" in message and "ma 8.00-12.00" in message


def test_a_decimal_in_a_whole_number_field_asks_for_a_whole_number_and_limits_are_stated(
    browser: Browser,
    world: AreaWorld,
) -> None:
    page = _send(
        browser,
        E,
        "/needs/new",
        {"title": "Kesätyö", "municipality": "Turku", "duration_months": "1,5", "hours_per_week": "70"},
    )
    assert _error(page, "duration_months") == "Kirjoita kokonaisluku."
    assert _error(page, "hours_per_week") == "Luku on liian suuri (enintään 60)."
    small = _send(browser, E, "/needs/new", {"title": "Kesätyö", "municipality": "Turku", "positions": "0"})
    assert _error(small, "positions") == "Luku on liian pieni (vähintään 1)."


def test_a_decimal_pay_subsidy_percent_asks_for_a_whole_number(
    browser: Browser,
    scene: Scene,  # noqa: F811
    db: str,
) -> None:
    _interview(db, scene.proposal_id)
    page = _send(
        browser,
        C,
        f"/proposals/{scene.proposal_id}/transition",
        {"to": "placed", "form": "pay_subsidy", "start_date": _day(1), "subsidy_percent": "50,5"},
    )
    assert _error(page, "subsidy_percent") == "Kirjoita kokonaisluku."


def test_a_too_long_text_states_the_maximum(browser: Browser, world: AreaWorld) -> None:
    page = _send(browser, C, "/carving/jobs/new", {"title": "x" * 201})
    assert _error(page, "title") == "Teksti on liian pitkä (enintään 200 merkkiä)."


# 4. The languages' example in the reader's words ---------------------------------------------------


def test_the_languages_example_uses_the_level_words_the_form_accepts(
    browser: Browser,
    world: AreaWorld,
    db: str,
) -> None:
    page = _send(
        browser, W, "/clients/new", {"full_name": "Maija", "municipality": "Lieto", "languages": "fi?"}
    )
    assert "esim. fi äidinkieli, en B1" in page
    assert _error(page, "languages") == "Kirjoita kielet koodina ja tasona, esim. fi äidinkieli, en B1."
    swedish = _send(
        browser, W, "/clients/new", {"full_name": "Maija", "municipality": "Lieto", "languages": "sv?"}, "sv"
    )
    assert "t.ex. sv modersmål, en B1" in swedish
    shown = browser.get("/clients/new")
    saved = browser.client.post(
        "/clients/new",
        data={
            "csrf_token": csrf_of(shown.text),
            "full_name": "Maija",
            "municipality": "Lieto",
            "languages": "sv modersmål, fi äidinkieli, en B1",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[-800:]
    client_id = int(saved.headers["location"].rsplit("/", 1)[1])
    with connect(db) as conn:
        row = conn.execute("SELECT languages FROM jobseekers WHERE id = %s", (client_id,)).fetchone()
    assert row is not None and row["languages"] == {"sv": "native", "fi": "native", "en": "B1"}


# 5-6. Every error at once, each field named unambiguously, in the form's order ---------------------


def test_a_new_employers_errors_all_come_at_once_in_the_forms_order(
    browser: Browser, world: AreaWorld
) -> None:
    page = _send(
        browser,
        C,
        "/employers/new",
        {
            "name": "",
            "business_id": "123",
            "municipality": "Atlantis",
            "person_email": "foo",
            "person_phone": "abc",
        },
    )
    entries = _errors(page)
    assert [field for field, _, _ in entries] == [
        "name",
        "business_id",
        "municipality",
        "person_name",
        "person_email",
        "person_phone",
    ]
    labels = {field: label for field, label, _ in entries}
    assert labels["name"] == "Nimi"
    assert labels["person_name"] == "Yhteyshenkilön nimi"
    assert _error(page, "municipality") == "Tuntematon kunta. Tarkista kirjoitusasu."


# 8. Work capacity: no more hours a day than a week -------------------------------------------------


def test_more_hours_a_day_than_a_week_is_refused_on_the_page_and_in_the_api(
    browser: Browser,
    scene: Scene,  # noqa: F811
    world: AreaWorld,
) -> None:
    client_id = scene.objects.jobseeker_id
    page = _send(
        browser, W, f"/clients/{client_id}/capacity", {"max_hours_per_day": "10", "max_hours_per_week": "5"}
    )
    assert _error(page, "max_hours_per_week") == (
        "Viikkotunteja ei voi olla vähemmän kuin päivätunteja. Tarkista molemmat rajat."
    )
    refused = browser.client.put(
        f"/api/v1/jobseekers/{client_id}/work-capacity",  # the same refusal, before any precondition
        json={"max_hours_per_day": 10, "max_hours_per_week": 5},
        headers=world.headers(W),
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "hours per week cannot be fewer than the hours per day" in refused.text
    url = f"/api/v1/jobseekers/{client_id}/work-capacity"
    read = browser.client.get(url, headers=world.headers(W))
    fine = browser.client.put(
        url,
        json={"max_hours_per_day": 5, "max_hours_per_week": 5},
        headers=world.headers(W, **({"If-Match": read.headers["ETag"]} if read.status_code == 200 else {})),
    )
    assert fine.status_code in (200, 201), fine.text


# 9. Dates of contacts and new needs ----------------------------------------------------------------


def test_a_contact_in_the_future_and_a_next_step_in_the_past_are_refused(
    browser: Browser,
    world: AreaWorld,
    db: str,
) -> None:
    page = _send(
        browser,
        C,
        f"/employers/{world.employer_id}/visit",
        {
            "kind": "visit",
            "contact_date": _day(200),
            "summary": "Käynti",
            "next_step": "Soitto",
            "next_step_date": "2020-01-01",
        },
    )
    assert _error(page, "contact_date") == (
        "Yhteydenottoa ei voi päivätä tulevaisuuteen. Kirjoita päivä, jolloin se tapahtui."
    )
    assert _error(page, "next_step_date") == (
        "Seuraavaa askelta ei voi päivätä menneisyyteen. Kirjoita tämä päivä tai myöhempi päivä."
    )
    api = browser.client.post(
        f"/api/v1/employers/{world.employer_id}/contacts",
        json={"kind": "visit", "contact_date": _day(1), "summary": "Käynti"},
        headers=world.headers(C),
    )
    assert api.status_code == 422
    assert api.headers["content-type"].startswith("application/problem+json")
    with connect(db) as conn:
        logged = conn.execute("SELECT count(*) AS n FROM contacts").fetchone()
    assert logged is not None and logged["n"] == 0
    today = browser.client.post(
        f"/api/v1/employers/{world.employer_id}/contacts",
        json={"kind": "visit", "contact_date": _day(0), "summary": "Käynti", "next_step_date": _day(0)},
        headers=world.headers(C),
    )
    assert today.status_code == 201, today.text


def test_a_new_need_cannot_start_in_the_past_but_an_old_need_still_saves_unchanged(
    browser: Browser,
    scene: Scene,  # noqa: F811
    db: str,
) -> None:
    page = _send(
        browser, E, "/needs/new", {"title": "Kesätyö", "municipality": "Turku", "start_date": "2020-01-01"}
    )
    assert _error(page, "start_date") == (
        "Uusi tarve ei voi alkaa menneisyydessä. Kirjoita tämä päivä tai myöhempi päivä."
    )
    need_id = scene.objects.need_id
    with connect(db, autocommit=True) as conn:
        conn.execute("UPDATE needs SET start_date = '2020-01-01' WHERE id = %s", (need_id,))
        row = conn.execute("SELECT version FROM needs WHERE id = %s", (need_id,)).fetchone()
    assert row is not None
    browser.post("/logout", {})
    assert browser.sign_in(email(C)).status_code == 303
    edit = f"/needs/{need_id}/edit"
    form = browser.get(edit)
    assert form.status_code == 200
    saved = browser.client.post(
        edit,
        data={
            "csrf_token": csrf_of(form.text),
            "title": "Keräilijä",
            "municipality": "Turku",
            "start_date": "2020-01-01",
            "positions": "1",
            "version": str(row["version"]),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[-800:]


def test_a_bad_contact_email_is_listed_once_and_on_its_own_field(browser: Browser, world: AreaWorld) -> None:
    page = _send(
        browser,
        C,
        "/employers/new",
        {
            "name": "Paja Oy",
            "business_id": "1234567-1",
            "municipality": "Tampere",
            "person_name": "Maija Meikäläinen",
            "person_email": "foo",
        },
    )
    summary = SUMMARY.findall(page)[0]
    assert re.findall(r'href="#f-([\w-]+)"', summary) == ["person_email"]
    assert "contact_persons" not in page
