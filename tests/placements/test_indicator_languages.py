"""Indicator names and definitions in the reader's language: the API follows ``Accept-Language``
(Finnish when it names none of ours, as the pages), the ``indicators`` command takes ``--lang``."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from typer.testing import CliRunner

from accounts.models import Role
from core.settings import get_settings
from server.cli import app as cli
from tests.conftest import AreaWorld

PERIOD = "from=2026-01-01&to=2026-03-31"
# The start of the activation rate's exact definition (the bonus indicator) and its name, per language.
ACTIVATION = {
    "fi": ("Aktivointiaste", "Aktivointiaste (vuosien 2012–2015 kokeilun bonusmittari"),
    "sv": ("Aktiveringsgrad", "Aktiveringsgrad (bonusindikator i försöket 2012–2015"),
    "en": ("Activation rate", "Activation rate (bonus indicator of the 2012-2015 experiment"),
}


@pytest.fixture
def cli_env(db: str) -> Iterator[dict[str, str]]:
    get_settings.cache_clear()
    yield {"KOHTAAMO_DATABASE_URL": db}
    get_settings.cache_clear()


def _activation(body: dict[str, object]) -> tuple[str, str]:
    found = next(i for i in body["indicators"] if i["name"] == "activation_rate")  # type: ignore[attr-defined]
    return found["title"], found["definition"]


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "fi"),
        ("fi-FI", "fi"),
        ("sv-FI, sv;q=0.9, en;q=0.8", "sv"),
        ("en-GB,en;q=0.9", "en"),
        ("de-DE, fr;q=0.5", "fi"),  # none of ours: Finnish, as the pages
    ],
)
def test_indicator_names_and_definitions_follow_accept_language(
    client: TestClient, world: AreaWorld, header: str | None, language: str
) -> None:
    headers = world.headers(Role.COORDINATOR) | ({"Accept-Language": header} if header else {})

    reply = client.get(f"/api/v1/indicators?{PERIOD}", headers=headers)

    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["language"] == language
    title, definition = _activation(body)
    assert title == ACTIVATION[language][0]
    assert definition.startswith(ACTIVATION[language][1])
    others = {lang: texts for lang, texts in ACTIVATION.items() if lang != language}
    assert all(not definition.startswith(texts[1]) for texts in others.values())
    # Every definition is in the language asked for: none is left as the English message id.
    if language != "en":
        english = client.get(
            f"/api/v1/indicators?{PERIOD}",
            headers=world.headers(Role.COORDINATOR) | {"Accept-Language": "en"},
        ).json()
        pairs = zip(body["indicators"], english["indicators"], strict=True)
        assert all(ours["definition"] != theirs["definition"] for ours, theirs in pairs)
    # Whatever the language asked for, each indicator also carries its definition in all three.
    for ind in body["indicators"]:
        assert set(ind["definitions"]) == {"fi", "sv", "en"}
        assert ind["definitions"][language] == ind["definition"]
    found = next(i for i in body["indicators"] if i["name"] == "activation_rate")
    assert all(found["definitions"][lang].startswith(texts[1]) for lang, texts in ACTIVATION.items())


def test_the_api_workbook_and_charts_speak_the_language_asked_for(
    client: TestClient, world: AreaWorld
) -> None:
    swedish = world.headers(Role.ADMIN) | {"Accept-Language": "sv"}

    workbook = client.get(f"/api/v1/indicators.xlsx?{PERIOD}", headers=swedish)
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.content))
    definitions = {r[0]: r[1:] for r in book["Definitions"].iter_rows(values_only=True) if r and r[0]}
    assert definitions["indicator"][3:] == ("definition_fi", "definition_sv", "definition_en")
    title, _, definition, *each = definitions["activation_rate"]
    assert title == "Aktiveringsgrad" and str(definition).startswith(ACTIVATION["sv"][1])
    for language, text in zip(ACTIVATION, each, strict=True):  # fi, sv, en
        assert str(text).startswith(ACTIVATION[language][1]), language

    chart = client.get(f"/api/v1/indicators/activation_rate/chart.svg?{PERIOD}", headers=swedish)
    assert chart.status_code == 200
    assert "Aktiveringsgrad" in chart.text and "Inga uppgifter ännu" in chart.text
    finnish = client.get(
        f"/api/v1/indicators/activation_rate/chart.svg?{PERIOD}", headers=world.headers(Role.ADMIN)
    )
    assert "Aktivointiaste" in finnish.text and "Ei vielä tietoja" in finnish.text


def test_the_indicators_command_prints_names_and_definitions_in_the_language_of_lang(
    client: TestClient, world: AreaWorld, cli_env: dict[str, str]
) -> None:
    runner = CliRunner()
    base = [
        "indicators",
        "--area",
        "Testialue",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
        "--format",
        "json",
    ]

    for language, (title, definition) in ACTIVATION.items():
        printed = runner.invoke(cli, [*base, "--lang", language], env=cli_env)
        assert printed.exit_code == 0, printed.output
        result = json.loads(printed.stdout)
        assert result["language"] == language
        got_title, got_definition = _activation(result)
        assert got_title == title and got_definition.startswith(definition)

    by_default = json.loads(runner.invoke(cli, base, env=cli_env).stdout)
    assert _activation(by_default)[0] == "Aktivointiaste"
    answered = client.get(f"/api/v1/indicators?{PERIOD}", headers=world.headers(Role.ADMIN)).json()
    assert by_default["indicators"] == answered["indicators"]

    table = runner.invoke(cli, [*base[:-2], "--lang", "sv"], env=cli_env)
    assert table.exit_code == 0, table.output
    assert "Aktiveringsgrad" in table.stdout

    refused = runner.invoke(cli, [*base, "--lang", "de"], env=cli_env)
    assert refused.exit_code == 1
    assert "--lang de: one of fi, sv, en" in refused.output
