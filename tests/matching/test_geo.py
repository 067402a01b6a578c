"""Municipality data and distances."""

from __future__ import annotations

import csv

import pytest

from matching.geo import (
    MUNICIPALITIES_CSV,
    UnknownMunicipalityError,
    distance_km,
    find_municipality,
    haversine_km,
    load_municipalities,
)

SOUTHWEST_FINLAND = [
    "Turku",
    "Lieto",
    "Kaarina",
    "Raisio",
    "Naantali",
    "Masku",
    "Rusko",
    "Nousiainen",
    "Mynämäki",
    "Paimio",
    "Parainen",
    "Pargas",
    "Aura",
    "Marttila",
    "Sauvo",
    "Kemiönsaari",
]


def test_all_309_current_municipalities_are_listed_once() -> None:
    with MUNICIPALITIES_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 309
    codes = [row["code"] for row in rows]
    assert len(set(codes)) == 309
    assert all(len(code) == 3 and code.isdigit() for code in codes)
    assert len({municipality.code for municipality in load_municipalities().values()}) == 309


def test_every_centre_lies_in_finland() -> None:
    for municipality in load_municipalities().values():
        assert 59.7 < municipality.lat < 70.1, municipality
        assert 19.4 < municipality.lon < 31.6, municipality


@pytest.mark.parametrize("name", SOUTHWEST_FINLAND)
def test_southwest_finland_municipalities_exist(name: str) -> None:
    assert find_municipality(name) is not None


def test_names_are_found_in_finnish_and_swedish_regardless_of_case() -> None:
    municipalities = load_municipalities()
    assert municipalities["turku"] is municipalities["åbo"]
    assert municipalities["parainen"].name_sv == "Pargas"
    assert find_municipality("  KIMITOÖN ") == find_municipality("Kemiönsaari")
    assert find_municipality("Mariehamn") == find_municipality("Maarianhamina")
    assert find_municipality("Turku").code == "853"  # type: ignore[union-attr]
    assert find_municipality("Juankoski") is None  # merged into Kuopio in 2017


def test_turku_lieto_is_a_short_commute() -> None:
    assert 10 <= distance_km("Turku", "Lieto") <= 20


def test_turku_helsinki_is_about_150_to_170_km() -> None:
    assert 145 <= distance_km("Turku", "Helsinki") <= 170
    assert distance_km("Åbo", "Helsingfors") == pytest.approx(distance_km("Turku", "Helsinki"))


def test_distance_is_symmetric_and_zero_to_itself() -> None:
    assert distance_km("Raisio", "Paimio") == pytest.approx(distance_km("Paimio", "Raisio"))
    assert distance_km("Sauvo", "Sauvo") == 0.0


def test_haversine_matches_a_known_distance() -> None:
    # One degree of latitude is about 111.2 km.
    assert haversine_km(60.0, 22.0, 61.0, 22.0) == pytest.approx(111.2, abs=0.2)


def test_unknown_municipality_is_an_error() -> None:
    with pytest.raises(UnknownMunicipalityError):
        distance_km("Turku", "Atlantis")
