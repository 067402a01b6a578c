"""The caseworker's pages: own clients, profile with ESCO skills, work capacity, consent, matches."""

from __future__ import annotations

import re

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.web.conftest import SignIn, wait_indexed

PROFILE = {
    "full_name": "Maija Meikäläinen",
    "municipality": "Lieto",
    "skills": "keräily\ntrukin kuljettaminen",
    "certificates": "trukkikortti 31.12.2027\nhygieniapassi",
    "languages": "fi native, en B1",
    "desired_occupations": "varastotyöntekijä",
    "desired_hours_per_week": "30",
    "max_commute_km": "25",
    "available": "on",
    "service_stage": "job_search",
}


def new_client(browser: object, data: dict[str, str] | None = None) -> str:
    from tests.web.conftest import Browser

    assert isinstance(browser, Browser)
    saved = browser.post("/clients/new", data or PROFILE, csrf_from="/clients/new")
    assert saved.status_code == 303, saved.text
    assert re.fullmatch(r"/clients/\d+", saved.headers["location"])
    return str(saved.headers["location"])


def test_caseworker_adds_a_client_and_sees_them_in_own_clients(signed_in: SignIn, db: str) -> None:
    browser = signed_in(Role.CASEWORKER)
    location = new_client(browser)
    page = browser.get(location)
    assert page.status_code == 200
    assert "Maija Meikäläinen" in page.text
    assert "trukkikortti 31.12.2027" in page.text
    assert "Asiakas lisättiin." in page.text
    listed = browser.get("/")
    assert "Maija Meikäläinen" in listed.text and "1 asiakas" in listed.text
    with connect(db) as conn:
        cert = conn.execute("SELECT name, expires_on FROM jobseeker_certificates ORDER BY name").fetchall()
    assert [c["name"] for c in cert] == ["hygieniapassi", "trukkikortti"]
    assert str(cert[1]["expires_on"]) == "2027-12-31"


def test_profile_errors_are_shown_on_their_fields(signed_in: SignIn) -> None:
    browser = signed_in(Role.CASEWORKER)
    refused = browser.post(
        "/clients/new",
        {
            **PROFILE,
            "certificates": "trukkikortti 31.13.2027",
            "languages": "suomi hyvä",
            "max_commute_km": "x",
        },
        csrf_from="/clients/new",
    )
    assert refused.status_code == 422
    assert "Kirjoita viimeinen voimassaolopäivä" in refused.text
    assert "Kirjoita kielet koodina ja tasona" in refused.text
    assert "Kirjoita kokonaisluku." in refused.text
    assert "Maija Meikäläinen" in refused.text
    twice = {**PROFILE, "certificates": "trukkikortti 31.12.2027\nTruckkort"}  # one certificate, two names
    refused = browser.post("/clients/new", twice, csrf_from="/clients/new")
    assert refused.status_code == 422
    assert "Merkitse kukin kortti kerran" in refused.text


def test_work_capacity_is_saved_and_shown_only_to_the_own_caseworker(
    signed_in: SignIn, world: AreaWorld
) -> None:
    browser = signed_in(Role.CASEWORKER)
    location = new_client(browser)
    saved = browser.post(
        f"{location}/capacity",
        {"max_hours_per_day": "6", "no_night_shifts": "on", "details": "Selkävaiva, ei raskaita nostoja."},
        csrf_from=location,
    )
    assert saved.status_code == 303, saved.text
    page = browser.get(location)
    assert "Selkävaiva, ei raskaita nostoja." in page.text
    again = browser.post(
        f"{location}/capacity", {"max_hours_per_day": "5", "version": "1"}, csrf_from=location
    )
    assert again.status_code == 303, again.text
    browser.post("/logout", {})
    browser.sign_in("admin@a.example")
    admin_view = browser.get(location)
    assert admin_view.status_code == 200
    assert "Selkävaiva" not in admin_view.text


def test_consent_is_recorded_and_withdrawn(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    browser = signed_in(Role.CASEWORKER)
    location = new_client(browser)
    given = browser.post(
        f"{location}/consents",
        {"scope": "disclose_identity", "employer_id": str(world.employer_id)},
        csrf_from=location,
    )
    assert given.status_code == 303
    page = browser.get(location)
    assert "a Logistiikka Oy" in page.text and ">Peru<" in page.text
    twice = browser.post(
        f"{location}/consents",
        {"scope": "disclose_identity", "employer_id": str(world.employer_id)},
        csrf_from=location,
    )
    assert twice.status_code == 409
    with connect(db) as conn:
        consent = conn.execute("SELECT id FROM consents").fetchone()
    assert consent is not None
    withdrawn = browser.post(f"{location}/consents/{consent['id']}/withdraw", {}, csrf_from=location)
    assert withdrawn.status_code == 303
    assert "peruttu" in browser.get(location).text


def test_another_caseworkers_client_is_a_404_page(signed_in: SignIn, other_world: AreaWorld) -> None:
    browser = signed_in(Role.CASEWORKER, "b")
    location = new_client(browser)
    browser.post("/logout", {})
    browser.sign_in("caseworker@a.example")
    assert browser.get(location).status_code == 404
    assert browser.get(f"{location}/matches").status_code == 404


def test_matches_for_a_client_list_open_needs(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    from tests.matching_api.conftest import insert_need

    need_id = insert_need(db, world.area_id, world.employer_id, title="Varastotyöntekijä", skills=["keräily"])
    browser = signed_in(Role.CASEWORKER)
    location = new_client(browser)
    wait_indexed(browser.client.app, "need", need_id, "Varastotyöntekijä")
    page = browser.get(f"{location}/matches")
    assert page.status_code == 200
    assert "Varastotyöntekijä" in page.text


def test_saved_work_capacity_hours_come_back_with_the_readers_decimal_comma(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.CASEWORKER)
    location = new_client(browser)
    sent = {"max_hours_per_day": "7,5", "max_hours_per_week": "37,5"}
    assert browser.post(f"{location}/capacity", sent, csrf_from=location).status_code == 303
    page = browser.get(location).text
    for name, shown in sent.items():
        assert re.search(rf'name="{name}"[^>]*value="{shown}"', page), name
    # The form as shown is saved again unchanged.
    again = browser.post(f"{location}/capacity", {**sent, "version": "1"}, csrf_from=location)
    assert again.status_code == 303, again.text
    with connect(db) as conn:
        row = conn.execute(
            "SELECT max_hours_per_day, max_hours_per_week FROM work_capacity WHERE jobseeker_id = %s",
            (int(location.rsplit("/", 1)[1]),),
        ).fetchone()
    assert row is not None and (float(row["max_hours_per_day"]), float(row["max_hours_per_week"])) == (
        7.5,
        37.5,
    )
