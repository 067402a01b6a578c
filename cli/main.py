"""The ``kohtaamo`` command."""

from __future__ import annotations

import typer
from pydantic import ValidationError

from accounts import service as accounts
from accounts.models import Role
from cli.common import app_errors, fail, migrated_url, transaction
from core.logs import setup_logging
from core.settings import get_settings

app = typer.Typer(help="Kohtaamo: employer matching for employment areas.", no_args_is_help=True)
users_app = typer.Typer(help="Manage users.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@app.callback()
def main() -> None:
    """Configuration comes from KOHTAAMO_* environment variables (see README)."""
    try:
        settings = get_settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"KOHTAAMO_{'_'.join(str(part) for part in error['loc'][:1]).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        raise fail(f"bad configuration: {problems}") from None
    setup_logging(settings)


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    migrated_url()
    typer.echo("database is up to date")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, min=1, max=16, help="Worker processes."),
) -> None:
    """Serve the web interface and the API."""
    import uvicorn

    migrated_url()
    uvicorn.run("api.main:app", host=host, port=port, workers=workers, log_level="info")


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
            row = conn.execute(
                "SELECT id FROM employers WHERE area_id = %s AND business_id = %s",
                (area_id, employer_business_id),
            ).fetchone()
            if row is None:
                from core.errors import NotFound

                raise NotFound("no employer with this business id in the area", field="employer_business_id")
            employer_id = row["id"]
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


from matching.cli import register as register_matching  # noqa: E402

register_matching(app)

from demo.cli import register as register_demo  # noqa: E402
from interchange.cli import register as register_interchange  # noqa: E402

register_interchange(app)
register_demo(app)

from placements.cli import register as register_placements  # noqa: E402

register_placements(app)

if __name__ == "__main__":
    app()
