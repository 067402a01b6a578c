"""The root of the ``kohtaamo`` command: configuration, logging, ``migrate`` and ``serve``, and every
domain's commands registered in one place."""

from __future__ import annotations

import json

import typer
from pydantic import ValidationError

from accounts.cli import register as register_users
from carving.cli import register as register_carving
from cli.common import ContainedTyper, Format, fail, format_option, migrated_url, transaction
from core.logs import setup_logging
from core.settings import get_settings
from demo.cli import register as register_demo
from interchange.cli import register as register_interchange
from jobseekers.cli import register as register_jobseekers
from matching.cli import register as register_matching
from notifications import events as notice_events
from placements.cli import print_outcomes
from placements.cli import register as register_placements
from privacy.cli import register as register_privacy
from server import notify as notices
from server import retention

app = ContainedTyper(help="Kohtaamo: employer matching for employment areas.", no_args_is_help=True)


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
    # log_config=None: uvicorn's loggers write through this process's handler (core/logs.py), whose
    # formatter leaves exception messages out and whose access log leaves query strings out; uvicorn's own
    # configuration would print both.
    # On SIGTERM (a container stopping) uvicorn stops accepting, lets the requests in flight finish for up to
    # KOHTAAMO_SHUTDOWN_TIMEOUT_SECONDS, then runs the lifespan's shutdown (follower, pool).
    uvicorn.run(
        "server.main:app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        log_config=None,
        timeout_graceful_shutdown=get_settings().shutdown_timeout_seconds,
    )


@app.command()
def purge(output_format: Format = format_option(Format.TABLE, Format.JSON)) -> None:
    """Delete what has expired (bearer tokens, web sessions, old sign-in failures, handled form tokens,
    idempotency keys with their stored replies) and print how many of each. A running server does the
    same every hour; how long each kind of record is kept: docs/retention.md."""
    with transaction() as conn:
        counts = retention.purge_expired(conn)
    if output_format is Format.JSON:
        typer.echo(json.dumps(counts))
    else:
        for kind, n in counts.items():
            typer.echo(f"{n:>8}  {kind}")


@app.command()
def notify(output_format: Format = format_option(Format.TABLE, Format.JSON)) -> None:
    """Make the reminders of what is due (contacts' next steps, placement follow-ups) and send the mail
    that waits in the outbox (when KOHTAAMO_SMTP_URL is set); prints how many of each. Running it again
    makes no reminder twice. A running server does the same on its own."""
    settings = get_settings()
    url = migrated_url()
    counts: dict[str, int] = dict(notices.remind_once(url))
    delivery = notices.deliver_once(url, settings)
    counts.update({"mail_sent": delivery.sent, "mail_failed": delivery.failed})
    if output_format is Format.JSON:
        typer.echo(json.dumps(counts))
    else:
        for kind, n in counts.items():
            typer.echo(f"{n:>8}  {kind}")


notice_events.install()  # what the commands change is noticed as the server's requests are
register_users(app)
register_matching(app, outcomes_of_area=print_outcomes)
register_interchange(app)
register_demo(app)
register_placements(app)
register_privacy(app)
register_jobseekers(app)
register_carving(app)

if __name__ == "__main__":
    app()
