"""Hard constraints between a need and a candidate, as small pure functions.

Each constraint returns a `ConstraintResult` whose `reason_fi` is a plain Finnish fragment that can go
into the explanation sentence ("työmatka 12 km", "ei yövuoroja", "trukkikortti voimassa").

Work capacity: `CandidateFacts` carries only *derived* restrictions (no heavy lifting, no night shifts,
...), never health details, and the work-capacity result describes the need ("ei yövuoroja"), not the
person. A candidate whose restrictions the need satisfies gets exactly the same result as a candidate
without restrictions, so nothing about work capacity can be read from a passed result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from core import clock
from core.certificates import canonical, includes
from matching.geo import Municipality, find_municipality, haversine_km

CEFR_LEVELS: Final = ("A1", "A2", "B1", "B2", "C1", "C2", "native")
_LEVEL_RANK: Final = {level.casefold(): rank for rank, level in enumerate(CEFR_LEVELS)}

LANGUAGE_NAMES_FI: Final = {
    "fi": "suomi",
    "sv": "ruotsi",
    "en": "englanti",
    "se": "saame",
    "ru": "venäjä",
    "et": "viro",
    "de": "saksa",
    "fr": "ranska",
    "es": "espanja",
    "ar": "arabia",
    "so": "somali",
    "uk": "ukraina",
}
PLACEMENT_FORMS_FI: Final = {
    "open_job": "avoin työ",
    "pay_subsidy": "palkkatuki",
    "work_trial": "työkokeilu",
    "apprenticeship": "oppisopimus",
    "recruitment_training": "rekrytointikoulutus",
    "summer_job": "kesätyö",
    "assistive_task": "avustava tehtävä",
}
PHYSICAL_DEMANDS_FI: Final = {
    "heavy_lifting": "raskaita nostoja",
    "standing": "seisomatyötä",
    "outdoor": "ulkotyötä",
    "driving": "ajamista",
}


@dataclass(frozen=True, slots=True)
class ConstraintResult:
    """Outcome of one hard constraint.

    `passed` is False both for a violation and for a check that cannot be made; `unknown` tells the
    second case apart (a missing location, for example), so that it is never mistaken for a pass.
    """

    name: str
    passed: bool
    reason_fi: str
    detail: Mapping[str, Any] = field(default_factory=dict)
    unknown: bool = False


@dataclass(frozen=True, slots=True)
class NeedFacts:
    """What matching needs to know about a need (an employer's or a municipal unit's task)."""

    area_id: int
    municipality: str
    lat: float | None = None
    lon: float | None = None
    hours_per_week: float | None = None
    shifts: frozenset[str] = frozenset({"day"})
    physical_demands: frozenset[str] = frozenset()
    certificates: frozenset[str] = frozenset()
    start_date: dt.date | None = None
    languages: Mapping[str, str] = field(default_factory=dict)
    placement_forms: frozenset[str] = frozenset()
    status: str = "open"
    positions_open: int = 1
    has_supervisor: bool = False


@dataclass(frozen=True, slots=True)
class CandidateFacts:
    """What matching needs to know about a jobseeker; work capacity only as derived restrictions."""

    area_id: int
    municipality: str
    lat: float | None = None
    lon: float | None = None
    max_commute_km: float | None = None
    desired_hours_per_week: float | None = None
    max_hours_per_week: float | None = None
    no_heavy_lifting: bool = False
    no_night_shifts: bool = False
    no_shifts: bool = False
    needs_supervisor: bool = False
    excluded_physical_demands: frozenset[str] = frozenset()
    certificates: Mapping[str, dt.date | None] = field(default_factory=dict)
    languages: Mapping[str, str] = field(default_factory=dict)
    placement_forms: frozenset[str] = frozenset()
    available: bool = True


def _format_km(km: float) -> str:
    return f"{km:.0f}" if km >= 10 else f"{km:.1f}".replace(".", ",")


def _format_hours(hours: float) -> str:
    return f"{hours:g}".replace(".", ",")


def join_fi(items: Sequence[str]) -> str:
    """Items as a Finnish list: "a", "a ja b", "a, b ja c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " ja " + items[-1]


def same_area(need: NeedFacts, candidate: CandidateFacts) -> ConstraintResult:
    """The need and the candidate belong to the same employment area."""
    if need.area_id == candidate.area_id:
        return ConstraintResult("area", True, "sama työllisyysalue")
    return ConstraintResult("area", False, "eri työllisyysalue")


def _location(
    lat: float | None, lon: float | None, municipality: str, lookup: Callable[[str], Municipality | None]
) -> tuple[float, float] | None:
    if lat is not None and lon is not None:
        return lat, lon
    found = lookup(municipality)
    return None if found is None else (found.lat, found.lon)


