"""``kohtaamo demo load``: the fictional demo area with a user of each role."""

from __future__ import annotations

import typer

from cli.common import app_errors, labelled_progress, transaction
from core.settings import get_settings
from demo.catalogue import AREA
from demo.load import DEMO_PASSWORD, DEMO_USERS, load_demo
from matching.vectors import embed_imported

demo_app = typer.Typer(help="The fictional demo employment area.", no_args_is_help=True)


@demo_app.command("load")
def load() -> None:
    """Import the demo area (idempotent) and create its demo users; prints their logins."""
    with app_errors(), transaction() as conn:
        report = load_demo(conn)
    for line in report.imported.summary():
        typer.echo(line, err=True)
    imported = report.imported
    if report.embedded:
        typer.echo(f"a year of history: {report.placements_made} placements, every row embedded", err=True)
    else:
        with app_errors(), transaction() as conn, labelled_progress() as progress:
            lines = embed_imported(conn, get_settings(), imported.need_ids, imported.jobseeker_ids, progress)
        for line in lines:
            typer.echo(line, err=True)
    typer.echo(f"demo area {AREA!r} is ready ({report.clients_assigned} clients newly assigned)")
    typer.echo("demo logins (password for all: " + DEMO_PASSWORD + "):")
    for user in DEMO_USERS:
        state = "created" if user in report.users_created else "exists"
        typer.echo(f"  {user.role.value:<12} {user.email:<32} {state}")


def register(app: typer.Typer) -> None:
    """Add ``demo`` to the ``kohtaamo`` command."""
    app.add_typer(demo_app, name="demo")
