"""``kohtaamo users``: the area's users from the command line."""

from __future__ import annotations

import sys

import typer

from accounts import care
from accounts import service as accounts
from accounts.models import Role, operator
from cli.common import app_errors, fail, transaction
from core.db import Conn
from employers import service as employers

users_app = typer.Typer(help="Manage users.", no_args_is_help=True)


def stdin_is_terminal() -> bool:
    """Whether there is a person to ask: standard input is a terminal."""
    return sys.stdin.isatty()


def new_password(from_stdin: bool) -> str:
    """The new user's password: the first line of standard input, or typed twice on the terminal.

    Never an argument: a command line is kept in the shell's history and shown to every user of the
    machine in the process list. Refused with a one-line error when empty or shorter than the accounts'
    rule (before anything is written).
    """
    if from_stdin:
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    elif stdin_is_terminal():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        raise fail("no terminal to ask the password on: give it on standard input with --password-stdin")
    if not password:
        raise fail("password: none was given")
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise fail(f"password: must be at least {accounts.MIN_PASSWORD_LENGTH} characters")
    return password


@users_app.command("create")
def create_user(
    email: str = typer.Option(..., help="Sign-in email."),
    role: Role = typer.Option(..., help="coordinator, caseworker, employer or admin."),
    area: str = typer.Option(..., help="Employment area name (created if missing)."),
    name: str = typer.Option(..., help="Display name."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of standard input."
    ),
    employer_business_id: str | None = typer.Option(None, help="For employer users: their organisation."),
) -> None:
    """Create a user. The password is asked twice on the terminal, or read with --password-stdin."""
    password = new_password(password_stdin)
    with app_errors(), transaction() as conn:
        area_id = accounts.ensure_area(conn, area)
        employer_id = None
        if employer_business_id:
            employer_id = employers.employer_id_by_business_id(conn, area_id, employer_business_id)
        user = accounts.create_user(
            conn,
            area_id=area_id,
            email=email,
            display_name=name,
            role=role,
            password=password,
            employer_id=employer_id,
        )
    typer.echo(f"created user {user['id']} ({role.value})")


def _area_id(conn: Conn, area: str) -> int:
    found = accounts.area_by_name(conn, area)
    if found is None:
        raise fail(f"area: no area is called {area!r}")
    return int(found["id"])


def _set_active(area: str, email: str, active: bool) -> None:
    with app_errors(), transaction() as conn:
        area_id = _area_id(conn, area)
        user = care.user_by_email(conn, area_id, email)
        care.set_active(conn, operator(area_id), user["id"], active)
    typer.echo(f"{'reactivated' if active else 'deactivated'} user {user['id']}")


AREA = typer.Option(..., help="The user's employment area.")
EMAIL = typer.Option(..., help="The user's sign-in email.")


@users_app.command("deactivate")
def deactivate(area: str = AREA, email: str = EMAIL) -> None:
    """Deactivate a user: every web session and API token of theirs stops working at once."""
    _set_active(area, email, False)


@users_app.command("reactivate")
def reactivate(area: str = AREA, email: str = EMAIL) -> None:
    """Let a deactivated user sign in again (no old session or token opens again)."""
    _set_active(area, email, True)


@users_app.command("reset-link")
def reset_link(
    area: str = AREA,
    email: str = EMAIL,
    base_url: str = typer.Option("http://127.0.0.1:8000", help="The service's address, as users open it."),
) -> None:
    """Print a one-time password reset link for a user (valid 24 hours, opens once)."""
    with app_errors(), transaction() as conn:
        area_id = _area_id(conn, area)
        user = care.user_by_email(conn, area_id, email)
        link = care.issue_reset_link(conn, operator(area_id), user["id"])
    typer.echo(link.url(base_url))
    typer.echo(f"valid until {link.expires_at.isoformat(timespec='minutes')}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``users`` to the ``kohtaamo`` command."""
    app.add_typer(users_app, name="users")
