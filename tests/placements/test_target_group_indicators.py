"""Every indicator narrowed to a target group: the hand-computed scenario of test_indicators, with the
home-municipality Lieto jobseekers born in 2005 (under 25 on the period's last day) and a group of the
under-25s. Through the API, the command and the page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from accounts.models import Role
from core.db import connect
from core.settings import get_settings
from server.cli import app as cli
from tests.conftest import AreaWorld
from tests.placements.test_indicators import PERIOD, build_scenario

# The members active in the period: j3, j4 and j8 (Lieto). Their placements in the period: PL3 (j3,
# assistive task, 12 days, followed by studies) and PL4 (j4, pay subsidy at the firm, 13 days, a need
# from a contact); their proposals sent in the period: PL3's and PL4's (answered), Q2 (answered after
# the period) and Q3 (never).
EXPECTED: dict[str, tuple[Any, int | None, int | None]] = {
    "activation_rate": (round(1 / 3, 4), 1, 3),
    "rehabilitation_transition_rate": (None, 0, 0),
    "subsidised_firm_start_rate": (1.0, 1, 1),
    "bonus_score": (None, None, None),
    "placement_start_rate": (round(2 / 3, 4), 2, 3),
    "assistive_transitions": (1.0, 1, 1),
    "wage_subsidised_starts": (1, 1, None),
    "median_days_to_placement": (12.5, 2, None),
    "employer_response_rate": (0.5, 2, 4),
    "hidden_need_share": (0.5, 1, 2),
}


def _scenario(client: TestClient, db: str, world: AreaWorld) -> int:
    build_scenario(db, world)
    with connect(db) as conn:
        conn.execute("UPDATE jobseekers SET birth_year = 2005 WHERE municipality = 'Lieto'")
        conn.commit()
    reply = client.post(
        "/api/v1/target-groups",
        json={"name": "Alle 25-vuotiaat", "rule": {"age_under": 25}},
        headers=world.headers(Role.ADMIN),
    )
    assert reply.status_code == 201, reply.text
    return int(reply.json()["id"])


def _figures(indicators: list[dict[str, Any]]) -> dict[str, tuple[Any, int, int | None]]:
    return {
        i["name"]: next((p["value"], p["numerator"], p["denominator"]) for p in i["series"])
        for i in indicators
    }


def test_every_indicator_is_narrowed_to_the_target_group(
    client: TestClient, db: str, world: AreaWorld
) -> None:
    group = _scenario(client, db, world)
    h = world.headers(Role.COORDINATOR)
    reply = client.get(f"/api/v1/indicators?{PERIOD}&target_group_id={group}", headers=h)
    assert reply.status_code == 200, reply.text
    assert reply.json()["target_group"] == "Alle 25-vuotiaat"
    assert _figures(reply.json()["indicators"]) == EXPECTED
    whole = client.get(f"/api/v1/indicators?{PERIOD}", headers=h).json()
    assert whole["target_group"] is None and _figures(whole["indicators"]) != EXPECTED
    csv = client.get(f"/api/v1/indicators.csv?{PERIOD}&target_group_id={group}", headers=h)
    assert csv.status_code == 200 and "employer_response_rate" in csv.text
    unknown = client.get(f"/api/v1/indicators?{PERIOD}&target_group_id={group + 99}", headers=h)
    assert unknown.status_code == 422 and unknown.json()["field"] == "target_group_id"


@pytest.fixture
def cli_env(db: str) -> Any:
    get_settings.cache_clear()
    yield {"KOHTAAMO_DATABASE_URL": db}
    get_settings.cache_clear()


def test_the_command_narrows_the_indicators_to_a_target_group(
    client: TestClient, db: str, world: AreaWorld, cli_env: dict[str, str]
) -> None:
    group = _scenario(client, db, world)
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
    result = CliRunner().invoke(cli, [*base, "--target-group", str(group)], env=cli_env)
    assert result.exit_code == 0, result.output
    assert _figures(json.loads(result.stdout)["indicators"]) == EXPECTED
    listed = CliRunner().invoke(
        cli, ["target-groups", "list", "--area", "Testialue", "--format", "json"], env=cli_env
    )
    assert listed.exit_code == 0, listed.output
    assert [(g["id"], g["name"], g["members"]) for g in json.loads(listed.stdout)] == [
        (group, "Alle 25-vuotiaat", 4)
    ]
