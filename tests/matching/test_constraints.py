"""Hard constraints, one function at a time, then together."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from matching.constraints import (
    CandidateFacts,
    NeedFacts,
    candidate_available,
    certificates,
    commute,
    evaluate,
    hours,
    language_level_rank,
    languages,
    need_open,
    passes,
    placement_forms,
    same_area,
    work_capacity,
)

TODAY = dt.date(2025, 3, 1)

NEED = NeedFacts(area_id=1, municipality="Turku", hours_per_week=30, start_date=dt.date(2025, 4, 1))
CANDIDATE = CandidateFacts(area_id=1, municipality="Lieto", max_commute_km=30)


def need(**changes: object) -> NeedFacts:
    return dataclasses.replace(NEED, **changes)  # type: ignore[arg-type]


def candidate(**changes: object) -> CandidateFacts:
    return dataclasses.replace(CANDIDATE, **changes)  # type: ignore[arg-type]


# same_area


def test_same_area_passes_within_one_employment_area() -> None:
    assert same_area(NEED, CANDIDATE).passed


def test_other_area_fails() -> None:
    result = same_area(NEED, candidate(area_id=2))
    assert not result.passed and result.reason_fi == "eri työllisyysalue"


# commute


def test_commute_within_the_limit_passes_and_reports_the_distance() -> None:
    result = commute(NEED, CANDIDATE)
    assert result.passed
    assert result.reason_fi == "työmatka 13 km"
    assert result.detail["distance_km"] == pytest.approx(13.0, abs=1.0)


def test_commute_beyond_the_limit_fails() -> None:
    result = commute(need(municipality="Helsinki"), CANDIDATE)
    assert not result.passed and not result.unknown
    assert "enintään 30 km" in result.reason_fi


def test_explicit_coordinates_win_over_the_municipality_centre() -> None:
    # A workplace in Lieto's centre, recorded under Turku: the distance is from the coordinates.
    result = commute(need(lat=60.5058, lon=22.4638), CANDIDATE)
    assert result.detail["distance_km"] == pytest.approx(0.0, abs=0.1)
    assert result.reason_fi == "työmatka 0,0 km"


def test_unknown_municipality_is_a_distinct_failing_result_never_a_silent_pass() -> None:
    result = commute(need(municipality="Atlantis"), CANDIDATE)
    assert not result.passed and result.unknown
    assert "Atlantis" in result.reason_fi and "sijainti puuttuu" in result.reason_fi


def test_unknown_location_without_a_commute_limit_passes() -> None:
    result = commute(need(municipality="Atlantis"), candidate(max_commute_km=None))
    assert result.passed and not result.unknown


def test_swedish_municipality_names_are_understood() -> None:
    assert commute(need(municipality="Åbo"), candidate(municipality="Lundo")).passed


# hours


def test_hours_within_the_maximum_pass() -> None:
    result = hours(NEED, candidate(max_hours_per_week=30))
    assert result.passed and result.reason_fi == "30 h/vko"


def test_hours_over_the_maximum_fail_without_revealing_the_maximum() -> None:
    result = hours(need(hours_per_week=37.5), candidate(max_hours_per_week=20))
    assert not result.passed
    assert result.reason_fi == "37,5 h/vko on liikaa"
    assert "20" not in str(result.detail)


def test_unspecified_hours_pass() -> None:
    assert hours(need(hours_per_week=None), candidate(max_hours_per_week=10)).passed


# work capacity


def test_night_shifts_conflict_with_no_night_shifts() -> None:
    result = work_capacity(need(shifts=frozenset({"day", "night"})), candidate(no_night_shifts=True))
    assert not result.passed and result.reason_fi == "vaatii yövuoroja"
    assert result.detail == {"conflicts": ["night_shifts"]}


def test_evening_and_weekend_work_conflict_with_no_shifts() -> None:
    result = work_capacity(need(shifts=frozenset({"day", "weekend"})), candidate(no_shifts=True))
    assert not result.passed and result.reason_fi == "vaatii vuorotyötä"
    assert work_capacity(need(shifts=frozenset({"day", "evening"})), candidate(no_night_shifts=True)).passed


def test_heavy_lifting_and_excluded_demands_conflict() -> None:
    heavy = need(physical_demands=frozenset({"heavy_lifting", "outdoor"}))
    assert work_capacity(heavy, candidate(no_heavy_lifting=True)).reason_fi == "sisältää raskaita nostoja"
    result = work_capacity(heavy, candidate(excluded_physical_demands=frozenset({"outdoor"})))
    assert not result.passed and result.reason_fi == "sisältää ulkotyötä"


def test_needs_supervisor_requires_one_on_site() -> None:
    assert not work_capacity(need(has_supervisor=False), candidate(needs_supervisor=True)).passed
    assert work_capacity(need(has_supervisor=True), candidate(needs_supervisor=True)).passed


def test_a_passed_work_capacity_result_is_the_same_with_or_without_restrictions() -> None:
    restricted = candidate(
        no_heavy_lifting=True,
        no_night_shifts=True,
        no_shifts=True,
        needs_supervisor=True,
        excluded_physical_demands=frozenset({"outdoor"}),
    )
    day_job = need(shifts=frozenset({"day"}), physical_demands=frozenset({"standing"}), has_supervisor=True)
    assert work_capacity(day_job, restricted) == work_capacity(day_job, CANDIDATE)
    assert work_capacity(day_job, restricted).reason_fi == "päivätyö, ei raskaita nostoja"


def test_work_capacity_reason_describes_the_shifts_of_the_need() -> None:
    assert work_capacity(need(shifts=frozenset({"day", "evening"})), CANDIDATE).reason_fi.startswith(
        "ei yövuoroja"
    )
    assert work_capacity(need(shifts=frozenset({"night"})), CANDIDATE).reason_fi.startswith("vuorotyö")


# certificates


def test_valid_certificate_passes() -> None:
    result = certificates(
        need(certificates=frozenset({"trukkikortti"})), candidate(certificates={"Trukkikortti": None}), TODAY
    )
    assert result.passed and result.reason_fi == "trukkikortti voimassa"


def test_certificate_expiring_before_the_start_fails() -> None:
    result = certificates(
        need(certificates=frozenset({"hygieniapassi"})),
        candidate(certificates={"hygieniapassi": dt.date(2025, 3, 15)}),
        TODAY,
    )
    assert not result.passed
    assert result.reason_fi == "hygieniapassi ei voimassa 1.4.2025"
    assert result.detail["expired"] == ["hygieniapassi"]


def test_certificate_valid_on_the_start_date_passes() -> None:
    held = candidate(certificates={"hygieniapassi": dt.date(2025, 4, 1)})
    assert certificates(need(certificates=frozenset({"hygieniapassi"})), held, TODAY).passed


def test_past_start_date_checks_validity_today() -> None:
    held = candidate(certificates={"hygieniapassi": dt.date(2025, 2, 1)})
    late = need(certificates=frozenset({"hygieniapassi"}), start_date=dt.date(2025, 1, 1))
    assert not certificates(late, held, TODAY).passed


def test_missing_certificates_are_named() -> None:
    result = certificates(
        need(certificates=frozenset({"trukkikortti", "työturvallisuuskortti"})),
        candidate(certificates={"trukkikortti": None}),
        TODAY,
    )
    assert not result.passed and result.reason_fi == "työturvallisuuskortti puuttuu"


def test_no_required_certificates_pass() -> None:
    assert certificates(NEED, CANDIDATE, TODAY).passed


@pytest.mark.parametrize(
    "held", ["truckkort", "forklift licence", "Forklift License", "trukki-kortti.", "TRUKKILUPA"]
)
def test_a_certificate_held_under_another_language_or_spelling_meets_the_requirement(held: str) -> None:
    result = certificates(
        need(certificates=frozenset({"Trukkikortti"})), candidate(certificates={held: None}), TODAY
    )
    assert result.passed
    assert result.reason_fi == "Trukkikortti voimassa"  # the need's name, as the need wrote it
    assert passes(
        need(certificates=frozenset({"Trukkikortti"})), candidate(certificates={held: None}), today=TODAY
    )


def test_expiry_applies_across_the_names_of_one_certificate() -> None:
    required = need(certificates=frozenset({"hygieniapassi"}))
    lapsed = candidate(certificates={"hygienpass": dt.date(2025, 3, 15)})
    result = certificates(required, lapsed, TODAY)
    assert not result.passed and result.detail["expired"] == ["hygieniapassi"]
    assert not passes(required, lapsed, today=TODAY)
    # Listed twice under two names: the later expiry counts, and no expiry is later than any.
    twice = candidate(certificates={"hygienpass": dt.date(2025, 3, 15), "Hygieniapassi": dt.date(2026, 1, 1)})
    assert certificates(required, twice, TODAY).passed and passes(required, twice, today=TODAY)
    forever = candidate(certificates={"hygiene passport": None, "hygieniapassi": dt.date(2025, 3, 15)})
    assert certificates(required, forever, TODAY).passed and passes(required, forever, today=TODAY)


def test_an_unknown_certificate_matches_only_its_own_spellings() -> None:
    required = need(certificates=frozenset({"Hitsauspätevyys"}))
    for held in ("hitsauspätevyys", "hitsaus-pätevyys", "Hitsaus pätevyys."):
        assert certificates(required, candidate(certificates={held: None}), TODAY).passed
    for held in ("hitsauspätevyys 2", "tulityökortti", "trukkikortti"):
        result = certificates(required, candidate(certificates={held: None}), TODAY)
        assert not result.passed and result.detail["missing"] == ["Hitsauspätevyys"]


def test_levels_and_categories_of_one_name_stay_apart_when_neither_includes_the_other() -> None:
    ea1 = need(certificates=frozenset({"ensiapukortti EA1"}))
    assert certificates(ea1, candidate(certificates={"EA 1": None}), TODAY).passed
    assert certificates(ea1, candidate(certificates={"första hjälpen 1": None}), TODAY).passed
    c = need(certificates=frozenset({"ajokortti C"}))
    assert certificates(c, candidate(certificates={"C-körkort": None}), TODAY).passed
    assert certificates(c, candidate(certificates={"driving licence C": None}), TODAY).passed
    for held in ("ajokortti D", "C1-kortti", "körkort B"):
        result = certificates(c, candidate(certificates={held: None}), TODAY)
        assert not result.passed and result.reason_fi == "ajokortti C puuttuu"
        assert not passes(c, candidate(certificates={held: None}), today=TODAY)


@pytest.mark.parametrize(
    ("required", "held"),
    [
        ("ensiapukortti EA1", "första hjälpen 2"),
        ("EA1", "EA2-kortti"),
        ("first aid 1", "ensiapukortti EA2"),
        ("ajokortti C", "körkort CE"),
        ("C1-ajokortti", "driving licence CE"),
        ("B-kortti", "ajokortti CE"),
        ("ajokortti C1", "C-körkort"),
        ("körkort B", "D-ajokortti"),
    ],
)
def test_a_higher_certificate_meets_the_lower_one_it_includes_and_is_named_as_held(
    required: str, held: str
) -> None:
    result = certificates(
        need(certificates=frozenset({required})), candidate(certificates={held: None}), TODAY
    )
    assert result.passed and result.detail["missing"] == []
    # Not told the lower one is there: the explanation names the certificate held.
    assert result.reason_fi == f"{held} voimassa" and result.detail["valid"] == [held]
    assert passes(need(certificates=frozenset({required})), candidate(certificates={held: None}), today=TODAY)


@pytest.mark.parametrize(
    ("required", "held"),
    [
        ("ensiapukortti EA2", "ensiapukortti EA1"),
        ("ajokortti CE", "ajokortti C"),
        ("ajokortti C", "ajokortti C1"),
        ("ajokortti C", "ajokortti D"),
        ("ajokortti D", "ajokortti CE"),
        ("järjestyksenvalvojakortti", "vartijakortti"),
        ("vartijakortti", "järjestyksenvalvojakortti"),
        ("ensiapukortti EA1", "hygieniapassi"),
    ],
)
def test_a_lower_or_unrelated_certificate_does_not_meet_the_requirement(required: str, held: str) -> None:
    result = certificates(
        need(certificates=frozenset({required})), candidate(certificates={held: None}), TODAY
    )
    assert not result.passed and result.detail["missing"] == [required]
    assert not passes(
        need(certificates=frozenset({required})), candidate(certificates={held: None}), today=TODAY
    )


def test_an_included_certificate_is_valid_as_long_as_a_certificate_that_includes_it() -> None:
    ea1 = need(certificates=frozenset({"ensiapukortti EA1"}))
    lapsed, valid = dt.date(2025, 2, 1), dt.date(2027, 2, 1)
    # Own EA1 lapsed, EA2 valid: met, and named by the EA2 that meets it.
    both = candidate(certificates={"EA1": lapsed, "första hjälpen 2": valid})
    result = certificates(ea1, both, TODAY)
    assert result.passed and result.detail["valid"] == ["första hjälpen 2"]
    assert passes(ea1, both, today=TODAY)
    # Own EA1 valid: named as the need names it, whatever else is held.
    own = candidate(certificates={"EA1": valid, "EA2": None})
    assert certificates(ea1, own, TODAY).detail["valid"] == ["ensiapukortti EA1"]
    # Only a lapsed EA2: the requirement is not met on the start date, and says so in the need's words.
    only_lapsed = candidate(certificates={"EA2": lapsed})
    result = certificates(ea1, only_lapsed, TODAY)
    assert not result.passed and result.detail["expired"] == ["ensiapukortti EA1"]
    assert result.reason_fi == "ensiapukortti EA1 ei voimassa 1.4.2025"
    assert not passes(ea1, only_lapsed, today=TODAY)


def test_a_need_requiring_a_certificate_and_ones_it_includes_names_the_certificate_once() -> None:
    required = need(certificates=frozenset({"ajokortti B", "ajokortti C", "ajokortti CE"}))
    result = certificates(required, candidate(certificates={"körkort CE": None}), TODAY)
    assert result.passed and result.detail["valid"] == ["ajokortti CE"]
    assert result.reason_fi == "ajokortti CE voimassa"
    result = certificates(
        need(certificates=frozenset({"ajokortti B", "ajokortti C"})),
        candidate(certificates={"körkort CE": None}),
        TODAY,
    )
    assert result.passed and result.reason_fi == "körkort CE voimassa"
    # C held: B and C are met (named once, as the need names C), CE is not: a requirement is never widened.
    result = certificates(required, candidate(certificates={"ajokortti C": None}), TODAY)
    assert not result.passed and result.reason_fi == "ajokortti CE puuttuu"
    assert result.detail["valid"] == ["ajokortti C"] and result.detail["missing"] == ["ajokortti CE"]


# languages


def test_cefr_levels_are_ordered_up_to_native() -> None:
    ranks = [language_level_rank(level) for level in ["A1", "A2", "B1", "B2", "C1", "C2", "native"]]
    assert ranks == sorted(ranks) and len(set(ranks)) == 7
    assert language_level_rank("b2") == language_level_rank("B2")
    assert language_level_rank("fluent") is None


def test_language_at_or_above_the_required_level_passes() -> None:
    result = languages(need(languages={"fi": "B1"}), candidate(languages={"fi": "native"}))
    assert result.passed and result.reason_fi == "kielitaito suomi (äidinkieli)"
    assert languages(need(languages={"sv": "B1"}), candidate(languages={"sv": "B1"})).passed


def test_language_below_the_level_or_missing_fails() -> None:
    result = languages(need(languages={"fi": "B2", "sv": "A2"}), candidate(languages={"fi": "B1"}))
    assert not result.passed
    assert result.reason_fi == "kielitaito ei riitä: suomi B2 (nyt B1), ruotsi A2 (nyt ei)"


def test_an_unreadable_required_level_is_an_unknown_failure() -> None:
    result = languages(need(languages={"fi": "hyvä"}), candidate(languages={"fi": "native"}))
    assert not result.passed and result.unknown
    assert result.reason_fi == "kielitaitovaatimusta ei voi tulkita: suomi 'hyvä'"


def test_an_unreadable_candidate_level_does_not_count() -> None:
    assert not languages(need(languages={"fi": "A1"}), candidate(languages={"fi": "sujuva"})).passed


# placement forms


def test_common_placement_form_passes_and_is_named() -> None:
    result = placement_forms(
        need(placement_forms=frozenset({"open_job", "work_trial"})),
        candidate(placement_forms=frozenset({"work_trial", "pay_subsidy"})),
    )
    assert result.passed and result.reason_fi == "työkokeilu"


def test_no_common_placement_form_fails() -> None:
    result = placement_forms(
        need(placement_forms=frozenset({"open_job"})), candidate(placement_forms=frozenset({"work_trial"}))
    )
    assert not result.passed


def test_unspecified_placement_forms_accept_anything() -> None:
    assert placement_forms(need(placement_forms=frozenset({"open_job"})), CANDIDATE).passed


# need open, candidate available


def test_need_must_be_open_with_positions() -> None:
    assert need_open(NEED).passed
    assert not need_open(need(status="filled")).passed
    assert need_open(need(positions_open=0)).reason_fi == "paikat on täytetty"


def test_candidate_must_be_available() -> None:
    assert candidate_available(CANDIDATE).passed
    assert not candidate_available(candidate(available=False)).passed


# together


def test_evaluate_runs_every_constraint_once() -> None:
    names = [result.name for result in evaluate(NEED, CANDIDATE, today=TODAY)]
    assert names == [
        "need_open",
        "candidate_available",
        "area",
        "commute",
        "hours",
        "work_capacity",
        "certificates",
        "languages",
        "placement_forms",
    ]


def test_passes_only_when_every_constraint_passes() -> None:
    assert passes(NEED, CANDIDATE, today=TODAY)
    assert not passes(need(municipality="Atlantis"), CANDIDATE, today=TODAY)
    assert not passes(NEED, candidate(area_id=2), today=TODAY)
