"""Account care in the pages: the admin's user page (edit, deactivate, reset link), the reset link's page
and changing one's own password; errors on their fields, in Finnish."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from tests.conftest import PASSWORD, AreaWorld
from tests.web.conftest import Browser, SignIn, csrf_of, email
from tests.web.test_form_errors import _check_summary

NEW_PASSWORD = "uusi-salasana-42"
LINK = re.compile(r'id="reset-url" type="text" readonly value="([^"]+)"')


def test_the_admin_edits_a_user_and_sees_field_errors(signed_in: SignIn, world: AreaWorld, db: str) -> None:
    admin = signed_in(Role.ADMIN)
    coordinator = world.user_ids[Role.COORDINATOR]
    users = admin.get("/admin/users")
    assert f'href="/admin/users/{coordinator}"' in users.text
    url = f"/admin/users/{coordinator}"
    page = admin.get(url)
    assert page.status_code == 200 and "coordinator@a.example" in page.text

    bad = admin.post(
        url,
        {"display_name": "", "email": "employer@a.example", "role": "employer", "employer_id": ""},
        csrf_from=url,
    )
    assert bad.status_code == 422
    assert 'id="display_name-error"' in bad.text and 'id="employer_id-error"' in bad.text
    taken = admin.post(
        url, {"display_name": "K", "email": "employer@a.example", "role": "coordinator"}, csrf_from=url
    )
    assert taken.status_code == 409 and 'id="email-error"' in taken.text

    saved = admin.post(
        url, {"display_name": "Kaisa K", "email": "kaisa@a.example", "role": "caseworker"}, csrf_from=url
    )
    assert saved.status_code == 303
    page = admin.get(url)
    assert "Käyttäjän tiedot tallennettiin." in page.text and "Tietoja muutettiin" in page.text
    with connect(db) as conn:
        row = conn.execute(
            "SELECT display_name, email, role FROM users WHERE id = %s", (coordinator,)
        ).fetchone()
    assert row == {"display_name": "Kaisa K", "email": "kaisa@a.example", "role": "caseworker"}


def test_deactivating_on_the_page_signs_the_user_out_of_their_browser(
    client: TestClient, world: AreaWorld, db: str
) -> None:
    caseworker = Browser(client)
    assert caseworker.sign_in(email(Role.CASEWORKER)).status_code == 303
    cookie = client.cookies.get("kohtaamo_session")
    client.cookies.clear()
    admin = Browser(client)
    assert admin.sign_in(email(Role.ADMIN)).status_code == 303
    url = f"/admin/users/{world.user_ids[Role.CASEWORKER]}"
    reply = admin.post(f"{url}/active", {"active": "false"}, csrf_from=url)
    assert reply.status_code == 303
    assert "Hänen istuntonsa ja tunnisteensa eivät enää toimi." in admin.get(url).text
    # The admin's own page has no button that would lock them out.
    own = admin.get(f"/admin/users/{world.user_ids[Role.ADMIN]}").text
    assert "Poista käyttäjä käytöstä" not in own
    client.cookies.clear()
    client.cookies.set("kohtaamo_session", cookie or "")
    page = client.get("/", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_a_reset_link_from_the_page_sets_a_password_once(client: TestClient, world: AreaWorld) -> None:
    admin = Browser(client)
    assert admin.sign_in(email(Role.ADMIN)).status_code == 303
    url = f"/admin/users/{world.user_ids[Role.EMPLOYER]}"
    shown = admin.post(f"{url}/reset-link", {}, csrf_from=url)
    assert shown.status_code == 200
    found = LINK.search(shown.text)
    assert found, shown.text
    link = found.group(1).replace("&amp;", "&")
    path = link[link.index("/password/reset") :]
    assert "Salasanalinkki luotiin" in shown.text

    client.cookies.clear()
    visitor = Browser(client)
    form = visitor.get(path)
    assert form.status_code == 200 and "Aseta uusi salasana" in form.text
    token = path.split("token=")[1]
    mismatch = client.post(
        "/password/reset",
        data={
            "csrf_token": csrf_of(form.text),
            "token": token,
            "new_password": NEW_PASSWORD,
            "new_password_again": "x",
        },
        follow_redirects=False,
    )
    assert mismatch.status_code == 422 and 'id="new_password_again-error"' in mismatch.text
    _check_summary(mismatch.text, "new_password_again")
    assert NEW_PASSWORD not in mismatch.text  # a password is never shown back
    done = client.post(
        "/password/reset",
        data={
            "csrf_token": csrf_of(form.text),
            "token": token,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/login"
    assert visitor.sign_in(email(Role.EMPLOYER), NEW_PASSWORD).status_code == 303
    client.cookies.clear()
    used = Browser(client).get(path)
    assert used.status_code == 404 and "Linkki ei enää toimi" in used.text


def test_a_user_changes_their_own_password_on_the_page(signed_in: SignIn, world: AreaWorld) -> None:
    me = signed_in(Role.COORDINATOR)
    page = me.get("/account/password")
    assert page.status_code == 200 and 'href="/account/password" aria-current="page"' in page.text
    wrong = me.post(
        "/account/password",
        {
            "current_password": "väärä-salasana",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
        csrf_from="/account/password",
    )
    assert wrong.status_code == 422 and 'id="current_password-error"' in wrong.text
    assert "Nykyinen salasana on väärä." in wrong.text
    short = me.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": "lyhyt", "new_password_again": "lyhyt"},
        csrf_from="/account/password",
    )
    assert short.status_code == 422 and 'id="new_password-error"' in short.text
    done = me.post(
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
        csrf_from="/account/password",
    )
    assert done.status_code == 303
    # This browser stays signed in; the old password no longer works.
    assert "Salasanasi vaihdettiin." in me.get("/account/password").text
    me.client.cookies.clear()
    assert Browser(me.client).sign_in(email(Role.COORDINATOR)).status_code == 401
    assert Browser(me.client).sign_in(email(Role.COORDINATOR), NEW_PASSWORD).status_code == 303


def test_another_areas_user_page_is_not_found(signed_in: SignIn, other_world: AreaWorld) -> None:
    admin = signed_in(Role.ADMIN)
    url = f"/admin/users/{other_world.user_ids[Role.COORDINATOR]}"
    assert admin.get(url).status_code == 404
    assert admin.post(f"{url}/active", {"active": "false"}, csrf_from="/admin/users").status_code == 404
    assert admin.post(f"{url}/reset-link", {}, csrf_from="/admin/users").status_code == 404


def test_only_admins_open_user_pages(signed_in: SignIn, world: AreaWorld) -> None:
    coordinator = signed_in(Role.COORDINATOR)
    assert coordinator.get(f"/admin/users/{world.user_ids[Role.CASEWORKER]}").status_code == 403
