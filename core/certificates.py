"""Work certificates by what they are, not how they are spelled, and which ones include others: one rule
for matching a held certificate with a required one.

Certificates are free text: a need names what it requires and a profile what the jobseeker holds, in
whichever language the writer works in ("trukkikortti", "truckkort", "forklift licence") and spelling
("Trukki-kortti", "trukkikortti."). :func:`canonical` turns a name into the key that matching compares:
the name is NFKC-normalised and case-folded, whitespace and hyphens are dropped, trailing dots go, and a
name of a certificate in :data:`KNOWN` becomes that certificate's key (its normalised Finnish name).
Any other name is its own normalised text, so it still matches only itself.

:data:`KNOWN` is deliberately small: the common Finnish work certificates whose Swedish and English names
their issuers or the usual course providers use. :data:`INCLUDES` is the small hierarchy among them: a
higher certificate stands in for the lower ones it includes (EA2 for EA1, a CE driving licence for C,
C1 and B), never across unrelated certificates (a vartijakortti is not a järjestyksenvalvojakortti).
:func:`held_keys` gives the keys a person's certificates meet, the included ones too; only what is held
is widened, a requirement never is (a need that requires CE is not met by C). Stored text stays as the
user wrote it; the key is only compared. A profile also ticks driving licence classes: each is held as
the certificate of that class (:func:`with_driving_licences`), so a ticked CE meets "C-kortti".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
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


DRIVING_LICENCE_CLASSES: Final = (
    "AM", "A1", "A2", "A", "B", "BE", "C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE", "T"
)  # fmt: skip
"""The Finnish driving licence classes a profile ticks (:class:`jobseekers.schemas.DrivingLicence`)."""


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
    *(_driving_licence(category) for category in DRIVING_LICENCE_CLASSES),
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


INCLUDES: Final[Mapping[str, tuple[str, ...]]] = {
    # Suomen Punainen Risti's EA 2 is the continuation course (jatkokurssi) of EA 1: it admits holders of
    # a valid EA 1 certificate and extends EA 1's content.
    "ensiapukortti EA2": ("ensiapukortti EA1",),
    # Driving licences (ajokorttilaki 386/2011, implementing Directive 2006/126/EC; the directive's
    # article 6(1)(b): CE is issued only to a driver already entitled to drive category C).
    "ajokortti CE": ("ajokortti C",),
    # Category C is every lorry over 3 500 kg, C1 those of 3 500 to 7 500 kg (the directive's article
    # 4(4)(d) and (f); ajokorttilaki 4 §), so what a C licence may drive contains every C1 vehicle.
    "ajokortti C": ("ajokortti C1",),
    # Article 6(1)(a): C1, C, D1 and D are issued only to a driver already entitled to drive category B.
    "ajokortti C1": ("ajokortti B",),
    "ajokortti D": ("ajokortti B",),
}
"""Certificate -> the certificates it directly includes, by Finnish name in :data:`KNOWN`; what each rests
on in the comment beside it. Holding one means holding what it includes, transitively (CE: C, C1 and B),
with the same expiry. Only certificates that cannot be had without the lower one, or whose rights contain
the lower one's, are here; D does not include C, nor C1 a CE."""


def _included() -> dict[str, frozenset[str]]:
    """Each known key -> its key and the keys of every certificate it includes, transitively."""
    keys = {normalised(known.fi): known.fi for known in KNOWN}
    direct: dict[str, set[str]] = {}
    for higher, lower in INCLUDES.items():
        for name in (higher, *lower):
            if normalised(name) not in keys or keys[normalised(name)] != name:
                raise ValueError(f"{name!r} is not the Finnish name of a known certificate")
        direct[normalised(higher)] = {normalised(name) for name in lower}
    closure: dict[str, frozenset[str]] = {}
    for key in keys:
        found: set[str] = set()
        todo = [key]
        while todo:
            for included in direct.get(todo.pop(), ()):
                if included == key:
                    raise ValueError(f"{keys[key]!r} includes itself")
                if included not in found:
                    found.add(included)
                    todo.append(included)
        closure[key] = frozenset({key, *found})
    return closure


_INCLUDED: Final = _included()


@lru_cache(maxsize=4096)  # as canonical: every pair checked asks for the same few names
def includes(name: str) -> frozenset[str]:
    """The keys of the certificate ``name`` names and of every certificate it includes (:data:`INCLUDES`):
    what holding it meets. An unknown name includes only itself."""
    key = canonical(name)
    return _INCLUDED.get(key) or frozenset({key})


def held_keys(names: Iterable[str]) -> frozenset[str]:
    """The keys of the certificates a person holding ``names`` meets a requirement of: each name's
    :func:`canonical` key and the keys of the certificates it includes (whatever the expiry)."""
    keys: set[str] = set()
    for name in names:
        keys |= includes(name)
    return frozenset(keys)


def driving_licence(licence_class: str) -> str:
    """The certificate a ticked driving licence class is (its Finnish name in :data:`KNOWN`)."""
    return f"ajokortti {licence_class}"


def with_driving_licences(
    certificates: Mapping[str, date | None], licence_classes: Iterable[str]
) -> dict[str, date | None]:
    """The certificates a jobseeker holds: those written on the profile and each driving licence class
    ticked on it (valid, no expiry date), unless the licence is written too (its expiry date is then the one
    written)."""
    held = dict(certificates)
    written = {canonical(name) for name in held}
    for licence_class in licence_classes:
        name = driving_licence(licence_class)
        if canonical(name) not in written:
            held[name] = None
    return held
