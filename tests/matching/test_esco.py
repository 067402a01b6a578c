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
    hoito = esco.suggest_skills("hoito", "fi", 20)
    assert len({s.uri or s.label for s in hoito}) == len(hoito)


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


# What a coordinator types first: the obvious skill comes first.


def _labels(query: str, lang: str, limit: int = 8) -> list[str]:
    return [s.label for s in esco.suggest_skills(query, lang, limit)]


def test_trukk_suggests_driving_a_forklift_before_forklift_inspections() -> None:
    labels = _labels("trukk", "fi")
    assert labels.index("käyttää haarukkatrukkia") < labels.index("tehdä trukkien huoltotarkastuksia")


def test_kera_suggests_picking_first() -> None:
    labels = _labels("kerä", "fi")
    assert labels[0] == "keräily"  # the service's own word for order picking, used in needs
    assert "kerätä näytteitä analyysia varten" in labels  # ESCO skills that start with it follow


def test_english_forklift_suggests_operating_one_first() -> None:
    assert _labels("forklift", "en")[:2] == ["operate forklift", "conduct forklift inspections"]
    assert _labels("operate forklift", "en")[0] == "operate forklift"  # exact


def test_swedish_searches_finnish_and_english_labels_merged() -> None:
    labels = _labels("forklift", "sv")
    assert labels[0] == "operate forklift"
    assert _labels("trukk", "sv")[0] == "käyttää haarukkatrukkia"


def test_exact_beats_prefix_beats_word_prefix_beats_inside_a_word() -> None:
    assert esco._match_tier("asiakaspalvelu", "asiakaspalvelu") == 0
    assert esco._match_tier("asiakaspalvelu", "asiakas") == 1
    assert esco._match_tier("ylläpitää asiakaspalvelua", "asiakas") == 2
    assert esco._match_tier("käyttää haarukkatrukkia", "trukk") == 2  # a compound's part
    assert esco._match_tier("rautatieinfrastruktuuri", "truk") == 3  # inside a word, not a part
    assert esco._match_tier("infrastruktuuri", "xyz") is None
    labels = _labels("asiakaspalvelu", "fi")
    assert labels[0] == "asiakaspalvelu"
    assert labels.index("ylläpitää asiakaspalvelua") > 0
