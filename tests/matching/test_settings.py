"""Fusion weights and pool size come from configuration (KOHTAAMO_WEIGHTS, KOHTAAMO_POOL_SIZE)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.settings import Settings
from embeddings.embedder import FakeEmbedder
from matching.engine import configured_engine
from matching.ranking import FusionWeights


def test_weights_default_to_the_evaluated_ones_and_can_be_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    assert configured_engine(FakeEmbedder(), Settings()).weights == FusionWeights()
    monkeypatch.setenv("KOHTAAMO_WEIGHTS", '{"lexical": 0.05, "hours": 0}')
    monkeypatch.setenv("KOHTAAMO_POOL_SIZE", "80")
    engine = configured_engine(FakeEmbedder(), Settings())
    assert engine.weights == FusionWeights(lexical=0.05, hours=0.0)
    assert engine.pool_size == 80


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KOHTAAMO_WEIGHTS", '{"lexcal": 0.05}', "unknown weights ['lexcal']"),
        ("KOHTAAMO_WEIGHTS", '{"skills": -1}', "between 0 and 10"),
        ("KOHTAAMO_POOL_SIZE", "3", "greater than or equal to 10"),
    ],
)
def test_bad_weights_are_refused_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Settings()


def test_the_cli_names_a_bad_setting_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from core.settings import get_settings
    from server.cli import app as cli

    monkeypatch.setenv("KOHTAAMO_WEIGHTS", '{"lexcal": 0.05}')
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["match", "--need", "1"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    expected = "error: bad configuration: KOHTAAMO_WEIGHTS: Value error, unknown weights ['lexcal']"
    assert expected in result.output
    assert "Traceback" not in result.output