def commute(
    need: NeedFacts,
    candidate: CandidateFacts,
    lookup: Callable[[str], Municipality | None] = find_municipality,
) -> ConstraintResult:
    """Distance from home to the workplace is within the candidate's maximum commute.

    Explicit coordinates win over the municipality centre. A location that cannot be placed gives a
    failing result marked `unknown`, unless the candidate set no maximum at all.
    """
    workplace = _location(need.lat, need.lon, need.municipality, lookup)
    home = _location(candidate.lat, candidate.lon, candidate.municipality, lookup)
    if workplace is None or home is None:
        missing = need.municipality if workplace is None else candidate.municipality
        if candidate.max_commute_km is None:
            return ConstraintResult("commute", True, "työmatkaa ei rajattu", {"distance_km": None})
        return ConstraintResult(
            "commute",
            False,
            f"työmatkaa ei voi arvioida: kunnan {missing} sijainti puuttuu",
            {"distance_km": None, "missing_location": missing},
            unknown=True,
        )
    km = haversine_km(home[0], home[1], workplace[0], workplace[1])
    detail = {"distance_km": round(km, 1), "max_commute_km": candidate.max_commute_km}
    if candidate.max_commute_km is None or km <= candidate.max_commute_km:
        return ConstraintResult("commute", True, f"työmatka {_format_km(km)} km", detail)
    limit = _format_km(candidate.max_commute_km)
    return ConstraintResult("commute", False, f"työmatka {_format_km(km)} km (enintään {limit} km)", detail)


def hours(need: NeedFacts, candidate: CandidateFacts) -> ConstraintResult:
    """The need's weekly hours do not exceed the candidate's maximum."""
    if need.hours_per_week is None:
        return ConstraintResult("hours", True, "työaika sovittavissa", {"hours_per_week": None})
    text = f"{_format_hours(need.hours_per_week)} h/vko"
    # The candidate's maximum may come from work capacity, so it stays out of the result.
    detail = {"hours_per_week": need.hours_per_week}
    if candidate.max_hours_per_week is None or need.hours_per_week <= candidate.max_hours_per_week:
        return ConstraintResult("hours", True, text, detail)
    return ConstraintResult("hours", False, f"{text} on liikaa", detail)


def work_capacity(need: NeedFacts, candidate: CandidateFacts) -> ConstraintResult:
    """The need's shifts, physical demands and supervision fit the candidate's derived restrictions.

    The reason and detail describe only the need, so a pass reveals nothing about the candidate.
    """
    conflicts: list[str] = []
    reasons: list[str] = []
    if candidate.no_night_shifts and "night" in need.shifts:
        conflicts.append("night_shifts")
        reasons.append("vaatii yövuoroja")
    if candidate.no_shifts and need.shifts - {"day"}:
        conflicts.append("shift_work")
        reasons.append("vaatii vuorotyötä")
    excluded = set(candidate.excluded_physical_demands)
    if candidate.no_heavy_lifting:
        excluded.add("heavy_lifting")
    for demand in sorted(excluded & need.physical_demands):
        conflicts.append(demand)
        reasons.append("sisältää " + PHYSICAL_DEMANDS_FI.get(demand, demand))
    if candidate.needs_supervisor and not need.has_supervisor:
        conflicts.append("no_supervisor")
        reasons.append("työpaikalla ei ole ohjaajaa")
    if conflicts:
        return ConstraintResult("work_capacity", False, ", ".join(reasons), {"conflicts": conflicts})
    conditions = _need_conditions(need)
    text = ", ".join(_CONDITIONS_FI[code] for code in conditions)
    return ConstraintResult("work_capacity", True, text, {"conditions": conditions})


_CONDITIONS_FI: Final = {
    "day_work": "päivätyö",
    "no_night_shifts": "ei yövuoroja",
    "shift_work": "vuorotyö",
    "no_heavy_lifting": "ei raskaita nostoja",
}


def _need_conditions(need: NeedFacts) -> list[str]:
    """Codes of what the need's conditions are (they describe the need, never the candidate)."""
    parts: list[str] = []
    if not need.shifts - {"day"}:
        parts.append("day_work")
    elif "night" not in need.shifts:
        parts.append("no_night_shifts")
    else:
        parts.append("shift_work")
    if "heavy_lifting" not in need.physical_demands:
        parts.append("no_heavy_lifting")
    return parts


