"""One dialect on the command line: every command that prints data takes ``--format`` and names the
formats it prints when given another."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from server.cli import app as cli

REFUSALS = {
    ("match", "--need", "1", "--format", "xlsx"): "table, json, jsonl",
    ("indicators", "--area", "Testialue", "--format", "jsonl"): "table, json, csv, xlsx",
    ("hidden-jobs", "--area", "Testialue", "--format", "csv"): "table, json",
    ("eval", "--format", "table"): "json",
    ("eval", "--outcomes", "--area", "Testialue", "--format", "csv"): "json",
    ("outcomes", "--area", "Testialue", "--format", "table"): "json",
    ("export", "--area", "Testialue", "--format", "json"): "jsonl",
    ("export", "--area", "Testialue", "--format", "yaml"): "jsonl",
    ("purge", "--format", "csv"): "table, json",
    ("carving", "suggest", "--area", "Testialue", "--format", "csv"): "table, json",
    ("jobseekers", "personal-data", "j1", "--format", "csv"): "json, pdf",
    ("jobseekers", "erase", "j1", "--reason", "x", "--format", "pdf"): "table, json",
}


@pytest.mark.parametrize(("command", "formats"), REFUSALS.items())
def test_a_format_the_command_cannot_print_is_refused_in_one_line(
    command: tuple[str, ...], formats: str
) -> None:
    refused = CliRunner().invoke(cli, list(command))

    assert refused.exit_code == 1
    assert refused.stderr == f"error: --format {command[-1]}: this command prints only {formats}\n"
    assert refused.stdout == ""


@pytest.mark.parametrize(
    "command",
    [
        "match",
        "indicators",
        "hidden-jobs",
        "eval",
        "outcomes",
        "export",
        "purge",
        "carving suggest",
        "jobseekers personal-data",
        "jobseekers erase",
    ],
)
def test_every_data_command_offers_the_format_option(command: str) -> None:
    helped = CliRunner().invoke(cli, [*command.split(), "--help"])

    assert helped.exit_code == 0, helped.output
    assert "--format" in helped.stdout
    assert "--json " not in helped.stdout
