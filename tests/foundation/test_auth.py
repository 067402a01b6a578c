"""Signing in and out: bearer tokens stored only as hashes, argon2id passwords, and the users command."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accounts.models import Role
from core.db import connect
from core.settings import get_settings
from server.cli import app as cli
from tests.conftest import PASSWORD, AreaWorld


def sign_in(client: TestClient, email: str, password: str) -> object:
    return client.post("/api/v1/auth/token", json={"email": email, "password": password})


def test_signing_in_returns_a_bearer_token_that_works(client: TestClient, world: AreaWorld) -> None:
    reply = client.post("/api/v1/auth/token", json={"email": " Coordinator@A.example ", "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["token_type"] == "bearer" and body["role"] == "coordinator"
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=11) < expires - datetime.now(UTC) <= timedelta(hours=12)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json() == {
        "user_id": world.user_ids[Role.COORDINATOR],
        "area_id": world.area_id,
        "role": "coordinator",
        "display_name": "a coordinator",
        "employer_id": None,
    }


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    client: TestClient, world: AreaWorld
) -> None:
    wrong = client.post(
        "/api/v1/auth/token", json={"email": "coordinator@a.example", "password": "arvaus-123"}
    )
    unknown = client.post("/api/v1/auth/token", json={"email": "nobody@a.example", "password": PASSWORD})
    for reply in (wrong, unknown):
        assert reply.status_code == 401
        assert reply.headers["content-type"].startswith("application/problem+json")
    assert wrong.json()["detail"] == unknown.json()["detail"] == "wrong email or password"
    assert wrong.json()["title"] == unknown.json()["title"]


def test_a_deactivated_user_can_neither_sign_in_nor_use_a_token(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    with connect(db) as conn:
        conn.execute("UPDATE users SET active = false WHERE id = %s", (world.user_ids[Role.CASEWORKER],))
        conn.commit()
    assert client.post(
        "/api/v1/auth/token", json={"email": "caseworker@a.example", "password": PASSWORD}
    ).json()["detail"] == ("wrong email or password")
    assert client.get("/api/v1/me", headers=world.headers(Role.CASEWORKER)).status_code == 401


def test_tokens_are_stored_only_as_hashes(client: TestClient, db: str, world: AreaWorld) -> None:
    token = client.post("/api/v1/auth/token", json={"email": "admin@a.example", "password": PASSWORD}).json()[
        "access_token"
    ]
    with connect(db) as conn:
        rows = conn.execute("SELECT token_hash, user_id FROM api_tokens").fetchall()
    stored = [r["token_hash"] for r in rows]
    assert token not in stored
    assert all(token not in h for h in stored)
    assert hashlib.sha256(token.encode()).hexdigest() in stored


def test_an_expired_token_is_refused(client: TestClient, db: str, world: AreaWorld) -> None:
    h = world.headers(Role.COORDINATOR)
    assert client.get("/api/v1/me", headers=h).status_code == 200
    digest = hashlib.sha256(world.tokens[Role.COORDINATOR].encode()).hexdigest()
    with connect(db) as conn:
        conn.execute(
            "UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = %s", (digest,)
        )
        conn.commit()
    reply = client.get("/api/v1/me", headers=h)
    assert reply.status_code == 401
    assert reply.json()["detail"] == "invalid or expired token"


def test_signing_out_revokes_only_that_token(client: TestClient, world: AreaWorld) -> None:
    token = client.post(
        "/api/v1/auth/token", json={"email": "coordinator@a.example", "password": PASSWORD}
    ).json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    assert client.delete("/api/v1/auth/token", headers=h).status_code == 204
    assert client.get("/api/v1/me", headers=h).status_code == 401
    assert client.delete("/api/v1/auth/token", headers=h).status_code == 401
    assert client.get("/api/v1/me", headers=world.headers(Role.COORDINATOR)).status_code == 200


def test_passwords_are_stored_as_argon2id_hashes(client: TestClient, db: str, world: AreaWorld) -> None:
    reply = client.post(
        "/api/v1/users",
        json={
            "email": "uusi@a.example",
            "display_name": "Uusi Koordinaattori",
            "role": "coordinator",
            "password": "pitkä-salasana-1",
        },
        headers=world.headers(Role.ADMIN),
    )
    assert reply.status_code == 201, reply.text
    assert "password" not in reply.text
    with connect(db) as conn:
        row = conn.execute("SELECT password_hash FROM users WHERE email = 'uusi@a.example'").fetchone()
    assert row is not None
    assert row["password_hash"].startswith("$argon2id$")
    assert "pitkä-salasana-1" not in row["password_hash"]
    assert (
        client.post(
            "/api/v1/auth/token", json={"email": "uusi@a.example", "password": "pitkä-salasana-1"}
        ).status_code
        == 200
    )


def test_admin_creates_users_only_for_employers_of_the_own_area(
    client: TestClient, world: AreaWorld, other_world: AreaWorld
) -> None:
    h = world.headers(Role.ADMIN)
    base = {"display_name": "Työnantaja", "role": "employer", "password": "pitkä-salasana-1"}
    own = client.post(
        "/api/v1/users", json={**base, "email": "e1@a.example", "employer_id": world.employer_id}, headers=h
    )
    assert own.status_code == 201 and own.json()["area_id"] == world.area_id
    foreign = client.post(
        "/api/v1/users",
        json={**base, "email": "e2@a.example", "employer_id": other_world.employer_id},
        headers=h,
    )
    assert foreign.status_code == 422 and foreign.json()["field"] == "employer_id"
    no_employer = client.post("/api/v1/users", json={**base, "email": "e3@a.example"}, headers=h)
    assert no_employer.status_code == 422 and no_employer.json()["field"] == "employer_id"
    again = client.post(
        "/api/v1/users", json={**base, "email": "E1@a.example", "employer_id": world.employer_id}, headers=h
    )
    assert again.status_code == 409 and again.json()["field"] == "email"


@pytest.fixture
def cli_env(db: str) -> Iterator[dict[str, str]]:
    """The environment of a ``kohtaamo`` command run against the test database."""
    get_settings.cache_clear()
    yield {"KOHTAAMO_DATABASE_URL": db}
    get_settings.cache_clear()


def test_kohtaamo_users_create_makes_a_user_who_can_sign_in(
    client: TestClient, db: str, cli_env: dict[str, str]
) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "users",
            "create",
            "--email",
            "Koordinaattori@Turku.example",
            "--role",
            "coordinator",
            "--area",
            "Varsinais-Suomen työllisyysalue",
            "--name",
            "Kaisa Koordinaattori",
            "--password-stdin",
        ],
        input="pitkä-salasana-1\n",
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    assert "created user" in result.output
    with connect(db) as conn:
        row = conn.execute(
            "SELECT u.email, u.role, u.password_hash, a.name FROM users u JOIN areas a ON a.id = u.area_id"
        ).fetchone()
    assert row is not None
    assert (row["email"], row["role"], row["name"]) == (
        "koordinaattori@turku.example",
        "coordinator",
        "Varsinais-Suomen työllisyysalue",
    )
    assert row["password_hash"].startswith("$argon2id$")
    signed_in = client.post(
        "/api/v1/auth/token", json={"email": "koordinaattori@turku.example", "password": "pitkä-salasana-1"}
    )
    assert signed_in.status_code == 200 and signed_in.json()["role"] == "coordinator"


def test_kohtaamo_users_create_explains_what_is_wrong(
    db: str, world: AreaWorld, cli_env: dict[str, str]
) -> None:
    runner = CliRunner()
    base = ["users", "create", "--area", "Testialue", "--name", "N", "--password-stdin"]
    password = "pitkä-salasana-1\n"
    duplicate = runner.invoke(
        cli, [*base, "--email", "admin@a.example", "--role", "admin"], input=password, env=cli_env
    )
    assert duplicate.exit_code == 1
    assert "email: a user with this email already exists" in duplicate.output
    short = runner.invoke(
        cli, [*base, "--email", "x@a.example", "--role", "admin"], input="lyhyt\n", env=cli_env
    )
    assert short.exit_code == 1 and "password" in short.output
    no_such_employer = runner.invoke(
        cli,
        [*base, "--email", "y@a.example", "--role", "employer", "--employer-business-id", "1572860-0"],
        input=password,
        env=cli_env,
    )
    assert no_such_employer.exit_code == 1 and "employer_business_id" in no_such_employer.output
    employer_user = runner.invoke(
        cli,
        [*base, "--email", "z@a.example", "--role", "employer", "--employer-business-id", "0112038-9"],
        input=password,
        env=cli_env,
    )
    assert employer_user.exit_code == 0, employer_user.output
    bad_role = runner.invoke(
        cli, [*base, "--email", "w@a.example", "--role", "boss"], input=password, env=cli_env
    )
    assert bad_role.exit_code == 2
    with connect(db) as conn:
        emails = {r["email"] for r in conn.execute("SELECT email FROM users").fetchall()}
    assert "x@a.example" not in emails and "y@a.example" not in emails and "z@a.example" in emails
