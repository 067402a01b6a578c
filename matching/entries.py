"""What a loaded need or jobseeker row is to the matching engine.

:class:`NeedEntry` and :class:`CandidateEntry` are built once per row, when the engine loads or follows a
change (:func:`need_entry` from :func:`employers.facts.need_rows`, :func:`candidate_entry` from
:func:`jobseekers.facts.candidate_rows`): the labels a result shows, the embedding text (what BM25
indexes and a ranking queries with), the hard-constraint facts (:mod:`matching.constraints`) with
coordinates resolved, and the ESCO skill keys. A jobseeker's entry is pseudonymous and carries work
capacity only as derived facts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from core.certificates import with_driving_licences
from matching import esco
from matching.constraints import CandidateFacts, NeedFacts
from matching.geo import find_municipality
from matching.vectors import Kind, embedding_text

V = TypeVar("V")


SHARED_VALUES_LIMIT = 100_000
"""Distinct values :func:`_shared` keeps before it starts over (equal values made after that are shared
again from then on: the limit only bounds what values no longer held can keep alive)."""

_SHARED: dict[tuple[type, Any], Any] = {}

T = TypeVar("T", str, tuple[str, ...], frozenset[str])


def _shared(value: T) -> T:
    """One object for all equal ``value``s: most entries repeat the same municipality, language, status,
    skills and sets of shifts, demands and forms, and each copy of an empty frozenset alone is 216 bytes
    (at 100 000 a side the copies were about two thirds of the entries' memory, every worker its own:
    bench/results/worker_memory.md). It matters for the entries a worker holds as objects: all of them
    before its first entries snapshot, then those changed since (:mod:`matching.entry_store`)."""
    if len(_SHARED) >= SHARED_VALUES_LIMIT:
        _SHARED.clear()
    found: T = _SHARED.setdefault((type(value), value), value)
    return found


def _shared_mapping(mapping: Mapping[str, V]) -> Mapping[str, V]:
    """One (read-only by its type) dict for all equal mappings, as :func:`_shared`."""
    if len(_SHARED) >= SHARED_VALUES_LIMIT:
        _SHARED.clear()
    try:
        found: Mapping[str, V] = _SHARED.setdefault((dict, tuple(mapping.items())), dict(mapping))
    except TypeError:  # a value that cannot be a key (not one these columns hold): a copy of its own
        return dict(mapping)
    return found


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _coords(municipality: str, lat: float | None = None, lon: float | None = None) -> tuple[float, float]:
    if lat is not None and lon is not None:
        return float(lat), float(lon)
    place = find_municipality(municipality)
    if place is None or place.lat is None or place.lon is None:
        return math.nan, math.nan
    return place.lat, place.lon


@dataclass(frozen=True, slots=True)
class NeedEntry:
    """A need as the engine keeps it."""

    id: int
    area_id: int
    employer_id: int
    external_id: str | None
    title: str
    employer_name: str
    municipality: str
    visibility: str
    is_assistive: bool
    skills: tuple[str, ...]
    occupation: str | None
    hours_per_week: float | None
    lang: str
    text: str
    facts: NeedFacts
    matchable: bool
    skill_keys: tuple[str, ...] = ()
    """:func:`matching.esco.skill_keys` of ``skills``."""


@dataclass(frozen=True, slots=True)
class CandidateEntry:
    """A jobseeker as the engine keeps it: pseudonymous, work capacity only as derived facts."""

    id: int
    area_id: int
    external_id: str | None
    pseudonym: str
    caseworker_id: int | None
    municipality: str
    skills: tuple[str, ...]
    desired_occupations: tuple[str, ...]
    desired_hours_per_week: float | None
    lang: str
    text: str
    facts: CandidateFacts
    matchable: bool
    skill_keys: frozenset[str] = frozenset()
    """:func:`matching.esco.skill_keys` of ``skills``."""


def need_entry(row: Mapping[str, Any]) -> NeedEntry:
    """Build the engine's view of a need row (see :func:`employers.facts.need_rows`)."""
    lat, lon = _coords(row["municipality"], row.get("latitude"), row.get("longitude"))
    open_positions = int(row["positions"]) - int(row["positions_filled"])
    facts = NeedFacts(
        area_id=row["area_id"],
        municipality=_shared(row["municipality"]),
        lat=None if math.isnan(lat) else lat,
        lon=None if math.isnan(lon) else lon,
        hours_per_week=row["hours_per_week"],
        shifts=_shared(frozenset(row["shifts"] or ["day"])),
        physical_demands=_shared(frozenset(row["physical_demands"] or ())),
        certificates=_shared(frozenset(row["certificates"] or ())),
        start_date=_date(row["start_date"]),
        languages=_shared_mapping(row["languages"] or {}),
        placement_forms=_shared(frozenset(row["placement_forms"] or ())),
        status=_shared(row["status"]),
        positions_open=open_positions,
        has_supervisor=bool(row["supervisor_on_site"]),
    )
    try:
        text = embedding_text("need", row)
    except ValueError:
        text = ""
    return NeedEntry(
        id=row["id"],
        area_id=row["area_id"],
        employer_id=row["employer_id"],
        external_id=row["external_id"],
        title=row["title"],
        employer_name=_shared(row["employer_name"]),
        municipality=_shared(row["municipality"]),
        visibility=_shared(row["visibility"]),
        is_assistive=bool(row["is_assistive"]),
        skills=_shared(tuple(row["skills"] or ())),
        occupation=row["occupation"] and _shared(row["occupation"]),
        hours_per_week=row["hours_per_week"],
        lang=_shared(row["text_language"] or "fi"),
        text=text,
        facts=facts,
        matchable=not row["archived"] and row["status"] == "open" and open_positions > 0,
        skill_keys=_shared(esco.skill_keys(row["skills"] or ())),
    )


