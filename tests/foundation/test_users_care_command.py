"""``kohtaamo users deactivate | reactivate | reset-link``: the operator's account care, by area and email,
with one-line errors that name the field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accounts.models import Role
from core.db import connect
from core.settings import get_settings
from server.cli import app as cli
from tests.conftest import AreaWorld

runner = CliRunner()
API = "/api/v1"


@pytest.fixture
def cli_env(db: str) -> Iterator[dict[str, str]]:
    get_settings.cache_clear()
    yield {"KOHTAAMO_DATABASE_URL": db}
    get_settings.cache_clear()


def test_deactivate_ends_the_users_tokens_and_is_audited_as_the_operator(
    client: TestClient, world: AreaWorld, db: str, cli_env: dict[str, str]
) -> None:
    headers = world.headers(Role.CASEWORKER)
    assert client.get(f"{API}/me", headers=headers).status_code == 200
    args = ["users", "deactivate", "--area", "Testialue", "--email", "caseworker@a.example"]
    result = runner.invoke(cli, args, env=cli_env)
    assert result.exit_code == 0, result.output
    assert client.get(f"{API}/me", headers=headers).status_code == 401
    result = runner.invoke(cli, ["users", "reactivate", *args[2:]], env=cli_env)
    assert result.exit_code == 0, result.output
    with connect(db) as conn:
        rows = conn.execute("SELECT action, actor_id, actor_name FROM account_events ORDER BY id").fetchall()
    assert [r["action"] for r in rows] == ["deactivated", "reactivated"]
    assert all(r["actor_id"] is None and r["actor_name"].startswith("cli:") for r in rows)


def test_reset_link_prints_a_link_that_sets_the_password(
    client: TestClient, world: AreaWorld, cli_env: dict[str, str]
) -> None:
    result = runner.invoke(
        cli,
        [
            "users",
            "reset-link",
            "--area",
            "Testialue",
            "--email",
            "employer@a.example",
            "--base-url",
            "https://k.example",
        ],
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    link = result.stdout.strip()
    assert link.startswith("https://k.example/password/reset?token=")
    token = link.split("token=")[1]
    reply = client.post(
        f"{API}/auth/password-reset", json={"token": token, "new_password": "uusi-salasana-1"}
    )
    assert reply.status_code == 204


def test_the_commands_refuse_another_area_and_unknown_emails_in_one_line(
    world: AreaWorld, other_world: AreaWorld, db: str, cli_env: dict[str, str]
) -> None:
    unknown = runner.invoke(
        cli, ["users", "deactivate", "--area", "Testialue", "--email", "coordinator@b.example"], env=cli_env
    )
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == "error: email: no user with this email in the area"
    no_area = runner.invoke(
        cli, ["users", "reset-link", "--area", "Ei ole", "--email", "x@a.example"], env=cli_env
    )
    assert no_area.exit_code == 1 and no_area.stderr.startswith("error: area:")
    with connect(db) as conn:
        row = conn.execute("SELECT bool_and(active) AS all_active, count(*) AS n FROM users").fetchone()
        events = conn.execute("SELECT count(*) AS n FROM account_events").fetchone()
    assert row == {"all_active": True, "n": 8} and events == {"n": 0}
