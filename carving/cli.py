"""Commands of job carving: the bundles Kohtaamo suggests from an area's open tasks
(``kohtaamo carving suggest``)."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from accounts import service as accounts
from carving import service, suggestions
from carving.schemas import SuggestionParams
from cli.common import ContainedTyper, Format, app_errors, fail, format_option, transaction

carving_app = ContainedTyper(
    help="Job carving: tasks found at employers, bundled into jobs.", no_args_is_help=True
)


@carving_app.command(name="suggest")
def suggest_command(
    area: str = typer.Option(..., help="Employment area name."),
    min_hours: float = typer.Option(20.0, help="Hours a week a bundle reaches at least."),
    max_hours: float = typer.Option(37.5, help="Hours a week a bundle stays within."),
    max_distance_km: float = typer.Option(30.0, help="How far apart a bundle's tasks may lie."),
    output_format: Format = format_option(Format.TABLE, Format.JSON),
) -> None:
    """The bundles of the area's open tasks that fit together in the week and reach the hours, best
    first, each with its reason (as GET /api/v1/carving/suggestions gives them)."""
    params = SuggestionParams(min_hours=min_hours, max_hours=max_hours, max_distance_km=max_distance_km)
    with app_errors(), transaction() as conn:
        found = accounts.area_by_name(conn, area)
        if found is None:
            raise fail(f"no employment area called {area!r}")
        bundles = [
            b.as_dict() for b in suggestions.suggest(service.open_tasks(conn, int(found["id"])), params)
        ]
    if output_format is Format.JSON:
        typer.echo(json.dumps(bundles, ensure_ascii=False))
        return
    table = Table(title=area)
    for column in ("tasks", "hours", "km", "reason"):
        table.add_column(column)
    for b in bundles:
        table.add_row(
            ", ".join(map(str, b["task_ids"])), f"{b['hours_per_week']:g}", f"{b['spread_km']:g}", b["reason"]
        )
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Attach job carving's commands to the ``kohtaamo`` command."""
    app.add_typer(carving_app, name="carving")
