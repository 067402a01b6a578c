"""Finnish municipalities and great-circle distances between them.

The data is core/municipalities.csv (all 309 municipalities of 2025; see core/municipalities.README.md for
its source and precision). Distances are haversine distances between centre points: a commute estimate,
not a road distance.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Final

MUNICIPALITIES_CSV: Final = Path(__file__).resolve().parent.parent / "core" / "municipalities.csv"
EARTH_RADIUS_KM: Final = 6371.0088


class UnknownMunicipalityError(KeyError):
    """Raised when a municipality name is not one of the current Finnish municipalities."""


@dataclass(frozen=True, slots=True)
class Municipality:
    """A municipality with its official code (3 digits), names and centre point (WGS84)."""

    code: str
    name_fi: str
    name_sv: str | None
    lat: float
    lon: float


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


@lru_cache(maxsize=1)
def _load() -> MappingProxyType[str, Municipality]:
    by_name: dict[str, Municipality] = {}
    with MUNICIPALITIES_CSV.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            municipality = Municipality(
                code=row["code"],
                name_fi=row["name_fi"],
                name_sv=row["name_sv"] or None,
                lat=float(row["lat"]),
                lon=float(row["lon"]),
            )
            by_name[_key(municipality.name_fi)] = municipality
            if municipality.name_sv:
                by_name.setdefault(_key(municipality.name_sv), municipality)
    return MappingProxyType(by_name)


def load_municipalities() -> dict[str, Municipality]:
    """All municipalities keyed by lower-cased Finnish and Swedish name (one object under both keys)."""
    return dict(_load())


def find_municipality(name: str) -> Municipality | None:
    """The municipality called `name` in Finnish or Swedish (case and spacing ignored), or None."""
    return _load().get(_key(name))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two WGS84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2
    half_dlambda = math.radians(lon2 - lon1) / 2
    h = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def _resolve(place: str | Municipality) -> Municipality:
    if isinstance(place, Municipality):
        return place
    found = find_municipality(place)
    if found is None:
        raise UnknownMunicipalityError(place)
    return found


def distance_km(a: str | Municipality, b: str | Municipality) -> float:
    """Distance between two municipality centres; raises `UnknownMunicipalityError` for unknown names."""
    first, second = _resolve(a), _resolve(b)
    return haversine_km(first.lat, first.lon, second.lat, second.lon)
