"""Certificate names: every known name leads to its certificate, and any other name only to itself."""

from __future__ import annotations

import pytest

from core.certificates import KNOWN, KnownCertificate, canonical, normalised


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
