"""Commands of the jobseekers domain: the area's target groups (``kohtaamo target-groups list``)."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from accounts import service as accounts
from accounts.models import operator
from cli.common import ContainedTyper, Format, app_errors, fail, format_option, transaction
from jobseekers import target_groups

groups_app = ContainedTyper(help="The area's saved target groups.", no_args_is_help=True)


@groups_app.command(name="list")
def list_command(
    area: str = typer.Option(..., help="Employment area name."),
    output_format: Format = format_option(Format.TABLE, Format.JSON),
) -> None:
    """List the area's target groups: id, name, rule and how many jobseekers meet it today."""
    with app_errors(), transaction() as conn:
        found = accounts.area_by_name(conn, area)
        if found is None:
            raise fail(f"no employment area called {area!r}")
        groups, _ = target_groups.list_target_groups(conn, operator(int(found["id"])))
    if output_format is Format.JSON:
        typer.echo(json.dumps([{k: g[k] for k in ("id", "name", "rule", "members")} for g in groups]))
        return
    table = Table(title=area)
    for column in ("id", "name", "rule", "members"):
        table.add_column(column)
    for g in groups:
        table.add_row(str(g["id"]), g["name"], json.dumps(g["rule"], ensure_ascii=False), str(g["members"]))
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Attach the jobseekers domain's commands to the ``kohtaamo`` command."""
    app.add_typer(groups_app, name="target-groups")
