"""Work certificates by what they are, not how they are spelled: one rule for matching a held certificate
with a required one.

Certificates are free text: a need names what it requires and a profile what the jobseeker holds, in
whichever language the writer works in ("trukkikortti", "truckkort", "forklift licence") and spelling
("Trukki-kortti", "trukkikortti."). :func:`canonical` turns a name into the key that matching compares:
the name is NFKC-normalised and case-folded, whitespace and hyphens are dropped, trailing dots go, and a
name of a certificate in :data:`KNOWN` becomes that certificate's key (its normalised Finnish name).
Any other name is its own normalised text, so it still matches only itself.

:data:`KNOWN` is deliberately small: the common Finnish work certificates whose Swedish and English names
their issuers or the usual course providers use. It holds no hierarchy (EA2 does not stand in for EA1,
driving licence CE not for C): a need that accepts either names both. Stored text stays as the user wrote
it; the key is only compared.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Final


@dataclass(frozen=True, slots=True)
class KnownCertificate:
    """A certificate by its Finnish, Swedish and English name, and other names that mean the same."""

    fi: str
    sv: str
    en: str
    variants: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.fi, self.sv, self.en, *self.variants)


def _driving_licence(category: str) -> KnownCertificate:
    c = category
    return KnownCertificate(
        f"ajokortti {c}",
        f"körkort {c}",
        f"driving licence {c}",
        (f"{c}-ajokortti", f"{c}-kortti", f"{c}-körkort", f"driving license {c}", f"{c} driving licence"),
    )


KNOWN: Final[tuple[KnownCertificate, ...]] = (
    KnownCertificate(
        "trukkikortti",
        "truckkort",
        "forklift licence",
        ("trukkilupa", "trukkiajolupa", "forklift license", "forklift card"),
    ),
    KnownCertificate("hygieniapassi", "hygienpass", "hygiene passport"),
    KnownCertificate(
        "työturvallisuuskortti", "arbetarskyddskort", "occupational safety card", ("työturvakortti",)
    ),
    KnownCertificate(
        "tulityökortti",
        "eldarbetskort",
        "hot work licence",
        ("heta arbeten-kort", "hot work license", "hot work card", "hot work certificate"),
    ),
    KnownCertificate(
        "sähkötyöturvallisuuskortti",
        "elarbetssäkerhetskort",
        "electrical safety card",
        ("electrical work safety card",),
    ),
    KnownCertificate(
        "ensiapukortti EA1",
        "första hjälpen 1",
        "first aid 1",
        ("EA1", "EA1-kortti", "ensiapukurssi EA1", "FHJ1", "first aid certificate 1"),
    ),
    KnownCertificate(
        "ensiapukortti EA2",
        "första hjälpen 2",
        "first aid 2",
        ("EA2", "EA2-kortti", "ensiapukurssi EA2", "FHJ2", "first aid certificate 2"),
    ),
    KnownCertificate(
        "anniskelupassi",
        "utskänkningspass",
        "alcohol licence passport",
        ("alcohol license passport", "alcohol passport"),
    ),
    KnownCertificate(
        "järjestyksenvalvojakortti", "ordningsvaktskort", "security steward card", ("ordningsvaktkort",)
    ),
    KnownCertificate("vartijakortti", "väktarkort", "security guard card"),
    KnownCertificate(
        "ammattipätevyys (kuljettaja)",
        "yrkeskompetens för förare",
        "driver CPC",
        ("kuljettajan ammattipätevyys", "förarens yrkeskompetens", "driver's professional competence"),
    ),
    *(_driving_licence(category) for category in ("B", "C1", "C", "CE", "D")),
)
"""The certificates whose names in Finnish, Swedish and English are known to mean the same."""

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u00ad]+")


def normalised(name: str) -> str:
    """``name`` as compared: NFKC, case-folded, without whitespace, hyphens or trailing dots."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return _SEPARATORS.sub("", text).rstrip(".")


def _keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for known in KNOWN:
        key = normalised(known.fi)
        for name in known.names():
            found = keys.setdefault(normalised(name), key)
            if found != key:
                raise ValueError(f"{name!r} names two certificates")
    return keys


_KEYS: Final = _keys()


@lru_cache(maxsize=4096)  # matching compares the same few names for every pair
def canonical(name: str) -> str:
    """The key two certificate names share when they name the same certificate."""
    text = normalised(name)
    return _KEYS.get(text, text)
