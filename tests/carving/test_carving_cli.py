"""``kohtaamo carving suggest``: the same bundles as the API, as a table or JSON, and one-line errors."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from core.settings import get_settings
from server.cli import app as cli
from tests.carving.conftest import make_task, slot
from tests.conftest import AreaWorld


@pytest.fixture
def cli_db(db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("KOHTAAMO_DATABASE_URL", db)
    get_settings.cache_clear()
    return db


def test_suggest_prints_the_bundles_best_first(cli_db: str, client: TestClient, world: AreaWorld) -> None:
    first = make_task(client, world, hours_per_week=15, schedule=[slot("mon", "08:00", "11:00")])
    second = make_task(client, world, hours_per_week=10, municipality="Kaarina")
    make_task(client, world, hours_per_week=5, municipality="Salo")

    printed = CliRunner().invoke(cli, ["carving", "suggest", "--area", "Testialue", "--format", "json"])
    assert printed.exit_code == 0, printed.output
    bundles = json.loads(printed.stdout)
    assert [b["task_ids"] for b in bundles] == [[first["id"], second["id"]]]
    assert bundles[0]["reason"].startswith("25 hours a week from 2 tasks")

    table = CliRunner().invoke(cli, ["carving", "suggest", "--area", "Testialue", "--max-distance-km", "80"])
    assert table.exit_code == 0 and "30" in table.stdout

    unknown = CliRunner().invoke(cli, ["carving", "suggest", "--area", "Ei ole"])
    assert unknown.exit_code == 1 and unknown.stderr == "error: no employment area called 'Ei ole'\n"
    upside_down = CliRunner().invoke(
        cli, ["carving", "suggest", "--area", "Testialue", "--min-hours", "30", "--max-hours", "20"]
    )
    assert upside_down.exit_code == 1
    assert upside_down.stderr == "error: max_hours: max_hours must not be below min_hours\n"
