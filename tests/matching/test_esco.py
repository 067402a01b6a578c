"""The shipped ESCO subset: lookup, autocomplete and skill overlap."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from matching import esco

ROOT = Path(__file__).resolve().parents[2]
FORKLIFT = "http://data.europa.eu/esco/skill/28cb374e-6261-4133-8371-f9a5470145da"


def test_subset_is_compact_and_complete() -> None:
    assert esco.DATA_FILE.stat().st_size < 6_000_000
    data = json.loads(esco.DATA_FILE.read_text(encoding="utf-8"))
    assert len(data["occupations"]) == 3007
    assert len(data["skills"]) == 10940  # exactly the skills essential for some occupation
    assert "European Commission" in data["attribution"]


def test_labels_normalise_to_uris_in_any_language_ignoring_case_and_spacing() -> None:
    assert esco.normalise_skill("operate forklift") == FORKLIFT
    assert esco.normalise_skill("  Käyttää   HAARUKKATRUKKIA ") == FORKLIFT
    assert esco.normalise_skill(FORKLIFT) == FORKLIFT
    assert esco.normalise_skill("lentää ilman siipiä") is None


def test_occupations_normalise_from_any_language_preferring_preferred_labels() -> None:
    uri = esco.normalise_occupation("varastotyöntekijä")
    assert uri is not None
    occupation = esco.get_occupation(uri)
    # "varastotyöntekijä" is also an alternative label of "tavarankäsittelijä": the preferred label wins.
    assert occupation is not None and occupation.label_fi == "varastotyöntekijä"
    assert esco.normalise_occupation("Lagerarbetare") == uri
    assert esco.normalise_occupation("WAREHOUSE  worker") == uri
    assert esco.normalise_occupation("order picker") == uri  # an English alternative label


def test_occupation_skills_are_the_essential_skills() -> None:
    uri = esco.normalise_occupation("varastotyöntekijä")
    assert uri is not None
    labels = [skill.label_fi for skill in esco.occupation_skills(uri)]
    assert labels and all(labels)
    assert esco.occupation_skills("http://example.org/unknown") == []


def test_suggestions_start_with_the_prefix_then_contain_it() -> None:
    suggestions = esco.suggest_skills("asiakaspal", "fi", 5)
    assert suggestions[0].label == "asiakaspalvelu"
    assert all("asiakaspal" in s.label.casefold() for s in suggestions)
    forklift = esco.suggest_skills("trukki", "fi", 10)
    assert FORKLIFT in [s.uri for s in forklift]  # found inside the compound "haarukkatrukkia"


def test_suggestions_respect_language_limit_and_empty_prefix() -> None:
    english = esco.suggest_skills("forklift", "en", 3)
    assert english and all("forklift" in s.label for s in english)
    assert len(esco.suggest_skills("a", "fi", 7)) == 7
    assert esco.suggest_skills("", "fi") == []
    assert esco.suggest_skills("   ", "fi") == []
    assert len({s.uri for s in esco.suggest_skills("hoito", "fi", 20)}) == len(
        esco.suggest_skills("hoito", "fi", 20)
    )


def test_swedish_falls_back_to_finnish_and_english_labels() -> None:
    # No Swedish skill labels exist in the source; the UI still gets suggestions.
    assert esco.suggest_skills("forklift", "sv", 3)


def test_skill_overlap_matches_across_languages_by_uri() -> None:
    overlap = esco.skill_overlap(
        ["käyttää haarukkatrukkia", "hygieniapassi", "keräily"], ["operate forklift", "Hygieniapassi"]
    )
    assert overlap.matched == ["käyttää haarukkatrukkia", "hygieniapassi"]
    assert overlap.missing == ["keräily"]
    assert overlap.score == pytest.approx(2 / 3)
    matched, missing, score = overlap  # unpacks as the (matched, missing, score) triple
    assert (matched, missing, score) == (overlap.matched, overlap.missing, overlap.score)


def test_skill_overlap_counts_each_need_skill_once_and_handles_empty_lists() -> None:
    overlap = esco.skill_overlap(["operate forklift", "käyttää haarukkatrukkia", ""], [FORKLIFT])
    assert overlap.matched == ["operate forklift"] and overlap.missing == [] and overlap.score == 1.0
    assert esco.skill_overlap([], ["keräily"]) == ([], [], 0.0)


SHARED_ESCO = ROOT.parent / "shared" / "data" / "esco"


@pytest.mark.skipif(not (SHARED_ESCO / "skills.csv").exists(), reason="shared ESCO data not present")
def test_shipped_subset_is_what_the_build_script_produces() -> None:
    spec = importlib.util.spec_from_file_location(
        "build_esco_subset", ROOT / "scripts" / "build_esco_subset.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = json.loads(esco.DATA_FILE.read_text(encoding="utf-8"))
    assert module.build(SHARED_ESCO) == shipped
