"""``kohtaamo users create`` takes the password from a prompt on the terminal or from standard input
(``--password-stdin``), never from the command line, and refuses an empty or short one in one line."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from accounts import cli as users_cli
from accounts import service as accounts
from core.db import connect
from core.settings import get_settings
from server.cli import app as cli

NEW = [
    "users",
    "create",
    "--email",
    "uusi@a.example",
    "--role",
    "admin",
    "--area",
    "Testialue",
    "--name",
    "N",
]
PASSWORD = "pitkä-salasana-1"
runner = CliRunner()


@pytest.fixture
def cli_env(db: str) -> Iterator[dict[str, str]]:
    """The environment of a ``kohtaamo`` command run against the (emptied) test database."""
    get_settings.cache_clear()
    yield {"KOHTAAMO_DATABASE_URL": db}
    get_settings.cache_clear()


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard input is a terminal (the runner's input stands in for what is typed)."""
    monkeypatch.setattr(users_cli, "stdin_is_terminal", lambda: True)


def users(db: str) -> list[str]:
    with connect(db) as conn:
        return [r["email"] for r in conn.execute("SELECT email FROM users").fetchall()]


def test_on_a_terminal_the_password_is_asked_twice_and_not_shown(
    db: str, cli_env: dict[str, str], terminal: None
) -> None:
    typed = f"{PASSWORD}\n{PASSWORD[:-1]}x\n{PASSWORD}\n{PASSWORD}\n"
    result = runner.invoke(cli, NEW, input=typed, env=cli_env)
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output and "created user" in result.output
    assert PASSWORD not in result.output
    with connect(db) as conn:
        assert accounts.authenticate(conn, "uusi@a.example", PASSWORD)["id"]


def test_password_stdin_reads_one_line(db: str, cli_env: dict[str, str]) -> None:
    result = runner.invoke(
        cli, [*NEW, "--password-stdin"], input=f"{PASSWORD} ja välilyönti\nloput\n", env=cli_env
    )
    assert result.exit_code == 0, result.output
    with connect(db) as conn:
        assert accounts.authenticate(conn, "uusi@a.example", f"{PASSWORD} ja välilyönti")


def test_a_password_is_never_an_argument(db: str, cli_env: dict[str, str]) -> None:
    result = runner.invoke(cli, [*NEW, "--password", PASSWORD], env=cli_env)
    assert result.exit_code == 2 and "No such option" in result.output
    assert users(db) == []


def test_without_a_terminal_the_password_comes_on_stdin(db: str, cli_env: dict[str, str]) -> None:
    result = runner.invoke(cli, NEW, input=f"{PASSWORD}\n", env=cli_env)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: no terminal to ask the password on: give it on standard input with --password-stdin"
    ]
    assert users(db) == []


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("\n", "error: password: none was given"),
        ("", "error: password: none was given"),
        ("lyhyt\n", "error: password: must be at least 8 characters"),
    ],
)
def test_an_empty_or_short_password_is_refused_in_one_line(
    db: str, cli_env: dict[str, str], line: str, error: str
) -> None:
    result = runner.invoke(cli, [*NEW, "--password-stdin"], input=line, env=cli_env)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [error]
    assert users(db) == []