def candidate_entry(row: Mapping[str, Any]) -> CandidateEntry:
    """Build the engine's view of a jobseeker row (see :func:`jobseekers.facts.candidate_rows`)."""
    lat, lon = _coords(row["municipality"])
    excluded = set(row["excluded_demands"] or ())
    if row["no_heavy_lifting"]:
        excluded.add("heavy_lifting")
    facts = CandidateFacts(
        area_id=row["area_id"],
        municipality=_shared(row["municipality"]),
        lat=None if math.isnan(lat) else lat,
        lon=None if math.isnan(lon) else lon,
        max_commute_km=row["max_commute_km"],
        desired_hours_per_week=row["desired_hours_per_week"],
        max_hours_per_week=row["max_hours_per_week"],
        no_heavy_lifting=bool(row["no_heavy_lifting"]),
        no_night_shifts=bool(row["no_night_shifts"]),
        no_shifts=bool(row["no_shift_work"]),
        needs_supervisor=bool(row["needs_supervisor"]),
        excluded_physical_demands=_shared(frozenset(excluded)),
        certificates=_shared_mapping(
            with_driving_licences(
                {name: _date(expiry) for name, expiry in (row["certificates"] or {}).items()},
                row["driving_licences"] or (),
            )
        ),
        languages=_shared_mapping(row["languages"] or {}),
        placement_forms=_shared(frozenset(row["placement_forms"] or ())),
        available=bool(row["available"]),
    )
    try:
        text = embedding_text("jobseeker", row)
    except ValueError:
        text = ""
    return CandidateEntry(
        id=row["id"],
        area_id=row["area_id"],
        external_id=row["external_id"],
        pseudonym=row["pseudonym"],
        caseworker_id=row["caseworker_id"],
        municipality=_shared(row["municipality"]),
        skills=_shared(tuple(row["skills"] or ())),
        desired_occupations=_shared(tuple(row["desired_occupations"] or ())),
        desired_hours_per_week=row["desired_hours_per_week"],
        lang=_shared(row["text_language"] or "fi"),
        text=text,
        facts=facts,
        matchable=not row["archived"] and bool(row["available"]),
        skill_keys=_shared(frozenset(esco.skill_keys(row["skills"] or ()))),
    )


def make_entry(kind: Kind, row: Mapping[str, Any]) -> NeedEntry | CandidateEntry:
    """The entry of a row of ``kind`` (a need or a jobseeker)."""
    return need_entry(row) if kind == "need" else candidate_entry(row)
