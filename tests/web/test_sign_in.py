"""Sign-in, sessions, CSRF, the rate limit and the language switch, through the application's routes."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.web.conftest import Browser, SignIn, csrf_of, email


def test_pages_ask_to_sign_in_and_return_to_the_page_afterwards(browser: Browser, world: AreaWorld) -> None:
    response = browser.get("/employers?q=logistiikka")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Femployers%3Fq%3Dlogistiikka"
    form = browser.get(response.headers["location"])
    assert 'value="/employers?q=logistiikka"' in form.text
    signed = browser.client.post(
        "/login",
        data={
            "csrf_token": csrf_of(form.text),
            "email": email(Role.COORDINATOR),
            "password": "salasana-123",
            "next": "/employers?q=logistiikka",
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == "/employers?q=logistiikka"
    cookie = signed.headers["set-cookie"]
    assert "kohtaamo_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "a Logistiikka Oy" in browser.get("/employers?q=logistiikka").text


def test_sign_in_never_redirects_to_another_site(browser: Browser, world: AreaWorld) -> None:
    form = browser.get("/login")
    signed = browser.client.post(
        "/login",
        data={
            "csrf_token": csrf_of(form.text),
            "email": email(Role.COORDINATOR),
            "password": "salasana-123",
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert signed.headers["location"] == "/"


def test_a_form_without_the_session_csrf_token_is_refused(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.COORDINATOR)
    visit = {"kind": "visit", "contact_date": "2025-11-05", "summary": "Kävin"}
    refused = browser.client.post(f"/employers/{world.employer_id}/visit", data=visit, follow_redirects=False)
    assert refused.status_code == 403
    assert "Lomake oli vanhentunut" in refused.text
    forged = browser.client.post(
        f"/employers/{world.employer_id}/visit",
        data={**visit, "csrf_token": "x" * 43},
        follow_redirects=False,
    )
    assert forged.status_code == 403
    with connect(db) as conn:
        assert conn.execute("SELECT count(*) AS n FROM contacts").fetchone() == {"n": 0}


def test_a_csrf_token_with_letters_beyond_ascii_is_refused_not_a_server_error(
    signed_in: SignIn, world: AreaWorld, db: str
) -> None:
    browser = signed_in(Role.COORDINATOR)
    visit = {"kind": "visit", "contact_date": "2025-11-05", "summary": "Kävin", "csrf_token": "ä" * 43}

    refused = browser.client.post(f"/employers/{world.employer_id}/visit", data=visit, follow_redirects=False)

    assert refused.status_code == 403
    with connect(db) as conn:
        assert conn.execute("SELECT count(*) AS n FROM contacts").fetchone() == {"n": 0}


def test_five_failed_sign_ins_lock_that_email_from_that_address(browser: Browser, world: AreaWorld) -> None:
    for _ in range(5):
        failed = browser.sign_in(email(Role.EMPLOYER), password="väärä-salasana")
        assert failed.status_code == 401
        assert "Väärä sähköposti tai salasana" in failed.text
    blocked = browser.sign_in(email(Role.EMPLOYER))
    assert blocked.status_code == 429
    assert "Liian monta epäonnistunutta yritystä" in blocked.text
    other_user = browser.sign_in(email(Role.CASEWORKER))
    assert other_user.status_code == 303


def test_language_switch_is_remembered_and_changes_texts_and_formats(signed_in: SignIn) -> None:
    browser = signed_in(Role.COORDINATOR)
    assert "Työnantajarekisteri" in browser.get("/employers").text
    switched = browser.post("/language", {"language": "sv", "next": "/employers"}, csrf_from="/employers")
    assert switched.status_code == 303 and switched.headers["location"] == "/employers"
    assert "kohtaamo_lang=sv" in switched.headers["set-cookie"]
    page = browser.get("/employers")
    assert '<html lang="sv">' in page.text
    assert "Arbetsgivarregister" in page.text
    browser.post("/language", {"language": "en", "next": "/"}, csrf_from="/")
    assert "Employer register" in browser.get("/employers").text


HEADER_USER = re.compile(r'<a class="who"[^>]*>(.*?)<span.*?</a>\s*<span class="role">(.*?)</span>', re.S)


def test_the_header_names_the_user_and_their_role_in_the_readers_language(signed_in: SignIn) -> None:
    """The role is not part of anyone's name: the header says it, translated (demo users have plain
    names, tests/web/test_form_choice_pages.py)."""
    browser = signed_in(Role.CASEWORKER)
    assert HEADER_USER.findall(browser.get("/").text) == [("a caseworker", "Omavirkailija")]
    browser.post("/language", {"language": "sv", "next": "/"}, csrf_from="/")
    assert HEADER_USER.findall(browser.get("/").text) == [("a caseworker", "Egen handläggare")]
    browser.post("/language", {"language": "en", "next": "/"}, csrf_from="/")
    assert HEADER_USER.findall(browser.get("/").text) == [("a caseworker", "Caseworker")]
    browser.client.cookies.clear()
    assert HEADER_USER.findall(signed_in(Role.EMPLOYER).get("/").text) == [
        ("a employer", "Työnantajan yhteyshenkilö")
    ]


def test_sign_out_ends_the_session(signed_in: SignIn) -> None:
    browser = signed_in(Role.COORDINATOR)
    out = browser.post("/logout", {})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert browser.get("/employers").status_code == 303


def test_an_expired_session_returns_to_sign_in_and_back(signed_in: SignIn, db: str) -> None:
    browser = signed_in(Role.COORDINATOR)
    with connect(db) as conn:
        conn.execute("UPDATE web_sessions SET expires_at = now() - interval '1 second'")
        conn.commit()
    response = browser.get("/needs")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fneeds"
    assert "Istuntosi on päättynyt" in browser.get(response.headers["location"]).text


def test_the_session_cookie_is_secure_over_https(client: TestClient, world: AreaWorld) -> None:
    client.cookies.clear()
    form = client.get("https://testserver/login")
    signed = client.post(
        "https://testserver/login",
        data={"csrf_token": csrf_of(form.text), "email": email(Role.COORDINATOR), "password": "salasana-123"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert "Secure" in signed.headers["set-cookie"]
    client.cookies.clear()
