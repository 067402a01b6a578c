"""Commands of the coordination workflow: ``kohtaamo indicators``, ``kohtaamo hidden-jobs`` and
``kohtaamo outcomes``."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from cli.common import Format, app_errors, fail, format_option, language_option, transaction
from core.db import Conn


class ByOption(StrEnum):
    AREA = "area"
    MUNICIPALITY = "municipality"
    COORDINATOR = "coordinator"
    MONTH = "month"


class LedgerGroupOption(StrEnum):
    COORDINATOR = "coordinator"
    SECTOR = "sector"
    MONTH = "month"


def _area_id(conn: Conn, name: str) -> int:
    from accounts import service as accounts

    area = accounts.area_by_name(conn, name)
    if area is None:
        raise fail(f"no employment area called {name!r}")
    return int(area["id"])


def _parse_day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option} must be a date like 2026-01-31") from None


def _write(out: Path | None, content: str | bytes) -> None:
    if out is None:
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            typer.echo(content, nl=False)
        return
    if isinstance(content, bytes):
        out.write_bytes(content)
    else:
        out.write_text(content, encoding="utf-8")
    typer.echo(f"wrote {out}", err=True)


def _table(result: dict[str, Any]) -> None:
    table = Table(title=f"{result['area']} {result['from']} – {result['to']}")
    for column in ("indicator", "group", "value", "numerator", "denominator"):
        table.add_column(column)
    for ind in result["indicators"]:
        for point in ind["series"]:
            table.add_row(
                ind["title"],
                str(point["label"]),
                "–" if point["value"] is None else str(point["value"]),
                "" if point["numerator"] is None else str(point["numerator"]),
                "" if point["denominator"] is None else str(point["denominator"]),
            )
    console = Console()
    console.print(table)
    for ind in result["indicators"]:
        console.print(f"{ind['name']}: {ind['definition']}", highlight=False, markup=False)


def indicators_command(
    area: str = typer.Option(..., help="Employment area name."),
    date_from: str | None = typer.Option(
        None, "--from", help="First day of the period (YYYY-MM-DD); default: 12 months back, as the API."
    ),
    date_to: str | None = typer.Option(
        None, "--to", help="Last day of the period, inclusive (YYYY-MM-DD); default: today."
    ),
    by: ByOption = typer.Option(ByOption.AREA, help="area, municipality, coordinator or month."),
    target_group: int | None = typer.Option(
        None,
        "--target-group",
        help="Only the members of this target group (its id: kohtaamo target-groups list).",
    ),
    event: int | None = typer.Option(
        None, "--event", help="Only what came of this recruitment event of the area (its id)."
    ),
    output_format: Format = format_option(Format.TABLE, Format.JSON, Format.CSV, Format.XLSX),
    out: Path | None = typer.Option(None, help="Write to this file instead of standard output."),
    language: str = language_option(),
) -> None:
    """Compute the area's indicators for a period, each with its title and definition in the language of
    --lang (in the JSON and XLSX outputs also its definition in Finnish, Swedish and English)."""
    from placements import exports, indicators
    from placements.ledger import default_period

    first, last = default_period(_parse_day(date_from, "--from"), _parse_day(date_to, "--to"))
    if output_format is Format.XLSX and out is None:
        raise fail("--format xlsx writes a file: give --out FILE.xlsx")
    with app_errors(), transaction() as conn:
        scope = indicators.Scope(area_id=_area_id(conn, area), area_name=area, date_from=first, date_to=last)
        scope = indicators.at_event(conn, indicators.narrowed(conn, scope, target_group), event)
        result = indicators.compute(conn, scope, by.value, language)
    if output_format is Format.TABLE:
        _table(result)
    elif output_format is Format.JSON:
        _write(out, json.dumps(result, ensure_ascii=False, default=str, indent=2) + "\n")
    elif output_format is Format.CSV:
        _write(out, exports.to_csv(result))
    else:
        _write(out, exports.to_xlsx(result))


def hidden_jobs_command(
    area: str = typer.Option(..., help="Employment area name."),
    date_from: str | None = typer.Option(
        None, "--from", help="First day of the period (YYYY-MM-DD); default: 12 months back, as the API."
    ),
    date_to: str | None = typer.Option(
        None, "--to", help="Last day of the period, inclusive (YYYY-MM-DD); default: today."
    ),
    group_by: LedgerGroupOption = typer.Option(
        LedgerGroupOption.MONTH, "--group-by", help="coordinator, sector or month."
    ),
    output_format: Format = format_option(Format.TABLE, Format.JSON),
    language: str = language_option(),
) -> None:
    """The hidden-job ledger: hidden needs uncovered in a period and how many were filled, with its
    definition in the language of --lang."""
    from placements import ledger

    first, last = ledger.default_period(_parse_day(date_from, "--from"), _parse_day(date_to, "--to"))
    with app_errors(), transaction() as conn:
        result = ledger.hidden_jobs(conn, _area_id(conn, area), first, last, group_by.value, language)
    if output_format is Format.JSON:
        typer.echo(json.dumps({**result, "area": area}, ensure_ascii=False, default=str, indent=2))
        return
    table = Table(title=f"{area} {first} – {last}", caption=result["definition"])
    columns = ("hidden_needs", "filled_needs", "from_contacts", "positions", "positions_filled")
    for column in ("group", *columns):
        table.add_column(column)
    for group in result["groups"]:
        table.add_row(str(group["label"]), *(str(group[c]) for c in columns))
    table.add_row("total", *(str(result["totals"][c]) for c in columns))
    Console().print(table)


def outcomes_command(
    area: str = typer.Option(..., help="Employment area name."),
    output_format: Format = format_option(Format.JSON),
) -> None:
    """Where placed candidates stood in the ranking when proposed: MRR and recall@10, one JSON line."""
    print_outcomes(area)


def print_outcomes(area: str) -> None:
    """The outcome evaluation of ``area`` as one JSON line (``outcomes``, and ``eval --outcomes``)."""
    from placements.outcomes import outcome_eval

    with app_errors(), transaction() as conn:
        result = outcome_eval(conn, _area_id(conn, area))
    typer.echo(json.dumps({**result, "area": area}, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    """Attach the workflow's commands to the ``kohtaamo`` command."""
    app.command(name="indicators")(indicators_command)
    app.command(name="hidden-jobs")(hidden_jobs_command)
    app.command(name="outcomes")(outcomes_command)
