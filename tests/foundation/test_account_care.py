"""Account care over real HTTP: an admin edits and deactivates users (their tokens and sessions stop at
once), makes one-time reset links (single use, expiring, audited), users change their own password, and
nothing crosses to another area."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

from accounts.models import Role
from core.db import connect
from tests.conftest import PASSWORD, AreaWorld
from tests.web.conftest import Browser, email

API = "/api/v1"
NEW_PASSWORD = "uusi-salasana-42"


def events(db: str, user_id: int) -> list[str]:
    with connect(db) as conn:
        rows = conn.execute(
            "SELECT action FROM account_events WHERE user_id = %s ORDER BY id", (user_id,)
        ).fetchall()
    return [r["action"] for r in rows]


def sign_in(client: TestClient, role: Role, password: str = PASSWORD, prefix: str = "a") -> Any:
    return client.post(f"{API}/auth/token", json={"email": email(role, prefix), "password": password})


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["token"][0]


def test_deactivating_a_user_ends_their_tokens_and_sessions_at_once(
    client: TestClient, world: AreaWorld, db: str
) -> None:
    coordinator = world.user_ids[Role.COORDINATOR]
    # The coordinator has a bearer token (from the fixture) and a signed-in browser.
    browser = Browser(client)
    assert browser.sign_in(email(Role.COORDINATOR)).status_code == 303
    assert browser.get("/employers").status_code == 200
    assert client.get(f"{API}/me", headers=world.headers(Role.COORDINATOR)).status_code == 200
    session_cookie = client.cookies.get("kohtaamo_session")
    client.cookies.clear()

    reply = client.patch(
        f"{API}/users/{coordinator}", json={"active": False}, headers=world.headers(Role.ADMIN)
    )
    assert reply.status_code == 200, reply.text
    assert reply.json()["active"] is False

    assert client.get(f"{API}/me", headers=world.headers(Role.COORDINATOR)).status_code == 401
    client.cookies.set("kohtaamo_session", session_cookie or "")
    page = client.get("/employers", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    client.cookies.clear()
    assert sign_in(client, Role.COORDINATOR).status_code == 401
    with connect(db) as conn:
        left = conn.execute(
            "SELECT (SELECT count(*) FROM api_tokens WHERE user_id = %(u)s) AS t,"
            " (SELECT count(*) FROM web_sessions WHERE user_id = %(u)s) AS s",
            {"u": coordinator},
        ).fetchone()
    assert left == {"t": 0, "s": 0}

    # Reactivated, they sign in afresh; nothing old opens again.
    reply = client.patch(
        f"{API}/users/{coordinator}", json={"active": True}, headers=world.headers(Role.ADMIN)
    )
    assert reply.status_code == 200 and reply.json()["active"] is True
    assert client.get(f"{API}/me", headers=world.headers(Role.COORDINATOR)).status_code == 401
    assert sign_in(client, Role.COORDINATOR).status_code == 200
    assert events(db, coordinator) == ["deactivated", "reactivated"]


def test_an_admin_edits_a_user_and_errors_name_their_field(
    client: TestClient, world: AreaWorld, db: str
) -> None:
    admin = world.headers(Role.ADMIN)
    coordinator = world.user_ids[Role.COORDINATOR]
    reply = client.patch(
        f"{API}/users/{coordinator}",
        json={"display_name": "Kaisa Koordinaattori", "email": "Kaisa@A.example", "role": "caseworker"},
        headers=admin,
    )
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["display_name"], body["email"], body["role"]) == (
        "Kaisa Koordinaattori",
        "kaisa@a.example",
        "caseworker",
    )
    # The role change holds at once for the user's existing token.
    me = client.get(f"{API}/me", headers=world.headers(Role.COORDINATOR)).json()
    assert me["role"] == "caseworker"
    assert events(db, coordinator) == ["updated"]

    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"email": "employer@a.example"}, 409, "email"),
        ({"role": "employer"}, 422, "employer_id"),
        ({"role": "employer", "employer_id": 999_999}, 422, "employer_id"),
        ({"email": "ei-osoite"}, 422, "email"),
        ({"display_name": "  "}, 422, "display_name"),
        ({"active": "maybe"}, 422, "active"),
    ]
    for body_, status, field in cases:
        reply = client.patch(f"{API}/users/{coordinator}", json=body_, headers=admin)
        assert reply.status_code == status, (body_, reply.text)
        assert reply.headers["content-type"].startswith("application/problem+json")
        problem = reply.json()
        named = problem.get("field") or " ".join(str(e.get("loc")) for e in problem.get("errors", []))
        assert field in named, (body_, problem)
    # The admin may not lock themselves out.
    me_id = world.user_ids[Role.ADMIN]
    for body_, field in (({"active": False}, "active"), ({"role": "coordinator"}, "role")):
        reply = client.patch(f"{API}/users/{me_id}", json=body_, headers=admin)
        assert reply.status_code == 422 and reply.json()["field"] == field


def test_an_employer_user_is_linked_to_an_employer_of_the_area(client: TestClient, world: AreaWorld) -> None:
    coordinator = world.user_ids[Role.COORDINATOR]
    reply = client.patch(
        f"{API}/users/{coordinator}",
        json={"role": "employer", "employer_id": world.employer_id},
        headers=world.headers(Role.ADMIN),
    )
    assert reply.status_code == 200 and reply.json()["employer_id"] == world.employer_id
    reply = client.patch(
        f"{API}/users/{coordinator}", json={"role": "coordinator"}, headers=world.headers(Role.ADMIN)
    )
    assert reply.status_code == 200 and reply.json()["employer_id"] is None


def test_an_admin_manages_only_their_own_areas_users(
    client: TestClient, world: AreaWorld, other_world: AreaWorld, db: str
) -> None:
    theirs = other_world.user_ids[Role.COORDINATOR]
    admin = world.headers(Role.ADMIN)
    assert client.get(f"{API}/users/{theirs}", headers=admin).status_code == 404
    assert client.patch(f"{API}/users/{theirs}", json={"active": False}, headers=admin).status_code == 404
    assert client.post(f"{API}/users/{theirs}/password-reset", headers=admin).status_code == 404
    reply = client.patch(
        f"{API}/users/{world.user_ids[Role.COORDINATOR]}",
        json={"role": "employer", "employer_id": other_world.employer_id},
        headers=admin,
    )
    assert reply.status_code == 422 and reply.json()["field"] == "employer_id"
    # The other area's coordinator still works; nothing of theirs changed.
    assert client.get(f"{API}/me", headers=other_world.headers(Role.COORDINATOR)).status_code == 200
    assert events(db, theirs) == []
    # Only admins manage users.
    for role in (Role.COORDINATOR, Role.CASEWORKER, Role.EMPLOYER):
        mine = world.user_ids[Role.CASEWORKER]
        assert (
            client.patch(
                f"{API}/users/{mine}", json={"active": False}, headers=world.headers(role)
            ).status_code
            == 403
        )


def test_a_reset_link_works_once_ends_every_session_and_is_audited(
    client: TestClient, world: AreaWorld, db: str
) -> None:
    caseworker = world.user_ids[Role.CASEWORKER]
    reply = client.post(f"{API}/users/{caseworker}/password-reset", headers=world.headers(Role.ADMIN))
    assert reply.status_code == 201, reply.text
    link = reply.json()["url"]
    assert "/password/reset?token=" in link
    token = token_of(link)
    with connect(db) as conn:
        stored = conn.execute("SELECT token_hash FROM password_resets").fetchall()
    assert len(stored) == 1 and token not in stored[0]["token_hash"]  # only a hash is kept

    # A too short password is refused on its field, and leaves the link unused.
    short = client.post(f"{API}/auth/password-reset", json={"token": token, "new_password": "lyhyt"})
    assert short.status_code == 422
    reply = client.post(f"{API}/auth/password-reset", json={"token": token, "new_password": NEW_PASSWORD})
    assert reply.status_code == 204, reply.text
    assert client.get(f"{API}/me", headers=world.headers(Role.CASEWORKER)).status_code == 401
    assert sign_in(client, Role.CASEWORKER).status_code == 401
    assert sign_in(client, Role.CASEWORKER, NEW_PASSWORD).status_code == 200

    again = client.post(
        f"{API}/auth/password-reset", json={"token": token, "new_password": "kolmas-salasana"}
    )
    assert again.status_code == 422 and again.json()["field"] == "token"
    assert sign_in(client, Role.CASEWORKER, NEW_PASSWORD).status_code == 200
    assert events(db, caseworker) == ["reset_link_issued", "password_reset"]


def test_a_reset_link_expires_and_a_new_one_replaces_it(
    client: TestClient, world: AreaWorld, db: str
) -> None:
    caseworker = world.user_ids[Role.CASEWORKER]
    url = f"{API}/users/{caseworker}/password-reset"
    first = token_of(client.post(url, headers=world.headers(Role.ADMIN)).json()["url"])
    second = token_of(client.post(url, headers=world.headers(Role.ADMIN)).json()["url"])
    replaced = client.post(f"{API}/auth/password-reset", json={"token": first, "new_password": NEW_PASSWORD})
    assert replaced.status_code == 422 and replaced.json()["field"] == "token"
    with connect(db) as conn:
        conn.execute("UPDATE password_resets SET expires_at = now() - interval '1 second'")
        conn.commit()
    expired = client.post(f"{API}/auth/password-reset", json={"token": second, "new_password": NEW_PASSWORD})
    assert expired.status_code == 422 and expired.json()["field"] == "token"
    assert sign_in(client, Role.CASEWORKER).status_code == 200  # the password did not change


def test_a_deactivated_users_link_opens_nothing(client: TestClient, world: AreaWorld) -> None:
    caseworker = world.user_ids[Role.CASEWORKER]
    admin = world.headers(Role.ADMIN)
    token = token_of(client.post(f"{API}/users/{caseworker}/password-reset", headers=admin).json()["url"])
    client.patch(f"{API}/users/{caseworker}", json={"active": False}, headers=admin)
    reply = client.post(f"{API}/auth/password-reset", json={"token": token, "new_password": NEW_PASSWORD})
    assert reply.status_code == 422
    refused = client.post(f"{API}/users/{caseworker}/password-reset", headers=admin)
    assert refused.status_code == 409 and refused.json()["field"] == "active"


def test_a_user_changes_their_own_password_and_their_other_sessions_end(
    client: TestClient, world: AreaWorld, db: str
) -> None:
    employer = world.user_ids[Role.EMPLOYER]
    other = sign_in(client, Role.EMPLOYER).json()["access_token"]
    this = world.headers(Role.EMPLOYER)
    wrong = client.post(
        f"{API}/me/password",
        json={"current_password": "väärä-salasana", "new_password": NEW_PASSWORD},
        headers=this,
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "current_password"
    short = client.post(
        f"{API}/me/password", json={"current_password": PASSWORD, "new_password": "lyhyt"}, headers=this
    )
    assert short.status_code == 422 and "new_password" in short.text
    reply = client.post(
        f"{API}/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}, headers=this
    )
    assert reply.status_code == 204, reply.text
    assert client.get(f"{API}/me", headers=this).status_code == 200  # the token used keeps working
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {other}"}).status_code == 401
    assert sign_in(client, Role.EMPLOYER).status_code == 401
    assert sign_in(client, Role.EMPLOYER, NEW_PASSWORD).status_code == 200
    assert events(db, employer) == ["password_changed"]
