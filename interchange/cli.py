"""``kohtaamo import`` and ``kohtaamo export``: the JSONL interchange format from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from cli.common import Format, app_errors, format_option, labelled_progress, transaction
from core.settings import get_settings
from interchange.exporter import export_area
from interchange.importer import import_file
from matching.vectors import embed_imported

PERSONAL_DATA_WARNING = (
    "warning: the export contains jobseekers' personal data and work-capacity details;"
    " store and send it as such"
)


def import_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True, help="A JSONL file."),
    area: str = typer.Option(..., help="Employment area name (created if missing)."),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Write the valid lines and report the others."
    ),
) -> None:
    """Import a JSONL file into an area: employers, needs, tasks, carved jobs, jobseekers, events, and the
    area's users, settings, contacts, consents, proposals (with their frozen cards) and placements (with
    follow-ups).

    Users are created without a password: they set one with a reset link (kohtaamo users reset-link).

    Every line is validated first; unless --skip-invalid is given, one invalid line means nothing is
    written and the exit status is 1. Importing the same file twice changes nothing.
    """
    with app_errors(), transaction() as conn:
        report = import_file(conn, file, area, skip_invalid=skip_invalid)
        for line in report.error_lines(str(file)):
            typer.echo(line, err=True)
        if not report.written:
            typer.echo(
                f"{len(report.errors)} problem(s) found; nothing was written"
                " (fix the file, or pass --skip-invalid to write the valid lines)",
                err=True,
            )
            raise typer.Exit(1)
    for line in report.summary():
        typer.echo(line, err=True)
    typer.echo(f"imported {report.lines} lines into {report.area_name!r} in {report.seconds:.1f} s", err=True)
    with app_errors(), transaction() as conn, labelled_progress() as progress:
        lines = embed_imported(conn, get_settings(), report.need_ids, report.jobseeker_ids, progress)
    for line in lines:
        typer.echo(line, err=True)


def export_command(
    area: str = typer.Option(..., help="Employment area name."),
    output_format: Format = format_option(Format.JSONL),
) -> None:
    """Write every record of an area to stdout as JSONL, the import format (version 2; the only format:
    ``--format jsonl``): employers, needs, tasks, carved jobs, jobseekers, events, users, area settings,
    contacts, consents, proposals and placements. Never a password or a token."""
    typer.echo(PERSONAL_DATA_WARNING, err=True)
    with app_errors(), transaction() as conn:
        counts = export_area(conn, area, sys.stdout)
    sys.stdout.flush()
    written = [_counted(kind, n) for kind, n in counts.items() if n]  # the kinds the area has
    typer.echo((", ".join(written) or "nothing") + " exported", err=True)


def _counted(kind: str, n: int) -> str:
    """``3 employers``, ``1 area_settings``."""
    return f"{n} {kind}" if kind.endswith("s") else f"{n} {kind}s"


def register(app: typer.Typer) -> None:
    """Add ``import`` and ``export`` to the ``kohtaamo`` command."""
    app.command("import")(import_command)
    app.command("export")(export_command)
