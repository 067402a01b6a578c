"""Certificate names: every known name leads to its certificate, and any other name only to itself; a
higher certificate includes the lower ones of its table, and nothing else."""

from __future__ import annotations

from datetime import date

import pytest

from core.certificates import (
    DRIVING_LICENCE_CLASSES,
    INCLUDES,
    KNOWN,
    KnownCertificate,
    canonical,
    driving_licence,
    held_keys,
    includes,
    normalised,
    with_driving_licences,
)
from jobseekers.schemas import DrivingLicence


@pytest.mark.parametrize("certificate", KNOWN, ids=lambda c: c.fi)
def test_each_name_of_a_known_certificate_has_the_key_of_its_finnish_name(
    certificate: KnownCertificate,
) -> None:
    names = certificate.names()
    assert {canonical(name) for name in names} == {normalised(names[0])}
    assert {canonical(f" {name.upper()}. ") for name in names} == {normalised(names[0])}


def test_spellings_of_one_name_share_a_key_and_unknown_names_keep_their_own() -> None:
    assert (
        canonical("Trukki-kortti.") == canonical("trukki kortti") == canonical("truckkort") == "trukkikortti"
    )
    assert canonical("Hitsaus\u2011pätevyys ") == canonical("hitsauspätevyys") == "hitsauspätevyys"
    assert canonical("ha\u0308tätyö") == canonical("hätätyö")  # decomposed ä, as some keyboards send it
    assert canonical("hitsauspätevyys") != canonical("hitsauspätevyys 2")
    assert canonical("") == ""


def meets(held: str, required: str) -> bool:
    """Whether holding ``held`` meets a requirement of ``required`` (as matching decides it)."""
    return canonical(required) in held_keys([held])


@pytest.mark.parametrize(
    ("held", "required"),
    [
        ("ensiapukortti EA2", "ensiapukortti EA1"),
        ("första hjälpen 2", "EA1"),
        ("first aid 2", "första hjälpen 1"),
        ("ajokortti CE", "ajokortti C"),
        ("ajokortti CE", "ajokortti C1"),
        ("ajokortti CE", "ajokortti B"),
        ("körkort CE", "ajokortti C"),
        ("driving licence CE", "B-körkort"),
        ("ajokortti C", "ajokortti C1"),
        ("ajokortti C", "ajokortti B"),
        ("C1-kortti", "driving licence B"),
        ("ajokortti D", "ajokortti B"),
        ("D-körkort", "B-ajokortti"),
    ],
)
def test_a_higher_certificate_meets_what_it_includes(held: str, required: str) -> None:
    assert meets(held, required)


@pytest.mark.parametrize(
    ("held", "required"),
    [
        ("ensiapukortti EA1", "ensiapukortti EA2"),
        ("första hjälpen 1", "EA2"),
        ("ajokortti C", "ajokortti CE"),
        ("ajokortti C1", "ajokortti C"),
        ("ajokortti B", "ajokortti C1"),
        ("ajokortti D", "ajokortti C"),
        ("ajokortti D", "ajokortti C1"),
        ("ajokortti CE", "ajokortti D"),
        ("ajokortti C", "ajokortti D"),
        ("vartijakortti", "järjestyksenvalvojakortti"),
        ("järjestyksenvalvojakortti", "vartijakortti"),
        ("ensiapukortti EA2", "hygieniapassi"),
        ("hitsauspätevyys 2", "hitsauspätevyys"),  # unknown names include nothing
    ],
)
def test_a_lower_or_unrelated_certificate_does_not_meet_the_requirement(held: str, required: str) -> None:
    assert not meets(held, required)


def test_the_whole_hierarchy_is_the_table_and_nothing_more() -> None:
    """Every known certificate's closure, spelled out: a new implication must be added here on purpose."""
    expected = {
        "ensiapukortti EA2": {"ensiapukortti EA1"},
        "ajokortti CE": {"ajokortti C", "ajokortti C1", "ajokortti B"},
        "ajokortti C": {"ajokortti C1", "ajokortti B"},
        "ajokortti C1": {"ajokortti B"},
        "ajokortti D": {"ajokortti B"},
    }
    for known in KNOWN:
        lower = {normalised(name) for name in expected.get(known.fi, set())}
        for name in known.names():
            assert includes(name) == {normalised(known.fi), *lower}, name
    assert set(INCLUDES) == set(expected)


def test_held_keys_is_the_union_of_what_each_name_includes() -> None:
    assert held_keys([]) == frozenset()
    assert held_keys(["körkort CE", "EA 2", "Hitsaus-pätevyys", "truckkort"]) == {
        "ajokortti" + category for category in ("ce", "c", "c1", "b")
    } | {"ensiapukorttiea2", "ensiapukorttiea1", "hitsauspätevyys", "trukkikortti"}
    # Held twice under two names: one key each.
    assert held_keys(["ajokortti D", "D-kortti"]) == {"ajokorttid", "ajokorttib"}


def test_the_table_names_known_certificates_by_their_finnish_name() -> None:
    finnish = {known.fi for known in KNOWN}
    assert {name for higher, lower in INCLUDES.items() for name in (higher, *lower)} <= finnish


def test_each_ticked_driving_licence_class_is_the_certificate_of_that_class() -> None:
    for licence_class in DRIVING_LICENCE_CLASSES:
        name = driving_licence(licence_class)
        assert (
            canonical(name)
            == canonical(f"{licence_class}-ajokortti")
            == canonical(f"körkort {licence_class}")
        )
    # The profile's choices and the certificates' classes are one list.
    assert [c.value for c in DrivingLicence] == list(DRIVING_LICENCE_CLASSES)


def test_ticked_licences_join_the_written_certificates_unless_written_too() -> None:
    lapsed = date(2020, 1, 1)
    held = with_driving_licences({"C-kortti": lapsed, "trukkikortti": None}, ["C", "CE"])
    assert held == {"C-kortti": lapsed, "trukkikortti": None, "ajokortti CE": None}
    assert with_driving_licences({}, []) == {}
