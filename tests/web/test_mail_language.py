"""The language of a user's e-mails: the one they saved with their e-mail choices, else the language they
last chose for the pages (``users.ui_language``), else Finnish."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from tests.conftest import AreaWorld
from tests.notifications.conftest import outbox, proposed
from tests.web.conftest import Browser, SignIn, csrf_of, email, statements_run


def ui_language(db: str, role: Role) -> str | None:
    with connect(db) as conn:
        row = conn.execute("SELECT ui_language FROM users WHERE email = %s", (email(role),)).fetchone()
    assert row is not None
    language: str | None = row["ui_language"]
    return language


def test_an_employer_who_reads_the_pages_in_english_gets_the_intro_card_mail_in_english(
    signed_in: SignIn, client: TestClient, db: str, world: AreaWorld
) -> None:
    assert ui_language(db, Role.EMPLOYER) is None  # never chose: the column is empty
    browser = signed_in(Role.EMPLOYER)
    with statements_run(client) as seen:
        switched = browser.client.post(
            "/language",
            data={"csrf_token": csrf_of(browser.get("/").text), "language": "en", "next": "/"},
            follow_redirects=False,
        )
    assert switched.status_code == 303 and "kohtaamo_lang=en" in switched.headers["set-cookie"]
    assert [s for s in seen if s.lstrip().upper().startswith("UPDATE USERS")] == [
        "UPDATE users SET ui_language = %s WHERE id = %s AND ui_language IS DISTINCT FROM %s"
    ]
    assert ui_language(db, Role.EMPLOYER) == "en"
    with connect(db) as conn:
        assert conn.execute("SELECT count(*) AS n FROM notification_preferences").fetchone() == {"n": 0}

    proposed(client, db, world)
    [mail] = outbox(db)
    assert mail["recipient"] == email(Role.EMPLOYER)
    assert mail["subject"] == "Kohtaamo: A new intro card is waiting for your answer: Varastotyöntekijä"
    assert mail["body"].startswith("Hello,") and "/inbox/preferences" in mail["body"]

    # The preferences page and the API offer the language the mails are written in.
    form = browser.get("/inbox/preferences").text
    assert 'value="en" selected' in form and 'value="fi" selected' not in form
    api = client.get("/api/v1/notifications/preferences", headers=world.headers(Role.EMPLOYER)).json()
    assert api["language"] == "en"
    # Saving the form as shown keeps English (and now as the e-mail language of its own).
    saved = browser.post(
        "/inbox/preferences", {"email": ["intro_card"], "language": "en"}, csrf_from="/inbox/preferences"
    )
    assert saved.status_code == 303
    with connect(db) as conn:
        assert conn.execute("SELECT language FROM notification_preferences").fetchone() == {"language": "en"}


def test_an_e_mail_language_saved_in_swedish_stays_after_the_pages_switch_to_english(
    signed_in: SignIn, client: TestClient, db: str, world: AreaWorld
) -> None:
    browser = signed_in(Role.EMPLOYER)
    saved = browser.post(
        "/inbox/preferences", {"email": ["intro_card"], "language": "sv"}, csrf_from="/inbox/preferences"
    )
    assert saved.status_code == 303
    switched = browser.post("/language", {"language": "en", "next": "/inbox"}, csrf_from="/inbox")
    assert switched.status_code == 303
    assert ui_language(db, Role.EMPLOYER) == "en"

    proposed(client, db, world)
    [mail] = outbox(db)
    assert "presentationskort" in mail["subject"] and "Varastotyöntekijä" in mail["subject"]
    assert 'value="sv" selected' in browser.get("/inbox/preferences").text
    api = client.get("/api/v1/notifications/preferences", headers=world.headers(Role.EMPLOYER)).json()
    assert api["language"] == "sv"


def test_a_user_who_never_chose_a_language_still_gets_finnish_mail(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    proposed(client, db, world)
    [mail] = outbox(db)
    assert "esittelykortti" in mail["subject"]
    api = client.get("/api/v1/notifications/preferences", headers=world.headers(Role.EMPLOYER)).json()
    assert api["language"] == "fi"


def test_a_signed_out_language_switch_sets_only_the_cookie(browser: Browser, db: str) -> None:
    with connect(db) as conn:
        before = conn.execute("SELECT email, ui_language FROM users ORDER BY id").fetchall()
    switched = browser.post("/language", {"language": "sv", "next": "/login"}, csrf_from="/login")
    assert switched.status_code == 303 and switched.headers["location"] == "/login"
    assert "kohtaamo_lang=sv" in switched.headers["set-cookie"]
    assert '<html lang="sv">' in browser.get("/login").text
    with connect(db) as conn:
        assert conn.execute("SELECT email, ui_language FROM users ORDER BY id").fetchall() == before
    assert all(row["ui_language"] is None for row in before)


def test_an_unknown_language_is_neither_a_cookie_nor_saved(signed_in: SignIn, db: str) -> None:
    browser = signed_in(Role.COORDINATOR)
    refused = browser.post("/language", {"language": "de", "next": "/"}, csrf_from="/")
    assert refused.status_code == 303 and "kohtaamo_lang" not in refused.headers.get("set-cookie", "")
    assert ui_language(db, Role.COORDINATOR) is None


def facts_of(html: str) -> str:
    """The page-language fact of the preferences page, as ``term: value``."""
    start = html.index('<dl class="facts">')
    found = re.fullmatch(
        r'<dl class="facts">\s*<dt>([^<]*)</dt><dd>([^<]*)</dd>\s*', html[start : html.index("</dl>", start)]
    )
    assert found is not None
    return f"{found[1]}: {found[2]}"


def test_the_e_mail_choices_show_the_page_language_a_user_chose_in_every_language(
    signed_in: SignIn, client: TestClient, db: str, world: AreaWorld
) -> None:
    browser = signed_in(Role.EMPLOYER)
    shown = {}
    for language in ("sv", "en", "fi"):
        switched = browser.post("/language", {"language": language, "next": "/"}, csrf_from="/")
        assert switched.status_code == 303
        shown[language] = facts_of(browser.get("/inbox/preferences").text)
    assert shown == {
        "sv": "Sidornas språk: svenska",
        "en": "Language of the pages: English",
        "fi": "Sivujen kieli: suomi",
    }
    assert ui_language(db, Role.EMPLOYER) == "fi"

    # The API gives the page language beside the e-mail language; saving an e-mail language leaves it.
    headers = world.headers(Role.EMPLOYER)
    api = client.get("/api/v1/notifications/preferences", headers=headers).json()
    assert (api["language"], api["ui_language"]) == ("fi", "fi")
    saved = client.put("/api/v1/notifications/preferences", json={"language": "sv"}, headers=headers)
    assert saved.status_code == 200 and (saved.json()["language"], saved.json()["ui_language"]) == (
        "sv",
        "fi",
    )
    assert ui_language(db, Role.EMPLOYER) == "fi"
    refused = client.put("/api/v1/notifications/preferences", json={"ui_language": "en"}, headers=headers)
    assert refused.status_code == 422 and ui_language(db, Role.EMPLOYER) == "fi"


def test_a_user_who_never_chose_a_page_language_sees_it_not_chosen(
    signed_in: SignIn, client: TestClient, db: str, world: AreaWorld
) -> None:
    browser = signed_in(Role.COORDINATOR)
    assert ui_language(db, Role.COORDINATOR) is None
    assert facts_of(browser.get("/inbox/preferences").text) == "Sivujen kieli: Ei valittu"
    api = client.get("/api/v1/notifications/preferences", headers=world.headers(Role.COORDINATOR)).json()
    assert api["ui_language"] is None and api["language"] == "fi"
    # A refused form shows the fact again, still not chosen.
    refused = browser.post(
        "/inbox/preferences", {"email": [], "language": "de"}, csrf_from="/inbox/preferences"
    )
    assert refused.status_code == 422
    assert facts_of(refused.text) == "Sivujen kieli: Ei valittu"
    assert ui_language(db, Role.COORDINATOR) is None


def test_the_api_documents_the_page_language_as_nullable(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"]["Preferences"]
    assert "ui_language" in schema["required"]
    assert {"type": "null"} in schema["properties"]["ui_language"]["anyOf"]
    assert "never chose" in schema["properties"]["ui_language"]["description"]
