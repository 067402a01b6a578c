"""The shipped demo file keeps its promise: enough varied, valid, fictional data of Southwest Finland."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from core.business_id import is_valid_business_id
from core.municipalities import canonical_municipality
from demo.catalogue import AREA, MUNICIPALITIES
from demo.generate import MINIMUM, Generator, render, summary
from demo.load import DEMO_FILE
from interchange.records import parse_record


@pytest.fixture(scope="module")
def lines() -> list[dict[str, Any]]:
    return [json.loads(line) for line in DEMO_FILE.read_text(encoding="utf-8").splitlines()]


def _of(lines: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [line for line in lines if line["type"] == kind]


def test_the_committed_file_is_what_the_generator_writes() -> None:
    assert DEMO_FILE.read_text(encoding="utf-8") == render(Generator().lines())


def test_the_file_is_small_and_every_line_is_valid(lines: list[dict[str, Any]]) -> None:
    assert DEMO_FILE.stat().st_size < 2_000_000
    for line in lines:
        parse_record(line)
    assert [line["type"] for line in lines] == sorted(
        (line["type"] for line in lines), key=["employer", "need", "task", "carved_job", "jobseeker"].index
    )


def test_the_demo_has_the_promised_counts(lines: list[dict[str, Any]]) -> None:
    counts = summary(lines)

    assert {key: counts[key] >= minimum for key, minimum in MINIMUM.items()} == dict.fromkeys(MINIMUM, True)
    assert counts["employer"] >= 60 and counts["need"] >= 150 and counts["jobseeker"] >= 300
    assert counts["hidden"] >= 30 and counts["assistive"] >= 15
    assert 0.15 <= counts["work_capacity"] / counts["jobseeker"] <= 0.25


def test_employers_have_valid_unique_business_ids_and_some_are_municipal_units(
    lines: list[dict[str, Any]],
) -> None:
    employers = _of(lines, "employer")
    ids = [e["business_id"] for e in employers]

    assert all(is_valid_business_id(i) for i in ids)
    assert len(set(ids)) == len(ids)
    assert len({e["external_id"] for e in employers}) == len(employers)
    municipal = [e for e in employers if e.get("is_municipal")]
    assert len(municipal) >= 10
    assert "Turun kaupunki, vanhuspalvelut" in {e["name"] for e in municipal}


def test_everything_is_in_the_municipalities_of_the_demo_area(lines: list[dict[str, Any]]) -> None:
    places = {line["municipality"] for line in lines if "municipality" in line}

    assert places <= set(MUNICIPALITIES)
    assert {canonical_municipality(p) for p in places} == places
    assert places == set(MUNICIPALITIES)
    assert AREA == "Varsinais-Suomen työllisyysalue (demo)"


def test_assistive_tasks_belong_to_municipal_units(lines: list[dict[str, Any]]) -> None:
    municipal = {e["external_id"] for e in _of(lines, "employer") if e.get("is_municipal")}
    assistive = [n for n in _of(lines, "need") if n.get("is_assistive")]

    assert len(assistive) >= 15
    for need in assistive:
        assert need["employer"] in municipal
        assert need["municipal_unit"]
        assert "assistive_task" in need["placement_forms"]


def test_needs_span_the_promised_fields_and_certificates(lines: list[dict[str, Any]]) -> None:
    needs = _of(lines, "need")
    occupations = {n["occupation"] for n in needs}
    certificates = {c for n in needs for c in n.get("certificates", [])}

    assert {
        "varastotyöntekijä",
        "laitossiivooja",
        "kokki",
        "myymäläapulainen",
        "lähihoitaja",
        "hitsaaja",
    } <= occupations
    assert {
        "cnc-koneistaja",
        "ICT-teknikko",
        "viheralueiden hoitaja",
        "rakennusalan avustava työntekijä",
    } <= occupations
    assert {"koulunkäynninohjaaja, peruskoulun alaluokat"} <= occupations
    assert {
        "trukkikortti",
        "hygieniapassi",
        "työturvallisuuskortti",
        "ajokortti C",
        "anniskelupassi",
    } <= certificates
    assert {s for n in needs for s in n["shifts"]} == {"day", "evening", "night", "weekend"}
    assert Counter(n.get("language", "fi") for n in needs).keys() == {"fi", "sv", "en"}


def test_jobseekers_are_varied(lines: list[dict[str, Any]]) -> None:
    jobseekers = _of(lines, "jobseeker")
    languages = Counter(j.get("language", "fi") for j in jobseekers)
    newcomers = [j for j in jobseekers if j.get("language") == "en"]
    swedish = [j for j in jobseekers if j.get("language") == "sv"]

    assert languages["fi"] > languages["sv"] + languages["en"]
    assert len(swedish) >= 20 and {j["municipality"] for j in swedish} >= {"Parainen", "Turku"}
    assert len(newcomers) >= 20
    assert all(j["languages"]["fi"] in ("A1", "A2", "B1") for j in newcomers)
    assert all(j["text"] and j["skills"] and j.get("education") and j.get("work_history") for j in jobseekers)
    expiring = [c for j in jobseekers for c in j.get("certificates", []) if isinstance(c, dict)]
    assert len(expiring) >= 50
    assert len({j["name"] for j in jobseekers}) >= 200
