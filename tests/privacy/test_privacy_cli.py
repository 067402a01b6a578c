"""``kohtaamo jobseekers personal-data`` and ``kohtaamo jobseekers erase``: the operator's right of access
and erasure, recorded in the name of the operating-system user."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from accounts.models import operator_name
from core.db import connect
from server.cli import app
from tests.interchange.conftest import EMPLOYER, JOBSEEKER, NEED, WriteFile

runner = CliRunner()
PERSON = {**JOBSEEKER, "name": "Aino Korhonen", "email": "aino@example.fi", "birth_year": 1990}


def _imported(write_file: WriteFile) -> None:
    result = runner.invoke(app, ["import", str(write_file([EMPLOYER, NEED, PERSON])), "--area", "Testialue"])
    assert result.exit_code == 0, result.output


def _audit(db: str, action: str) -> list[dict[str, Any]]:
    with connect(db) as conn:
        return conn.execute(
            "SELECT actor_id, actor_label, reason FROM audit_log WHERE action = %s ORDER BY id", (action,)
        ).fetchall()


def test_personal_data_prints_the_whole_document_as_the_operator(cli_env: str, write_file: WriteFile) -> None:
    _imported(write_file)

    result = runner.invoke(app, ["jobseekers", "personal-data", "j1", "--reason", "tietopyyntö"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["profile"]["full_name"] == "Aino Korhonen"
    assert document["work_capacity"]["details"] == "Selkä."  # the operator's tool, as exports are
    assert document["withheld"] == [] and document["plans"] == []
    assert document["audit_trail"][-1]["actor_name"] == operator_name()
    assert _audit(cli_env, "personal_data") == [
        {"actor_id": None, "actor_label": operator_name(), "reason": "tietopyyntö"}
    ]
    by_pseudonym = runner.invoke(app, ["jobseekers", "personal-data", document["pseudonym"]])
    by_id = runner.invoke(
        app, ["jobseekers", "personal-data", str(document["jobseeker_id"]), "--area", "Testialue"]
    )
    assert by_pseudonym.exit_code == by_id.exit_code == 0
    assert json.loads(by_id.stdout)["profile"] == document["profile"]


def test_personal_data_writes_a_pdf_to_a_file_only(
    cli_env: str, write_file: WriteFile, tmp_path: Path
) -> None:
    _imported(write_file)
    out = tmp_path / "aino.pdf"

    refused = runner.invoke(app, ["jobseekers", "personal-data", "j1", "--format", "pdf"])
    written = runner.invoke(app, ["jobseekers", "personal-data", "j1", "--format", "pdf", "--out", str(out)])

    assert refused.exit_code == 1
    assert refused.stderr == "error: --format pdf writes a file: give --out FILE.pdf\n"
    assert written.exit_code == 0, written.output
    assert out.read_bytes().startswith(b"%PDF-")
    assert written.stdout == "" and f"wrote {out}" in written.stderr
    assert len(_audit(cli_env, "personal_data")) == 1


def test_an_unknown_person_or_area_is_one_line_and_exit_1(cli_env: str, write_file: WriteFile) -> None:
    _imported(write_file)
    for args, message in (
        (["personal-data", "ei-ole"], "error: no jobseeker with id, external id or pseudonym 'ei-ole'\n"),
        (["personal-data", "j1", "--area", "Ei ole"], "error: no employment area called 'Ei ole'\n"),
        (
            ["erase", "ei-ole", "--reason", "x", "--yes"],
            "error: no jobseeker with id, external id or pseudonym 'ei-ole'\n",
        ),
    ):
        result = runner.invoke(app, ["jobseekers", *args])
        assert result.exit_code == 1
        assert result.stderr == message
    assert _audit(cli_env, "personal_data") == []


def test_erase_asks_first_erases_once_and_answers_the_same_again(cli_env: str, write_file: WriteFile) -> None:
    _imported(write_file)
    command = ["jobseekers", "erase", "j1", "--reason", "poistopyyntö"]

    declined = runner.invoke(app, command, input="n\n")
    with connect(cli_env) as conn:
        assert conn.execute("SELECT full_name FROM jobseekers").fetchone() == {"full_name": "Aino Korhonen"}
    first = runner.invoke(app, [*command, "--format", "json"], input="y\n")
    assert declined.exit_code == 1
    assert first.exit_code == 0, first.output
    result = json.loads(first.stdout[first.stdout.index("{") :])
    # Erased, the person is named by pseudonym or id only: the external id went with the identity.
    command[2] = result["pseudonym"]
    again = runner.invoke(app, [*command, "--yes", "--format", "json"])
    table = runner.invoke(app, [*command, "--yes"])

    assert again.exit_code == table.exit_code == 0, again.output
    assert json.loads(again.stdout) == result
    assert result["pseudonym"] in table.stdout and "erased" in table.stdout and "kept" in table.stdout
    with connect(cli_env) as conn:
        row = conn.execute("SELECT full_name, email, external_id, erased_at FROM jobseekers").fetchone()
    assert row is not None and (row["full_name"], row["email"], row["external_id"]) == (None, None, None)
    label = operator_name()
    assert _audit(cli_env, "erase") == [{"actor_id": None, "actor_label": label, "reason": "poistopyyntö"}]
    assert len(_audit(cli_env, "erase_repeat")) == 2
    assert runner.invoke(app, ["jobseekers", "personal-data", "j1"]).exit_code == 1