def _later(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    """The later of two expiry dates; None (does not expire) is later than any."""
    return None if a is None or b is None else max(a, b)


def _valid_on(expires: dt.date | None, on: dt.date) -> bool:
    return expires is None or expires >= on


def _held_certificates(candidate: CandidateFacts) -> dict[str, dt.date | None]:
    """What the candidate's certificates meet, by :func:`core.certificates.canonical` key: each one's own
    key and those of the certificates it includes (:func:`core.certificates.includes`: EA2 meets EA1). A
    key met twice ("trukkikortti" and "truckkort", or EA1 and EA2) counts with its later expiry (None: it
    does not expire)."""
    held: dict[str, dt.date | None] = {}
    for name, expires in candidate.certificates.items():
        for key in includes(name):
            held[key] = _later(held[key], expires) if key in held else expires
    return held


def _stand_in(key: str, candidate: CandidateFacts, on: dt.date) -> str | None:
    """None when the candidate holds the certificate ``key`` itself, valid on ``on`` (under any of its
    names); else the held name of a higher certificate valid then that includes it ("ensiapukortti EA2"
    for EA1), the first by case-folded name."""
    stand_ins: list[str] = []
    for name, expires in candidate.certificates.items():
        if _valid_on(expires, on) and key in includes(name):
            if canonical(name) == key:
                return None
            stand_ins.append(name)
    return min(stand_ins, key=str.casefold)


def certificates(need: NeedFacts, candidate: CandidateFacts, today: dt.date) -> ConstraintResult:
    """Every required certificate is held, itself or within a higher one, and valid on the start date (or
    today, if that is later).

    A met requirement is named as the need names it, or by the held certificate that includes it, each
    certificate once (a need requiring B, C and CE, met by a CE licence, names only its CE); a missing or
    lapsed one as the need names it."""
    if not need.certificates:
        return ConstraintResult("certificates", True, "", {"required": []})
    on = max(need.start_date or today, today)
    held = _held_certificates(candidate)
    met: dict[str, tuple[bool, str]] = {}  # key of the certificate named -> (the need's own name?, name)
    missing: list[str] = []
    expired: list[str] = []
    for name in sorted(need.certificates, key=str.casefold):
        key = canonical(name)
        if key not in held:
            missing.append(name)
        elif not _valid_on(held[key], on):
            expired.append(name)
        elif (stand_in := _stand_in(key, candidate, on)) is None:
            if key not in met or not met[key][0]:  # the need's own name wins over a stand-in's
                met[key] = (True, name)
        else:
            met.setdefault(canonical(stand_in), (False, stand_in))
    valid = [shown for _, shown in met.values()]
    detail = {"valid": valid, "missing": missing, "expired": expired, "on": on.isoformat()}
    if not missing and not expired:
        return ConstraintResult("certificates", True, f"{join_fi(valid)} voimassa", detail)
    reasons = []
    if missing:
        reasons.append(f"{join_fi(missing)} puuttuu")
    if expired:
        reasons.append(f"{join_fi(expired)} ei voimassa {on.day}.{on.month}.{on.year}")
    return ConstraintResult("certificates", False, "; ".join(reasons), detail)


def language_level_rank(level: str) -> int | None:
    """Position of a CEFR level in A1 < A2 < B1 < B2 < C1 < C2 < native; None if it is not one."""
    return _LEVEL_RANK.get(level.strip().casefold())


def languages(need: NeedFacts, candidate: CandidateFacts) -> ConstraintResult:
    """The candidate reaches the required level in every language the need asks for.

    Levels are CEFR A1..C2 or "native". A requirement whose level is not one of them cannot be
    checked: the result fails and is marked `unknown`. A candidate level that is not one of them
    counts as not reaching any level.
    """
    if not need.languages:
        return ConstraintResult("languages", True, "", {"shortfalls": []})
    held = {code.casefold(): level for code, level in candidate.languages.items()}
    met: list[str] = []
    shortfalls: list[str] = []
    unreadable: list[str] = []
    # The same facts as codes, for the explanation in other languages (matching.wording).
    met_levels: list[list[str]] = []
    short_levels: list[list[str | None]] = []
    unreadable_levels: list[list[str]] = []
    for code, required in sorted(need.languages.items()):
        name = LANGUAGE_NAMES_FI.get(code.casefold(), code)
        required_rank = language_level_rank(required)
        if required_rank is None:
            unreadable.append(f"{name} {required!r}")
            unreadable_levels.append([code, required])
            continue
        level = held.get(code.casefold())
        level_rank = None if level is None else language_level_rank(level)
        if level is not None and level_rank is not None and level_rank >= required_rank:
            native = level_rank == _LEVEL_RANK["native"]
            met.append(f"{name} (äidinkieli)" if native else f"{name} {level}")
            met_levels.append([code, "native" if native else level])
        else:
            shortfalls.append(f"{name} {required} (nyt {level or 'ei'})")
            short_levels.append([code, required, level])
    detail = {
        "met": met,
        "shortfalls": shortfalls,
        "unreadable": unreadable,
        "met_levels": met_levels,
        "short_levels": short_levels,
        "unreadable_levels": unreadable_levels,
    }
    if unreadable:
        reason = "kielitaitovaatimusta ei voi tulkita: " + ", ".join(unreadable)
        return ConstraintResult("languages", False, reason, detail, unknown=True)
    if shortfalls:
        return ConstraintResult("languages", False, "kielitaito ei riitä: " + ", ".join(shortfalls), detail)
    return ConstraintResult("languages", True, "kielitaito " + ", ".join(met), detail)


def placement_forms(need: NeedFacts, candidate: CandidateFacts) -> ConstraintResult:
    """The need accepts at least one placement form the candidate accepts (empty means any)."""
    if not need.placement_forms or not candidate.placement_forms:
        common = need.placement_forms or candidate.placement_forms
    else:
        common = need.placement_forms & candidate.placement_forms
        if not common:
            return ConstraintResult(
                "placement_forms", False, "ei yhteistä työllistymisen muotoa", {"common": []}
            )
    names = [PLACEMENT_FORMS_FI.get(form, form) for form in sorted(common)]
    return ConstraintResult("placement_forms", True, join_fi(names), {"common": sorted(common)})


def need_open(need: NeedFacts) -> ConstraintResult:
    """The need is open and has positions left."""
    if need.status != "open":
        return ConstraintResult("need_open", False, "tehtävä ei ole auki", {"status": need.status})
    if need.positions_open <= 0:
        return ConstraintResult(
            "need_open", False, "paikat on täytetty", {"positions_open": need.positions_open}
        )
    return ConstraintResult("need_open", True, "", {"positions_open": need.positions_open})


def candidate_available(candidate: CandidateFacts) -> ConstraintResult:
    """The candidate is available for placement now."""
    if candidate.available:
        return ConstraintResult("candidate_available", True, "")
    return ConstraintResult("candidate_available", False, "ei käytettävissä")


def evaluate(
    need: NeedFacts,
    candidate: CandidateFacts,
    *,
    today: dt.date | None = None,
    lookup: Callable[[str], Municipality | None] = find_municipality,
) -> list[ConstraintResult]:
    """All hard constraints for one pair, in a fixed order."""
    on = today or clock.today()
    return [
        need_open(need),
        candidate_available(candidate),
        same_area(need, candidate),
        commute(need, candidate, lookup),
        hours(need, candidate),
        work_capacity(need, candidate),
        certificates(need, candidate, on),
        languages(need, candidate),
        placement_forms(need, candidate),
    ]


def passes(
    need: NeedFacts,
    candidate: CandidateFacts,
    *,
    today: dt.date | None = None,
    lookup: Callable[[str], Municipality | None] = find_municipality,
) -> bool:
    """Whether the pair satisfies every hard constraint (an unknown result does not pass).

    The same decision as ``all(r.passed for r in evaluate(...))`` without writing any reasons: ranking
    checks every pooled pair with it and explains only the pairs it returns. Tested against
    :func:`evaluate` on random pairs (tests/matching/test_constraints.py).
    """
    if need.status != "open" or need.positions_open <= 0 or not candidate.available:
        return False
    if need.area_id != candidate.area_id:
        return False
    max_hours = candidate.max_hours_per_week
    if need.hours_per_week is not None and max_hours is not None and need.hours_per_week > max_hours:
        return False
    non_day = need.shifts - {"day"}
    if (candidate.no_night_shifts and "night" in need.shifts) or (candidate.no_shifts and non_day):
        return False
    if candidate.needs_supervisor and not need.has_supervisor:
        return False
    if need.physical_demands and (
        not need.physical_demands.isdisjoint(candidate.excluded_physical_demands)
        or (candidate.no_heavy_lifting and "heavy_lifting" in need.physical_demands)
    ):
        return False
    forms = need.placement_forms
    if forms and candidate.placement_forms and forms.isdisjoint(candidate.placement_forms):
        return False
    if need.certificates:
        day = today or clock.today()
        on = max(need.start_date or day, day)
        held = _held_certificates(candidate)
        for name in need.certificates:
            key = canonical(name)
            if key not in held:
                return False
            if not _valid_on(held[key], on):
                return False
    if need.languages:
        levels = {code.casefold(): level for code, level in candidate.languages.items()}
        for code, required in need.languages.items():
            required_rank = language_level_rank(required)
            level = levels.get(code.casefold())
            level_rank = None if level is None else language_level_rank(level)
            if required_rank is None or level_rank is None or level_rank < required_rank:
                return False
    if candidate.max_commute_km is not None:
        workplace = _location(need.lat, need.lon, need.municipality, lookup)
        home = _location(candidate.lat, candidate.lon, candidate.municipality, lookup)
        if workplace is None or home is None:
            return False
        if haversine_km(home[0], home[1], workplace[0], workplace[1]) > candidate.max_commute_km:
            return False
    return True
