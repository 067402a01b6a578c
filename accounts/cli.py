"""``kohtaamo users``: the area's users from the command line."""

from __future__ import annotations

import typer

from accounts import service as accounts
from accounts.models import Role
from cli.common import app_errors, transaction
from employers import service as employers

users_app = typer.Typer(help="Manage users.", no_args_is_help=True)


@users_app.command("create")
def create_user(
    email: str = typer.Option(..., help="Sign-in email."),
    role: Role = typer.Option(..., help="coordinator, caseworker, employer or admin."),
    area: str = typer.Option(..., help="Employment area name (created if missing)."),
    name: str = typer.Option(..., help="Display name."),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    employer_business_id: str | None = typer.Option(None, help="For employer users: their organisation."),
) -> None:
    """Create a user."""
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


def register(app: typer.Typer) -> None:
    """Add ``users`` to the ``kohtaamo`` command."""
    app.add_typer(users_app, name="users")
