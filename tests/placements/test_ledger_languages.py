"""The hidden-job ledger's definition in the reader's language, as the indicators' definitions: the API
follows ``Accept-Language`` (Finnish when it names none of ours), the ``hidden-jobs`` command takes
``--lang``; the figures are the same in every language."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accounts.models import Role
from core.db import connect
from core.settings import get_settings
from core.sql import insert_row
from server.cli import app as cli
from tests.conftest import AreaWorld

PERIOD = "from=2026-01-01&to=2026-01-31&all=true"
DEFINITION = {
    "fi": "Piilotyöpaikka on tarve, jota avoimet markkinat eivät koskaan nähneet",
    "sv": "Ett dolt behov är ett som den öppna marknaden aldrig såg",
    "en": "A hidden need is one the open market never saw",
}


@pytest.fixture
def cli_env(db: str) -> Iterator[dict[str, str]]:
    get_settings.cache_clear()
    yield {"KOHTAAMO_DATABASE_URL": db}
    get_settings.cache_clear()


@pytest.fixture
def hidden_need(db: str, world: AreaWorld) -> None:
    # Optional fields empty: no creator, no contact, no sector.
    with connect(db) as conn:
        need = {"area_id": world.area_id, "employer_id": world.employer_id, "title": "Varastotyöntekijä"}
        insert_row(
            conn,
            "needs",
            {**need, "municipality": "Turku", "visibility": "hidden", "created_at": "2026-01-31 23:30+02"},
        )
        conn.commit()


def test_the_ledger_definition_follows_accept_language(
    client: TestClient, world: AreaWorld, hidden_need: None
) -> None:
    h = world.headers(Role.COORDINATOR)
    replies = {
        header: client.get(f"/api/v1/ledger/hidden-jobs?{PERIOD}", headers={**h, "Accept-Language": header})
        for header in ("sv-FI, en;q=0.5", "en-GB", "fi", "de")
    }
    expected = {"sv-FI, en;q=0.5": "sv", "en-GB": "en", "fi": "fi", "de": "fi"}
    for header, reply in replies.items():
        assert reply.status_code == 200, reply.text
        body = reply.json()
        assert body["language"] == expected[header]
        assert body["definition"].startswith(DEFINITION[expected[header]]), header
        assert body["totals"]["hidden_needs"] == 1 and body["groups"][0]["key"] == "2026-01"
    assert len({json.dumps(r.json()["groups"]) for r in replies.values()}) == 1
    unnamed = client.get(f"/api/v1/ledger/hidden-jobs?{PERIOD}", headers=h).json()
    assert unnamed["language"] == "fi"


def test_the_hidden_jobs_command_prints_the_definition_in_the_language_of_lang(
    client: TestClient, world: AreaWorld, hidden_need: None, cli_env: dict[str, str]
) -> None:
    runner = CliRunner()
    base = ["hidden-jobs", "--area", "Testialue", "--from", "2026-01-01", "--to", "2026-01-31"]
    answered = client.get(f"/api/v1/ledger/hidden-jobs?{PERIOD}", headers=world.headers(Role.ADMIN)).json()
    for language, definition in DEFINITION.items():
        printed = runner.invoke(cli, [*base, "--format", "json", "--lang", language], env=cli_env)
        assert printed.exit_code == 0, printed.output
        result = json.loads(printed.stdout)
        assert result["language"] == language and result["definition"].startswith(definition)
        assert result["groups"] == answered["groups"] and result["totals"] == answered["totals"]

    table = runner.invoke(cli, [*base, "--group-by", "sector", "--lang", "sv"], env=cli_env)
    assert table.exit_code == 0, table.output
    assert "Ett dolt behov" in table.stdout and "total" in table.stdout
    by_default = runner.invoke(cli, base, env=cli_env)
    assert "Piilotyöpaikka on tarve" in by_default.stdout

    refused = runner.invoke(cli, [*base, "--lang", "de"], env=cli_env)
    assert refused.exit_code == 1
    assert "--lang de: one of fi, sv, en" in refused.output
    unknown = runner.invoke(cli, [*base[:2], "Ei ole"], env=cli_env)
    assert unknown.exit_code == 1 and "no employment area" in unknown.output
