"""``kohtaamo import`` and ``kohtaamo export`` from the command line: messages and exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from core.db import connect
from interchange.cli import PERSONAL_DATA_WARNING
from server.cli import app
from tests.interchange.conftest import EMPLOYER, JOBSEEKER, NEED, WriteFile, counts

runner = CliRunner()
BAD_EMPLOYER = {**EMPLOYER, "external_id": "e2", "business_id": "0112038-8"}
BAD_ID = "business_id: not a valid Finnish business id (Y-tunnus), e.g. 0112038-9"


def test_a_valid_file_is_imported_with_a_summary_and_exit_status_0(
    cli_env: str, write_file: WriteFile
) -> None:
    path = write_file([EMPLOYER, NEED, JOBSEEKER])

    result = runner.invoke(app, ["import", str(path), "--area", "Testialue"])

    assert result.exit_code == 0, result.output
    assert "employer: 1 created, 0 updated, 0 unchanged, 0 invalid" in result.stderr
    assert result.stdout == ""


def test_an_invalid_file_exits_1_naming_the_line_and_writes_nothing(
    cli_env: str, write_file: WriteFile
) -> None:
    path = write_file([EMPLOYER, BAD_EMPLOYER, NEED])

    result = runner.invoke(app, ["import", str(path), "--area", "Testialue"])

    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{path}:2: {BAD_ID}"
    assert "nothing was written" in result.stderr
    with connect(cli_env) as conn:
        assert counts(conn) == dict.fromkeys(counts(conn), 0)


def test_skip_invalid_exits_0_and_still_reports_the_bad_lines(cli_env: str, write_file: WriteFile) -> None:
    path = write_file([EMPLOYER, BAD_EMPLOYER, NEED])

    result = runner.invoke(app, ["import", str(path), "--area", "Testialue", "--skip-invalid"])

    assert result.exit_code == 0, result.output
    assert f"{path}:2: {BAD_ID}" in result.stderr.splitlines()
    assert "employer: 1 created, 0 updated, 0 unchanged, 1 invalid" in result.stderr
    with connect(cli_env) as conn:
        assert (counts(conn)["employers"], counts(conn)["needs"]) == (1, 1)


def test_export_prints_jsonl_to_stdout_and_warns_on_stderr(cli_env: str, write_file: WriteFile) -> None:
    runner.invoke(app, ["import", str(write_file([EMPLOYER, NEED, JOBSEEKER])), "--area", "Testialue"])

    result = runner.invoke(app, ["export", "--area", "Testialue"])

    assert result.exit_code == 0, result.output
    assert [json.loads(line)["type"] for line in result.stdout.splitlines()] == [
        "format",
        "employer",
        "need",
        "jobseeker",
    ]
    assert result.stderr.splitlines()[0] == PERSONAL_DATA_WARNING
    assert result.stderr.splitlines()[-1] == ("1 employers, 1 needs, 1 jobseekers exported")


def test_exporting_an_unknown_area_exits_1(cli_env: str) -> None:
    result = runner.invoke(app, ["export", "--area", "Ei ole"])

    assert result.exit_code == 1
    assert "error: area: no employment area with this name" in result.stderr
    assert result.stdout == ""


def test_the_installed_command_exits_1_on_a_bad_file_and_0_on_a_good_one(db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(BAD_EMPLOYER) + "\n", encoding="utf-8")
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(EMPLOYER) + "\n", encoding="utf-8")
    env = {**os.environ, "KOHTAAMO_DATABASE_URL": db}
    command = [str(Path(sys.executable).with_name("kohtaamo")), "import"]

    failed = subprocess.run(
        [*command, str(bad), "--area", "Testialue"], env=env, capture_output=True, text=True
    )
    passed = subprocess.run(
        [*command, str(good), "--area", "Testialue"], env=env, capture_output=True, text=True
    )

    assert failed.returncode == 1
    assert failed.stderr.splitlines()[0] == f"{bad}:1: {BAD_ID}"
    assert passed.returncode == 0, passed.stderr


def test_import_embeds_what_it_wrote_in_batches_and_reindex_finds_nothing_left(
    cli_env: str, write_file: WriteFile
) -> None:
    path = write_file([EMPLOYER, NEED, JOBSEEKER])

    result = runner.invoke(app, ["import", str(path), "--area", "Testialue"])

    assert result.exit_code == 0, result.output
    # The session's application (tests/conftest.py app_client) follows this database too and embeds
    # what changed: it may get to a row first, which the import then finds current. Either way the
    # import accounts for every row it wrote.
    for kind in ("needs", "jobseekers"):
        found = re.search(rf"{kind}: (\d+) embedded, (\d+) already current", result.stderr)
        assert found is not None, result.stderr
        assert int(found.group(1)) + int(found.group(2)) == 1
    with connect(cli_env) as conn:
        stored = conn.execute(
            "SELECT (SELECT count(*) FROM need_vectors) AS needs,"
            " (SELECT count(*) FROM jobseeker_vectors) AS js"
        ).fetchone()
    assert stored == {"needs": 1, "js": 1}
    again = runner.invoke(app, ["reindex"])
    assert again.exit_code == 0, again.output
    assert "needs: 0 embedded, 1 unchanged" in again.stderr


def test_an_imported_need_is_matched_from_the_command_line_in_each_format(
    cli_env: str, write_file: WriteFile
) -> None:
    runner.invoke(app, ["import", str(write_file([EMPLOYER, NEED, JOBSEEKER])), "--area", "Testialue"])
    admin = ["--email", "admin@a.example", "--role", "admin", "--area", "Testialue", "--name", "Pääkäyttäjä"]
    made = runner.invoke(app, ["users", "create", *admin, "--password-stdin"], input="salasana-123\n")
    assert made.exit_code == 0
    match = ["match", "--need", NEED["external_id"]]

    table = runner.invoke(app, match)
    as_json = runner.invoke(app, [*match, "--format", "json"])
    as_lines = runner.invoke(app, [*match, "--format", "jsonl"])

    assert table.exit_code == as_json.exit_code == as_lines.exit_code == 0, table.output
    reply = json.loads(as_json.stdout)
    assert reply["need"]["external_id"] == NEED["external_id"]
    assert [item["external_id"] for item in reply["items"]] == [JOBSEEKER["external_id"]]
    assert [json.loads(line) for line in as_lines.stdout.splitlines()] == reply["items"]
    assert JOBSEEKER["external_id"] in table.stdout


def test_export_takes_its_one_format_by_name(cli_env: str, write_file: WriteFile) -> None:
    runner.invoke(app, ["import", str(write_file([EMPLOYER])), "--area", "Testialue"])

    named = runner.invoke(app, ["export", "--area", "Testialue", "--format", "jsonl"])

    assert named.exit_code == 0, named.output
    assert named.stdout == runner.invoke(app, ["export", "--area", "Testialue"]).stdout
