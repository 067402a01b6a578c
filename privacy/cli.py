"""``kohtaamo jobseekers personal-data`` and ``kohtaamo jobseekers erase``: the right of access and erasure
from the command line.

The command line is the operator's tool: it acts with an admin's view of the person's area and is
audited in the name of the operating-system user running it (``cli:<name>``), never as a user of the
area. Its document therefore includes the work-capacity details, as an export does.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from accounts import service as accounts
from accounts.models import Principal, operator
from cli.common import Format, app_errors, fail, format_option, transaction
from core.db import Conn
from jobseekers import service as jobseekers
from jobseekers.audit import MAX_REASON
from privacy import erasure, pdf
from privacy import personal_data as access_request
from privacy.schemas import Erasure, PersonalData

jobseekers_app = typer.Typer(
    help="A jobseeker's personal data: the right of access and erasure.", no_args_is_help=True
)

REFERENCE_HELP = "The jobseeker's id, external id or pseudonym."
AREA_HELP = "Employment area name (needed when the reference names people of several areas)."


def _person(conn: Conn, reference: str, area: str | None) -> tuple[Principal, int]:
    """The operator acting in the person's area, and the person's id; one-line errors otherwise."""
    area_id = None
    if area is not None:
        found = accounts.area_by_name(conn, area.strip())
        if found is None:
            raise fail(f"no employment area called {area!r}")
        area_id = int(found["id"])
    rows = jobseekers.find_by_reference(conn, reference, area_id)
    if not rows:
        raise fail(f"no jobseeker with id, external id or pseudonym {reference!r}")
    if len(rows) > 1:
        raise fail(f"{reference!r} names {len(rows)} jobseekers: give --area, or the id")
    return operator(rows[0]["area_id"]), int(rows[0]["id"])


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise fail(f"--reason must be 1-{MAX_REASON} characters")
    return reason


@jobseekers_app.command("personal-data")
def personal_data_command(
    reference: str = typer.Argument(..., help=REFERENCE_HELP),
    area: str | None = typer.Option(None, help=AREA_HELP),
    reason: str = typer.Option("right of access", help="Why the data is read (audited)."),
    output_format: Format = format_option(Format.JSON, Format.PDF),
    out: Path | None = typer.Option(None, help="Write to this file instead of standard output."),
) -> None:
    """Everything held about a jobseeker, in one JSON document (as the API answers it) or a readable PDF
    (``--format pdf --out FILE.pdf``). Audited under the operating-system user."""
    why = _reason(reason)
    if output_format is Format.PDF and out is None:
        raise fail("--format pdf writes a file: give --out FILE.pdf")
    with app_errors(), transaction() as conn:
        principal, person = _person(conn, reference, area)
        document = access_request.personal_data(conn, principal, person, why)
    if output_format is Format.PDF:
        assert out is not None
        out.write_bytes(pdf.render_pdf(document))
        typer.echo(f"wrote {out}", err=True)
        return
    text = PersonalData.model_validate(document).model_dump_json(indent=2) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)


@jobseekers_app.command("erase")
def erase_command(
    reference: str = typer.Argument(..., help=REFERENCE_HELP),
    reason: str = typer.Option(..., help="Why the person is erased (audited)."),
    area: str | None = typer.Option(None, help=AREA_HELP),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    output_format: Format = format_option(Format.TABLE, Format.JSON),
) -> None:
    """Erase a jobseeker's identity and free text, keeping the pseudonymous facts that the indicators need
    and the audit trail. Cannot be undone; running it again changes nothing. Audited under the
    operating-system user."""
    why = _reason(reason)
    if not yes:
        typer.confirm(
            f"Erase the identity and free text of jobseeker {reference!r}? This cannot be undone", abort=True
        )
    with app_errors(), transaction() as conn:
        principal, person = _person(conn, reference, area)
        result = Erasure.model_validate(erasure.erase(conn, principal, person, why))
    if output_format is Format.JSON:
        typer.echo(result.model_dump_json(indent=2))
        return
    table = Table(
        title=f"{result.pseudonym} (jobseeker {result.jobseeker_id}) erased {result.erased_at:%Y-%m-%d %H:%M}"
    )
    table.add_column("")
    table.add_column("what")
    for what in result.erased:
        table.add_row("erased", what)
    for what in result.kept:
        table.add_row("kept", what)
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Add ``jobseekers`` to the ``kohtaamo`` command."""
    app.add_typer(jobseekers_app, name="jobseekers")
